// The only reader of process.env: every setting is validated here once, at start.
import { z } from 'zod';
import path from 'node:path';
import { PROJECT_ROOT } from './paths.js';

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  PREFBASIS_DATA_DIR: z.string().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PREFBASIS_DEMO: z.enum(['0', '1']).optional(),
  PREFBASIS_MAX_UPLOAD_MB: z.coerce.number().positive().max(2048).default(200),
  PROLIFIC_COMPLETE_URL: z.string().url().default('https://app.prolific.com/submissions/complete'),
  PUBLIC_BASE_URL: z.string().url().optional(),
  PREFBASIS_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  PREFBASIS_TIMEOUT_SWEEP_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  PROLIFIC_API_TOKEN: z.string().optional().or(z.literal('').transform(() => undefined)),
  PROLIFIC_API_URL: z.string().url().default('https://api.prolific.com/api/v1/'),
  PREFBASIS_PROLIFIC_SYNC_SECONDS: z.coerce.number().int().min(10).max(86_400).default(120),
});

export type DatabaseConfig = { kind: 'postgres'; url: string; poolSize?: number } | { kind: 'embedded'; dataDir: string | null };

export interface AppConfig {
  database: DatabaseConfig;
  port: number;
  host: string;
  production: boolean;
  /** Load the demo dataset and study on first start (default: on for the embedded database). */
  loadDemo: boolean;
  maxUploadBytes: number;
  prolificCompleteUrl: string;
  publicBaseUrl: string | null;
  /**
   * Signs CSRF tokens. PREFBASIS_SECRET when set; otherwise null and the server uses one generated
   * once and kept in the database, so every process (and every restart) accepts the same forms.
   */
  secret: string | null;
  /** Cookies get the Secure flag when the public URL is https. */
  secureCookies: boolean;
  /** How often the server times out participants past their batch's maximum time. */
  timeoutSweepSeconds: number;
  /** Prolific API access (PROLIFIC_API_TOKEN); null: no sync, no review actions on Prolific. */
  prolific: { baseUrl: string; token: string; syncSeconds: number } | null;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const database: DatabaseConfig = e.DATABASE_URL
    ? { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
    : { kind: 'embedded', dataDir: path.resolve(e.PREFBASIS_DATA_DIR ?? path.join(PROJECT_ROOT, '.prefbasis', 'db')) };
  return {
    database,
    port: e.PORT,
    host: e.HOST,
    production: e.NODE_ENV === 'production',
    loadDemo: e.PREFBASIS_DEMO ? e.PREFBASIS_DEMO === '1' : database.kind === 'embedded',
    maxUploadBytes: Math.round(e.PREFBASIS_MAX_UPLOAD_MB * 1024 * 1024),
    prolificCompleteUrl: e.PROLIFIC_COMPLETE_URL,
    publicBaseUrl: e.PUBLIC_BASE_URL ?? null,
    secret: e.PREFBASIS_SECRET ?? null,
    secureCookies: (e.PUBLIC_BASE_URL ?? '').startsWith('https://'),
    timeoutSweepSeconds: e.PREFBASIS_TIMEOUT_SWEEP_SECONDS,
    prolific: e.PROLIFIC_API_TOKEN ? { baseUrl: e.PROLIFIC_API_URL, token: e.PROLIFIC_API_TOKEN, syncSeconds: e.PREFBASIS_PROLIFIC_SYNC_SECONDS } : null,
  };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * In production the pages ask browsers to upgrade every request to https (CSP
 * upgrade-insecure-requests; HSTS is sent in every mode): served over plain http to anything but
 * this machine, styles, scripts and forms fail. Null when that cannot happen.
 */
export function plainHttpWarning(config: Pick<AppConfig, 'production' | 'host' | 'publicBaseUrl'>): string | null {
  if (!config.production || config.publicBaseUrl?.startsWith('https://')) return null;
  if (config.publicBaseUrl === null && LOOPBACK.test(config.host)) return null;
  return `NODE_ENV=production asks browsers to load every page over https, but ${config.publicBaseUrl ? `PUBLIC_BASE_URL is ${config.publicBaseUrl}` : `the server listens on ${config.host} without PUBLIC_BASE_URL`}: raters would get pages without styles and a consent button that does nothing. Put PrefBasis behind a TLS reverse proxy and set PUBLIC_BASE_URL=https://… (docs/deploy.md), or run without NODE_ENV=production.`;
}
