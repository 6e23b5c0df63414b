// Parquet written row group by row group (results/parquet.ts): rows gathered as columns, groups cut
// where the caller says, every value read back by an independent reader (hyparquet).
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import type { ParquetColumn } from '../../src/core/export-format.js';
import { openParquetStream } from '../../src/results/parquet.js';

interface Row {
  id: string;
  n: number;
  at: Date | null;
  tags: string[];
}

const COLUMNS: readonly ParquetColumn<Row>[] = [
  { name: 'id', type: 'string', nullable: false, value: (r) => r.id },
  { name: 'n', type: 'int', nullable: false, value: (r) => r.n },
  { name: 'at', type: 'timestamp', nullable: true, value: (r) => r.at },
  { name: 'tags', type: 'string-list', nullable: false, value: (r) => r.tags },
];

const rowsOf = (count: number): Row[] =>
  Array.from({ length: count }, (_, i) => ({ id: `r${i}`, n: i * 7 - 100, at: i % 3 === 0 ? null : new Date(Date.UTC(2026, 10, 1, 0, 0, i)), tags: Array.from({ length: i % 4 }, (_, k) => `t${k}`) }));

async function written(rows: readonly Row[], groupSize: number): Promise<{ bytes: ArrayBuffer; sends: number }> {
  const pieces: Uint8Array[] = [];
  const stream = openParquetStream(COLUMNS, async (bytes) => {
    pieces.push(bytes);
  });
  for (const row of rows) {
    stream.add(row);
    if (stream.gathered >= groupSize) await stream.writeRowGroup();
  }
  await stream.finish();
  const all = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) all.set(p, (at += p.length) - p.length);
  return { bytes: all.buffer, sends: pieces.length };
}

describe('Parquet streamed by row group', () => {
  it('cuts a group each time the caller writes one, the rest in the last, and reads back every value', async () => {
    const rows = rowsOf(2_345);
    const { bytes, sends } = await written(rows, 1000);
    const metadata = parquetMetadata(bytes);
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([1000, 1000, 345]);
    // Each group went out as it was encoded (the header with the first), then the footer.
    expect(sends).toBe(4);
    const read = await parquetReadObjects({ file: bytes });
    expect(read).toHaveLength(rows.length);
    read.forEach((r, i) => {
      const row = rows[i]!;
      expect([i, r.id, r.n, r.at === null ? null : (r.at as Date).getTime(), r.tags]).toEqual([i, row.id, row.n, row.at?.getTime() ?? null, row.tags]);
    });
  });

  it('writes no empty group: a write with nothing gathered, or a finish right after a group, adds none', async () => {
    const { bytes } = await written(rowsOf(2000), 1000);
    expect(parquetMetadata(bytes).row_groups.map((g) => Number(g.num_rows))).toEqual([1000, 1000]);
    const empty = await written([], 1000);
    expect(parquetMetadata(empty.bytes).row_groups).toEqual([]);
  });
});
