// Rate-limit counters in the database, so that every server process on it counts the same hits.
import type { Prisma } from './connection.js';

export interface RateLimitCount {
  hits: number;
  resetAt: Date;
}

/** Counts one hit for `key` in its current window (a new window starts once the old one ended). */
export async function countRateLimitHit(prisma: Prisma, key: string, windowMs: number, now: Date): Promise<RateLimitCount> {
  const resetAt = new Date(now.getTime() + windowMs);
  // One upsert: concurrent hits from two processes serialise on the row, none is lost.
  const rows = await prisma.$queryRaw<{ hits: number; reset_at: Date }[]>`
    INSERT INTO rate_limit_hits (key, hits, reset_at) VALUES (${key}, 1, ${resetAt})
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN rate_limit_hits.reset_at <= ${now} THEN 1 ELSE rate_limit_hits.hits + 1 END,
      reset_at = CASE WHEN rate_limit_hits.reset_at <= ${now} THEN EXCLUDED.reset_at ELSE rate_limit_hits.reset_at END
    RETURNING hits, reset_at`;
  const row = rows[0];
  if (!row) throw new Error(`rate limit upsert for ${key} returned no row`);
  return { hits: Number(row.hits), resetAt: new Date(row.reset_at) };
}

/** Takes one hit back (a request the limiter is told not to count, e.g. a successful sign-in). */
export async function uncountRateLimitHit(prisma: Prisma, key: string): Promise<void> {
  await prisma.rateLimitHit.updateMany({ where: { key, hits: { gt: 0 } }, data: { hits: { decrement: 1 } } });
}

export async function resetRateLimit(prisma: Prisma, key: string): Promise<void> {
  await prisma.rateLimitHit.deleteMany({ where: { key } });
}

/** Removes the counters of windows that ended (they would restart at 1 anyway). */
export async function deleteExpiredRateLimits(prisma: Prisma, now: Date): Promise<number> {
  const { count } = await prisma.rateLimitHit.deleteMany({ where: { resetAt: { lte: now } } });
  return count;
}
