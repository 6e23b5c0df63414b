// Small results sent at once: an analysis table as a CSV download, a chart as SVG.
import type { Response } from 'express';
import type { AnalysisTable } from '../core/analysis-csv.js';
import { csvRecord } from '../core/export-format.js';
import { EXPORT_CONTENT_TYPE } from '../results/exports.js';

export function sendCsvTable(res: Response, filename: string, table: AnalysisTable): void {
  res.set('Content-Type', EXPORT_CONTENT_TYPE.csv);
  res.set('Content-Disposition', `attachment; filename="${filename}"`);
  res.send(csvRecord(table.header) + table.rows.map(csvRecord).join(''));
}

/** A chart: shown in the page, or a download named `filename` when asked (`?download=1`). */
export function sendSvg(res: Response, svg: string, download: { filename: string } | null = null): void {
  res.type('image/svg+xml');
  if (download) res.set('Content-Disposition', `attachment; filename="${download.filename}"`);
  res.send(svg);
}
