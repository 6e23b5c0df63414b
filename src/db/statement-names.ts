// Names for prepared statements: each connection parses and plans a named statement once instead
// of on every call, which is most of PostgreSQL's work for the raters' short statements.
import { createHash } from 'node:crypto';

const names = new Map<string, string>();
/** Statement texts seen so far; past this many the cache starts again (texts are a bounded set in practice). */
const MAX_NAMES = 2_000;

/**
 * The statement's name, or '' (PostgreSQL's unnamed statement, parsed for this call only) for
 * statements with many parameters, whose texts vary with the length of a list.
 */
export function preparedStatementName(query: { sql: string; args: readonly unknown[] }): string {
  if (query.args.length > 32) return '';
  let name = names.get(query.sql);
  if (name === undefined) {
    if (names.size >= MAX_NAMES) names.clear();
    name = `pb_${createHash('sha1').update(query.sql).digest('base64url').slice(0, 22)}`;
    names.set(query.sql, name);
  }
  return name;
}
