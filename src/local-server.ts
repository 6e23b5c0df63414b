// The note a server on the embedded database leaves beside it (`<data dir>.server.json`, readable by
// its user only): where it listens and the key that lets this machine's CLI run commands through it
// while it holds the database (issue 12.1).
import { createHmac } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export interface LocalServer {
  pid: number;
  url: string;
  key: string;
}

const localServerSchema = z.object({ pid: z.number().int().positive(), url: z.string().url(), key: z.string().min(32) });

const fileOf = (dataDir: string) => `${dataDir}.server.json`;

export function writeLocalServer(dataDir: string, server: LocalServer): void {
  writeFileSync(fileOf(dataDir), JSON.stringify(server), { mode: 0o600 });
}

export function removeLocalServer(dataDir: string): void {
  rmSync(fileOf(dataDir), { force: true });
}

/** The server now running on this data dir, or null (no note, a broken one, or its process gone). */
export function findLocalServer(dataDir: string): LocalServer | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(fileOf(dataDir), 'utf8'));
  } catch {
    return null;
  }
  const server = localServerSchema.safeParse(parsed);
  if (!server.success) return null;
  try {
    process.kill(server.data.pid, 0);
  } catch {
    return null;
  }
  return server.data;
}

/** What the server answers to a nonce: only the holder of the key can, so the CLI knows whom it talks to. */
export function keyProof(key: string, nonce: string): string {
  return createHmac('sha256', key).update(nonce).digest('hex');
}

/** The URL this machine reaches a server at: a wildcard address means loopback; IPv6 in brackets. */
export function localUrlOf(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
