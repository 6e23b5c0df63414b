// Parquet files written row group by row group to any writable (HTTP response, file), waiting for
// it to drain between groups: memory holds one group, whatever the export's size. The columns and
// their types come from core (export-format.ts); this module only speaks Parquet.
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { ParquetColumn } from '../core/export-format.js';

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number];

/** The Parquet schema of `columns`: UTF-8 strings, INT32, DOUBLE, BOOLEAN, UTC millisecond timestamps and 3-level string lists. */
export function parquetSchema(columns: readonly ParquetColumn<never>[]): SchemaElement[] {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const c of columns) {
    const repetition_type = c.nullable ? 'OPTIONAL' : 'REQUIRED';
    switch (c.type) {
      case 'string':
        schema.push({ name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type });
        break;
      case 'int':
        schema.push({ name: c.name, type: 'INT32', repetition_type });
        break;
      case 'double':
        schema.push({ name: c.name, type: 'DOUBLE', repetition_type });
        break;
      case 'boolean':
        schema.push({ name: c.name, type: 'BOOLEAN', repetition_type });
        break;
      case 'timestamp':
        schema.push({ name: c.name, type: 'INT64', repetition_type, logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' } });
        break;
      case 'string-list':
        schema.push(
          { name: c.name, repetition_type, converted_type: 'LIST', num_children: 1 },
          { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
          { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
        );
        break;
    }
  }
  return schema;
}

/** A byte writer that hands each finished row group to `out` and waits while `out` is full. */
class StreamingByteWriter extends ByteWriter {
  constructor(private readonly send: (bytes: Uint8Array) => Promise<void>) {
    super();
  }

  flush(): Promise<void> {
    // A copy: the buffer is reused for the next group while `out` may still hold these bytes.
    const bytes = new Uint8Array(this.buffer.slice(0, this.index));
    this.index = 0;
    return this.send(bytes);
  }

  override finish(): Promise<void> {
    return this.flush();
  }
}

export interface ParquetStream<R> {
  /** Adds a row to the row group being gathered: its column values are kept, not the row. */
  add(row: R): void;
  /** Rows gathered for the next row group. */
  readonly gathered: number;
  /** Encodes the gathered rows as one row group and sends it. */
  writeRowGroup(): Promise<void>;
  /** Writes what is still gathered, then the footer (schema, row group index), and sends them. */
  finish(): Promise<void>;
}

export function openParquetStream<R>(columns: readonly ParquetColumn<R>[], send: (bytes: Uint8Array) => Promise<void>): ParquetStream<R> {
  const writer = new ParquetWriter({ writer: new StreamingByteWriter(send), schema: parquetSchema(columns as readonly ParquetColumn<never>[]), createdBy: 'PrefBasis' });
  // A group gathered as columns: an export's rows (30 fields each) die with their page instead of
  // waiting for their group.
  let values: unknown[][] = columns.map(() => []);
  let gathered = 0;
  const writeRowGroup = async () => {
    if (gathered === 0) return;
    const columnData = columns.map((c, i) => ({ name: c.name, data: values[i]! }));
    const rowGroupSize = gathered;
    values = columns.map(() => []);
    gathered = 0;
    await writer.write({ columnData, rowGroupSize });
  };
  return {
    add(row) {
      for (let i = 0; i < columns.length; i++) values[i]!.push(columns[i]!.value(row));
      gathered++;
    },
    get gathered() {
      return gathered;
    },
    writeRowGroup,
    async finish() {
      await writeRowGroup();
      await writer.finish();
    },
  };
}
