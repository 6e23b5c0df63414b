// The server process as `npm start` runs it: what it says when it cannot start.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startServerProcess } from './helpers/server-process.js';

const dir = mkdtempSync(path.join(tmpdir(), 'prefbasis-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('server start', () => {
  it('stops with a clear message, instead of announcing itself, when its port is taken', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const start = startServerProcess({ PORT: String(port), DATABASE_URL: '', PREFBASIS_DATA_DIR: path.join(dir, 'db') });
      const error = await start.then(
        async (server) => {
          await server.stop(); // it should not have started; leave no process behind if it did
          return null;
        },
        (err: Error) => err.message,
      );
      expect(error).toMatch(/server exited with 1/);
      expect(error).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(error).not.toContain('PrefBasis is running');
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 120_000);
});
