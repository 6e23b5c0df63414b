// Starts PrefBasis: open the database, apply pending migrations, load the demo if asked, listen.
import { loadConfig, plainHttpWarning } from './config.js';
import { loadOrCreateSecret } from './db/app-secrets.js';
import { openDatabase } from './db/connection.js';
import { demoRaterPath, ensureDemo, ensureDemoAdmin } from './demo.js';
import { createApp } from './web/app.js';
import { startTimeoutSweep } from './jobs/timeout-sweep.js';
import { startProlificSync } from './jobs/prolific-sync.js';
import { startEvaluationRunner } from './jobs/evaluations.js';
import { ProlificClient } from './prolific/client.js';
import { randomBytes } from 'node:crypto';
import { runCli } from './cli/run.js';
import { relayedIo } from './local-cli-io.js';
import { keyProof, localUrlOf, removeLocalServer, writeLocalServer } from './local-server.js';
import type { RemoteCaller } from './web/routes/local-cli.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const insecure = plainHttpWarning(config);
  if (insecure) console.warn(`Warning: ${insecure}`);
  const db = await openDatabase(config.database);
  const migrations = await db.migrate();
  if (migrations.applied.length) console.log(`Applied migrations: ${migrations.applied.join(', ')}`);
  const demo = config.loadDemo ? await ensureDemo(db) : null;
  if (demo?.loaded) console.log('Loaded the demo dataset and opened the demo study.');
  const demoAdmin = demo?.loaded ? await ensureDemoAdmin(db.prisma) : null;
  // Without PREFBASIS_SECRET every process shares one secret kept in the database (forms survive
  // restarts and work across processes behind one load balancer).
  const secret = config.secret ?? (await loadOrCreateSecret(db.prisma, 'csrf'));
  const prolific = config.prolific ? new ProlificClient(config.prolific) : null;
  // On the embedded database this process holds the data: this machine's CLI runs through it.
  const dataDir = config.database.kind === 'embedded' ? config.database.dataDir : null;
  const localUrl = localUrlOf(config.host, config.port);
  const publicBase = config.publicBaseUrl ?? localUrl;
  const localKey = randomBytes(32).toString('base64url');
  const localCli = dataDir ? { key: localKey, prove: (nonce: string) => keyProof(localKey, nonce), run: (argv: string[], caller: RemoteCaller) => runCli(argv, relayedIo(caller, { db, baseUrl: publicBase, prolific })) } : null;
  const app = createApp({ db, config: { ...config, secret }, prolific, localCli });
  // Express 5 calls this with the error when listening fails (a port in use): say so and stop,
  // rather than announce a server that is not there.
  const server = app.listen(config.port, config.host, (err?: Error) => {
    if (err) {
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      console.error(inUse ? `Port ${config.port} on ${config.host} is already in use (another PrefBasis?). Stop it, or start with PORT=<another port>.` : `Cannot listen on ${config.host}:${config.port}: ${err.message}`);
      void db.close().finally(() => process.exit(1));
      return;
    }
    if (dataDir) writeLocalServer(dataDir, { pid: process.pid, url: localUrl, key: localKey });
    const where = config.database.kind === 'embedded' ? `embedded database in ${config.database.dataDir}` : 'PostgreSQL (DATABASE_URL)';
    const base = `http://${config.host}:${config.port}`;
    console.log(`PrefBasis is running at ${base}/ (${where})`);
    if (demo?.batch) console.log(`Try the demo study as a rater: ${base}${demoRaterPath(demo.batch)}`);
    if (demoAdmin) console.log(`Console: ${base}/console/sign-in as ${demoAdmin.email} with password ${demoAdmin.password} (shown once)`);
  });
  // Idle keep-alive connections outlive a load balancer's (60 s is common): otherwise the balancer,
  // or a rater's browser, may send a request on a socket the server is closing at that moment.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Abandoned places come back without anyone watching (issue 11.1).
  // With Prolific sync on, a participant Prolific still shows ACTIVE is never timed out (DECISIONS).
  const sweep = startTimeoutSweep(db.sql, { everyMs: config.timeoutSweepSeconds * 1000, log: (message) => console.warn(message), keepProlificActive: prolific !== null });
  const sync = prolific && config.prolific ? startProlificSync(db, prolific, { everyMs: config.prolific.syncSeconds * 1000, log: (message) => console.warn(message) }) : null;
  // Queued LLM evaluations (API, console) run here; keys come from this process's environment.
  const evaluations = startEvaluationRunner(db, { everyMs: 5_000, log: (message) => console.warn(message), env: (name) => process.env[name] });
  const stop = () => {
    if (dataDir) removeLocalServer(dataDir);
    sweep.stop();
    sync?.stop();
    evaluations.stop();
    server.close(() => void db.close().then(() => process.exit(0)));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
