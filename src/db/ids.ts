// Random identifiers: unguessable, URL-safe, and never derived from what they identify.
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'; // no 0/o/1/l: ids get read aloud and typed

/** `prefix_` + `length` random characters (5 bits each). */
export function newId(prefix: string, length = 16): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[(bytes[i] as number) & 31];
  return `${prefix}_${out}`;
}
