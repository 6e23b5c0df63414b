// PostgreSQL's COPY text format, for bulk loads (`COPY … FROM STDIN`): a row is its fields joined
// by tabs and ended by a newline; NULL is \N; backslash, tab, newline and carriage return are
// escaped with a backslash. Loading a dataset this way costs PostgreSQL about what a plain COPY of
// the file does, where one INSERT per chunk cost ~5 × (scripts/bench/import.ts).

export type CopyValue = string | number | boolean | null;

const SPECIAL = /[\\\t\n\r]/;

function copyField(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`COPY field: ${value} is not a finite number`);
    return String(value);
  }
  // Four native replaces beat one with a callback on texts with many line breaks; the backslash goes first.
  if (!SPECIAL.test(value)) return value;
  return value.replaceAll('\\', '\\\\').replaceAll('\t', '\\t').replaceAll('\n', '\\n').replaceAll('\r', '\\r');
}

/** One row in COPY text format, newline included. */
export function copyTextRow(values: readonly CopyValue[]): string {
  return `${values.map(copyField).join('\t')}\n`;
}

