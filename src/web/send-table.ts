// An analysis table as a CSV download (small: one figure per row, sent at once).
import type { Response } from 'express';
import type { AnalysisTable } from '../core/analysis-csv.js';
import { csvRecord } from '../core/export-format.js';

export function sendCsvTable(res: Response, filename: string, table: AnalysisTable): void {
  res.set('Content-Type', 'text/csv; charset=utf-8');
  res.set('Content-Disposition', `attachment; filename="${filename}"`);
  res.send(csvRecord(table.header) + table.rows.map(csvRecord).join(''));
}
