// Maps Prisma's error codes to typed facts, so no caller matches message text.

/** True when the error is a unique-constraint violation (P2002), optionally on the given field. */
export function isUniqueViolation(err: unknown, field?: string): boolean {
  if (typeof err !== 'object' || err === null || (err as { code?: unknown }).code !== 'P2002') return false;
  if (!field) return true;
  const meta = (err as { meta?: { target?: unknown; driverAdapterError?: { cause?: { constraint?: { fields?: unknown } } } } }).meta;
  const targets = [meta?.target, meta?.driverAdapterError?.cause?.constraint?.fields].flat().filter(Boolean).map(String);
  return targets.length === 0 || targets.some((t) => t.includes(field));
}
