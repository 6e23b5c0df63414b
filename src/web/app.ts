// Builds the Express application from its dependencies; never listens (server.ts does).
import express, { type Express } from 'express';
import { localCliRouter, type LocalCliDeps } from './routes/local-cli.js';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import type { AppConfig } from '../config.js';
import type { Database } from '../db/connection.js';
import type { ProlificClient } from '../prolific/client.js';
import { PUBLIC_DIR, VIEWS_DIR } from '../paths.js';
import { errorHandler, notFound, rejectMalformedUrl } from './middleware/error-handler.js';
import { DatabaseRateLimitStore, type RateLimitStoreFactory } from './middleware/rate-limit-store.js';
import { apiRouter } from './routes/api.js';
import { consoleRouter } from './routes/console.js';
import { homeRouter } from './routes/home.js';
import { participantRouter } from './routes/participant.js';

export interface AppDeps {
  db: Database;
  /** `secret` resolved: PREFBASIS_SECRET or the one kept in the database (server.ts). */
  config: Pick<AppConfig, 'production' | 'maxUploadBytes' | 'prolificCompleteUrl' | 'publicBaseUrl' | 'secureCookies' | 'loadDemo'> & { secret: string };
  log?: (err: unknown) => void;
  /** Prolific API access; null or absent when PROLIFIC_API_TOKEN is not set. */
  prolific?: ProlificClient | null;
  /** The local CLI relay (embedded database only: the server holds it, so the CLI runs through it). */
  localCli?: LocalCliDeps | null;
}

export function createApp({ db, config, log, prolific = null, localCli = null }: AppDeps): Express {
  const app = express();
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'", 'https://app.prolific.com'],
          upgradeInsecureRequests: config.production ? [] : null,
        },
      },
    }),
  );
  app.use(rejectMalformedUrl);
  app.use('/static', express.static(PUBLIC_DIR, { maxAge: config.production ? '1h' : 0, index: false }));
  app.use(cookieParser());
  const rateLimitStore: RateLimitStoreFactory = (prefix) => (db.kind === 'postgres' ? new DatabaseRateLimitStore(db.prisma, prefix) : undefined);
  app.use('/api/v1', apiRouter(db.prisma, { maxUploadBytes: config.maxUploadBytes, publicBaseUrl: config.publicBaseUrl, sql: db.sql, prolific }));
  app.use('/s', participantRouter(db, { prolificCompleteUrl: config.prolificCompleteUrl, rateLimitStore, prolific, log: log ?? ((err: unknown) => console.error(err)) }));
  app.use('/console', consoleRouter(db.prisma, { ...config, rateLimitStore, sql: db.sql, prolific }));
  if (localCli) app.use('/local', localCliRouter(localCli));
  app.use('/', homeRouter(db.prisma, { showDemo: config.loadDemo }));
  app.use(notFound);
  app.use(errorHandler({ production: config.production, log }));
  return app;
}
