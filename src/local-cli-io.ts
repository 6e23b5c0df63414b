// The CliIo of a command run through the server (issue 12.1): the server's open database (never
// closed by the command), the caller's output, password and API keys, the server's public address.
import { Writable } from 'node:stream';
import type { CliIo } from './cli/context.js';
import { CliError } from './cli/context.js';
import type { Database } from './db/connection.js';
import type { ProlificClient } from './prolific/client.js';
import type { RemoteCaller } from './web/routes/local-cli.js';

export function relayedIo(caller: RemoteCaller, server: { db: Database; baseUrl: string; prolific: ProlificClient | null }): CliIo {
  return {
    out: caller.out,
    err: caller.err,
    stdout: new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        caller.write(chunk.toString());
        done();
      },
    }),
    readSecret: async () => {
      if (caller.secret === null) throw new CliError('No password was given: pipe it on standard input.');
      return caller.secret;
    },
    openDatabase: async () => ({ ...server.db, close: async () => {} }),
    baseUrl: () => server.baseUrl,
    prolific: () => server.prolific,
    env: (name) => caller.env[name],
    stopRequested: caller.gone,
  };
}
