// Starts PrefBasis: open the database, apply pending migrations, load the demo if asked, listen.
import { loadConfig } from './config.js';
import { openDatabase } from './db/connection.js';
import { ensureDemo } from './demo.js';
import { createApp } from './web/app.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config.database);
  const migrations = await db.migrate();
  if (migrations.applied.length) console.log(`Applied migrations: ${migrations.applied.join(', ')}`);
  if (config.loadDemo) {
    const demo = await ensureDemo(db.prisma);
    if (demo.loaded) console.log(`Loaded the demo dataset (${demo.datasetId}).`);
  }
  const app = createApp({ db, config });
  const server = app.listen(config.port, config.host, () => {
    const where = config.database.kind === 'embedded' ? `embedded database in ${config.database.dataDir}` : 'PostgreSQL (DATABASE_URL)';
    console.log(`PrefBasis is running at http://${config.host}:${config.port}/ (${where})`);
  });
  const stop = () => {
    server.close(() => void db.close().then(() => process.exit(0)));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
