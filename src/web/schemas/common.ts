// Shared zod schemas for params and queries, and a parse helper that turns failures into 400s.
import { z } from 'zod';
import { HttpError } from '../http-error.js';

/** An id or name in a path: no control characters (a NUL would reach PostgreSQL, which refuses it). */
export const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters'),
});

/** An id of a row in a path (token, participant): word characters, as newId makes them. */
const rowId = z.string().regex(/^[\w-]{1,64}$/, 'is not an id');
export const participantParam = z.object({ participantId: rowId });
export const tokenParam = z.object({ id: rowId });

export { datasetNameSchema } from '../../core/dataset-format.js';
export { seedSchema } from '../../core/batch-settings.js';

/** Parses `value` or throws a 400 that lists every field problem. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${where}${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`);
  throw new HttpError(400, 'invalid_request', problems.join('; '), { problems });
}

/** A JSON body that parsed but does not validate is a 422 (DECISIONS), with every field problem. */
export function parseBodyOr422<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `body${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`);
  throw new HttpError(422, 'invalid_body', problems.join('; '), { problems });
}
