// Maps Prisma's error codes to typed facts, so no caller matches message text.

/**
 * True when the error is a unique-constraint violation, optionally on the given field: Prisma's
 * P2002, or the drivers' SQLSTATE 23505 (whose constraint is named after its table and columns).
 */
export function isUniqueViolation(err: unknown, field?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, constraint } = err as { code?: unknown; constraint?: unknown };
  if (code === '23505') return !field || (typeof constraint === 'string' && constraint.includes(field));
  if (code !== 'P2002') return false;
  if (!field) return true;
  const meta = (err as { meta?: { target?: unknown; driverAdapterError?: { cause?: { constraint?: { fields?: unknown } } } } }).meta;
  const targets = [meta?.target, meta?.driverAdapterError?.cause?.constraint?.fields].flat().filter(Boolean).map(String);
  return targets.length === 0 || targets.some((t) => t.includes(field));
}

/** PostgreSQL SQLSTATEs worth a retry: the backend went away (57P0x, 08xxx) or the transaction lost a race (40001, 40P01). */
const TRANSIENT_SQLSTATE = /^(57P0[1-3]|08[0-9A-Z]{3}|40001|40P01)$/;
/** Prisma's codes for the same situations: unreachable, timed out, closed, pool timeout, transaction API, write conflict. */
const TRANSIENT_PRISMA = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2034']);
const TRANSIENT_ADAPTER_KIND = new Set(['ConnectionClosed', 'DatabaseNotReachable', 'SocketTimeout', 'TransactionWriteConflict', 'TooManyConnections']);
const TRANSIENT_SOCKET = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
// node-postgres raises these without any code (a connection died mid-query, the pool had none free
// in time): the message is all there is.
const TRANSIENT_PG_MESSAGE = /Connection terminated|Client has encountered a connection error|terminating connection|timeout exceeded when trying to connect/i;

/**
 * True when a database error is worth retrying: the connection was lost (restart, failover,
 * pg_terminate_backend, idle-in-transaction timeout) or the transaction lost a serialization race.
 * Looks through Prisma's wrappers (meta.driverAdapterError.cause) and `cause` chains.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  return errorChain(err).some((o) => {
    const codes = [o.code, o.originalCode].filter((c): c is string => typeof c === 'string');
    if (codes.some((c) => TRANSIENT_SQLSTATE.test(c) || TRANSIENT_PRISMA.has(c) || TRANSIENT_SOCKET.has(c))) return true;
    if (typeof o.kind === 'string' && TRANSIENT_ADAPTER_KIND.has(o.kind)) return true;
    return typeof o.message === 'string' && TRANSIENT_PG_MESSAGE.test(o.message);
  });
}

interface ErrorLink {
  code?: unknown;
  originalCode?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown; code?: unknown };
}

/** The error and everything it wraps: Prisma's meta.driverAdapterError, the adapter's cause, `cause` chains. */
function errorChain(err: unknown): ErrorLink[] {
  const links: ErrorLink[] = [];
  const stack: unknown[] = [err];
  while (stack.length) {
    const e = stack.pop();
    if (typeof e !== 'object' || e === null || links.includes(e as ErrorLink)) continue;
    const link = e as ErrorLink;
    links.push(link);
    stack.push(link.cause, link.meta?.driverAdapterError);
  }
  return links;
}

/**
 * Runs an idempotent database step, retrying transient failures a bounded number of times with a
 * short growing, jittered pause (a restarted or failed-over server needs a moment). Other errors, and the
 * last transient one, propagate.
 */
export async function withRetry<T>(step: () => Promise<T>, attempts = 4, pauseMs = 50): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (attempt >= attempts || !isTransientDatabaseError(err)) throw err;
      // Jitter, so that raters who collided do not all come back at the same moment.
      await new Promise((resolve) => setTimeout(resolve, pauseMs * attempt * (0.5 + Math.random())));
    }
  }
}

/** SQLSTATEs of values PostgreSQL cannot store as given: a NUL in text, an unmappable character, an index row or string too long. */
const UNSTORABLE_SQLSTATE = new Set(['22021', '22P05', '54000', '22001']);

/** True when the database refused a value itself (not a fault of the server): the client should be told, not a 500. */
export function isUnstorableValueError(err: unknown): boolean {
  return errorChain(err).some(
    (o) => [o.code, o.originalCode, o.meta?.code].some((c) => typeof c === 'string' && UNSTORABLE_SQLSTATE.has(c)) || o.kind === 'LengthMismatch',
  );
}
