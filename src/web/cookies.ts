// The one way to read a cookie: its value only if it has the shape the reader expects (a cookie
// is client input like any other).
import type { Request } from 'express';
import type { z } from 'zod';

export function readCookie<T>(req: Request, name: string, schema: z.ZodType<T>): T | null {
  const parsed = schema.safeParse((req.cookies as Record<string, unknown> | undefined)?.[name]);
  return parsed.success ? parsed.data : null;
}
