// express-rate-limit store backed by the database: two processes behind one load balancer share limits.
import type { IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Prisma } from '../../db/connection.js';
import { countRateLimitHit, deleteExpiredRateLimits, resetRateLimit, uncountRateLimitHit } from '../../db/rate-limits.js';

/**
 * Where rate limits count hits: in the database on PostgreSQL, so that every process behind a load
 * balancer shares them; undefined (express-rate-limit's memory store) on the embedded database,
 * which only one process can open.
 */
export type RateLimitStoreFactory = (prefix: string) => Store | undefined;

export class DatabaseRateLimitStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly prisma: Prisma,
    /** Keeps the keys of different limiters apart (`entry:`, `sign-in:`). */
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
    // Expired windows are swept now and then; unref so the timer never keeps a process alive.
    this.sweeper = setInterval(() => void deleteExpiredRateLimits(this.prisma, new Date()).catch(() => {}), Math.max(this.windowMs, 60_000));
    this.sweeper.unref();
  }

  async increment(key: string): Promise<IncrementResponse> {
    const count = await countRateLimitHit(this.prisma, this.prefix + key, this.windowMs, new Date());
    return { totalHits: count.hits, resetTime: count.resetAt };
  }

  async decrement(key: string): Promise<void> {
    await uncountRateLimitHit(this.prisma, this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await resetRateLimit(this.prisma, this.prefix + key);
  }

  shutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }
}
