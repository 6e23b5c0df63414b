// POST /local/cli: this machine's `prefbasis` runs a command through the server that holds the
// embedded database (issue 12.1). Only from loopback and with the key in the server's note beside
// the data dir; the command's output streams back as JSON lines, then its exit code.
import { timingSafeEqual } from 'node:crypto';
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { HttpError } from '../http-error.js';
import { parseBodyOr422 } from '../schemas/common.js';

/** What the command sees of the caller: its output, and what it brought (a password, API keys). */
export interface RemoteCaller {
  out(text: string): void;
  err(text: string): void;
  write(chunk: string): void;
  secret: string | null;
  env: Readonly<Record<string, string>>;
  /** True once the CLI went away (interrupted): long commands stop taking new work. */
  gone(): boolean;
}

export interface LocalCliDeps {
  key: string;
  /** HMAC of a nonce with the key (local-server.ts keyProof): how the CLI checks whom it talks to. */
  prove(nonce: string): string;
  run(argv: string[], caller: RemoteCaller): Promise<number>;
}

const body = z.object({
  argv: z.array(z.string().max(10_000)).max(200),
  secret: z.string().max(500).nullable().default(null),
  env: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*_API_KEY$/), z.string().max(1000)).default({}),
});

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** Loopback, or this machine calling its own address (HOST set to the machine's IP). */
const fromThisMachine = (req: Request) => LOOPBACK.has(req.socket.remoteAddress ?? '') || (req.socket.remoteAddress !== undefined && req.socket.remoteAddress === req.socket.localAddress);
/** Output can pause (a long export); a line at least this often keeps the CLI's connection alive. */
const HEARTBEAT_MS = 20_000;

export function localCliRouter(deps: LocalCliDeps): Router {
  const router = Router();
  // Another machine never learns these routes exist.
  router.use((req, _res, next) => {
    if (!fromThisMachine(req)) throw new HttpError(404, 'not_found', 'Not found.');
    next();
  });

  router.get('/hello', (req, res) => {
    const nonce = typeof req.query.nonce === 'string' && /^[0-9a-f]{16,64}$/.test(req.query.nonce) ? req.query.nonce : null;
    if (!nonce) throw new HttpError(400, 'invalid_request', 'query.nonce: 16 to 64 hex digits.');
    res.json({ proof: deps.prove(nonce) });
  });

  router.post('/cli', express.json({ limit: '256kb' }), async (req, res) => {
    const given = Buffer.from(req.get('x-prefbasis-local-key') ?? '');
    const key = Buffer.from(deps.key);
    if (given.length !== key.length || !timingSafeEqual(given, key)) throw new HttpError(403, 'bad_local_key', 'This command did not come from this machine\'s prefbasis.');
    const request = parseBodyOr422(body, req.body);
    res.status(200).type('application/x-ndjson');
    res.flushHeaders();
    const send = (line: Record<string, unknown>) => res.write(JSON.stringify(line) + '\n');
    const heartbeat = setInterval(() => send({}), HEARTBEAT_MS);
    let gone = false;
    res.on('close', () => (gone = !res.writableFinished));
    try {
      const code = await deps.run(request.argv, { out: (text) => send({ out: text }), err: (text) => send({ err: text }), write: (chunk) => send({ chunk }), secret: request.secret, env: request.env, gone: () => gone });
      send({ exit: code });
    } finally {
      clearInterval(heartbeat);
      res.end();
    }
  });
  return router;
}
