// Real Chromium (Debian package) driven by playwright-core, and the app served on a local port.
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import { chromium, type Browser } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/paths.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(PROJECT_ROOT, 'test', 'artifacts');

/** Browser tests run when Chromium is installed; CI (PREFBASIS_REQUIRE_BROWSER=1) fails without it. */
export const browserAvailable = existsSync(CHROMIUM);
if (!browserAvailable && process.env.PREFBASIS_REQUIRE_BROWSER === '1') {
  throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
}

export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

export function serve(handler: Express | http.RequestListener): Promise<Served> {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
