// POST /local/cli: this machine's `prefbasis` runs a command through the server that holds the
// embedded database (issue 12.1). Only from loopback and with the key in the server's note beside
// the data dir; the command's output streams back as JSON lines, then its exit code.
import { timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
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
}

export interface LocalCliDeps {
  key: string;
  run(argv: string[], caller: RemoteCaller): Promise<number>;
}

const body = z.object({
  argv: z.array(z.string().max(10_000)).max(200),
  secret: z.string().max(500).nullable().default(null),
  env: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*_API_KEY$/), z.string().max(1000)).default({}),
});

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function localCliRouter(deps: LocalCliDeps): Router {
  const router = Router();
  router.post('/cli', express.json({ limit: '256kb' }), async (req, res) => {
    // Another machine never learns this route exists.
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) throw new HttpError(404, 'not_found', 'Not found.');
    const given = Buffer.from(req.get('x-prefbasis-local-key') ?? '');
    const key = Buffer.from(deps.key);
    if (given.length !== key.length || !timingSafeEqual(given, key)) throw new HttpError(403, 'bad_local_key', 'This command did not come from this machine\'s prefbasis.');
    const request = parseBodyOr422(body, req.body);
    res.status(200).type('application/x-ndjson');
    const send = (line: Record<string, unknown>) => res.write(JSON.stringify(line) + '\n');
    const code = await deps.run(request.argv, { out: (text) => send({ out: text }), err: (text) => send({ err: text }), write: (chunk) => send({ chunk }), secret: request.secret, env: request.env });
    send({ exit: code });
    res.end();
  });
  return router;
}
