import { describe, expect, it } from 'vitest';
import { formatLineErrors, parseDatasetJsonl, parseDatasetSteps } from '../../src/core/dataset-format.js';
import { arenaSampleText } from '../helpers/shared-data.js';
import { datasetLine, toJsonlText } from '../helpers/datasets.js';

describe('parseDatasetJsonl', () => {
  it('numbers physical lines whatever the line ends (LF, CRLF, blank lines, no final newline)', () => {
    const lines = [JSON.stringify(datasetLine(1)), '', JSON.stringify(datasetLine(3)), '{broken', JSON.stringify(datasetLine(5, { winner: 'tie' }))];
    for (const text of [lines.join('\n'), lines.join('\r\n'), lines.join('\r\n') + '\r\n', lines.join('\n') + '\n\n']) {
      const result = parseDatasetJsonl(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors.map((e) => e.line)).toEqual([4, 5]);
    }
    const clean = parseDatasetJsonl([lines[0], '', lines[2]].join('\r\n'));
    expect(clean.ok && clean.datapoints.map((d) => [d.lineNumber, d.sourceId])).toEqual([[1, 't-1'], [3, 't-3']]);
  });

  it('as steps, gives the event loop a turn every 200 lines and the same result', () => {
    const text = toJsonlText(Array.from({ length: 1_000 }, (_, i) => datasetLine(i)));
    const steps = parseDatasetSteps(text);
    let yields = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) yields++;
    expect(yields).toBe(5);
    expect(step.value).toEqual(parseDatasetJsonl(text));
  });

  it('accepts the real arena sample with all 100 datapoints', () => {
    const result = parseDatasetJsonl(arenaSampleText());
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.datapoints).toHaveLength(100);
      expect(result.datapoints[0]?.sourceId).toBe('autoj-test-0920');
    }
  });

  it('reports every problem with its line number and field', () => {
    const text = toJsonlText([
      datasetLine(1),
      datasetLine(2, { winner: 'tie' }),
      '{not json',
      datasetLine(4, { preferences: [] }),
      datasetLine(5, { prompt: '   ' }),
      datasetLine(1, {}),
    ]);
    const result = parseDatasetJsonl(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lines = formatLineErrors(result.errors);
    expect(lines).toEqual([
      expect.stringMatching(/^line 2: winner: must be "model_a" or "model_b"/),
      expect.stringMatching(/^line 3: \(line\): not valid JSON/),
      'line 4: preferences: needs at least one preference category',
      'line 5: prompt: must be a non-empty string',
      'line 6: id: "t-1" is already used on line 1; ids must be unique',
    ]);
  });

  it('names the nested field of a bad granular phrase', () => {
    const result = parseDatasetJsonl(toJsonlText([datasetLine(1, { preferences: [{ category: 'Clarity', granular: ['ok', ''] }] })]));
    expect(result.ok ? [] : formatLineErrors(result.errors)).toEqual(['line 1: preferences.0.granular.1: must be a non-empty string']);
  });

  it('rejects a category listed twice under different spellings', () => {
    const prefs = [
      { category: 'Clarity', granular: ['a'] },
      { category: ' clarity ', granular: ['b'] },
    ];
    const result = parseDatasetJsonl(toJsonlText([datasetLine(1, { preferences: prefs })]));
    expect(result.ok ? [] : formatLineErrors(result.errors)).toEqual([
      'line 1: preferences.1.category: "clarity" repeats preferences.0.category; merge their granular lists',
    ]);
  });

  it('keeps responses verbatim but trims labels and phrases', () => {
    const result = parseDatasetJsonl(
      toJsonlText([datasetLine(1, { response_a: '  code\n  block\n', topic_category: ' Health ', preferences: [{ category: ' Clarity', granular: [' x '] }] })]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.datapoints[0]).toMatchObject({ responseA: '  code\n  block\n', topicCategory: 'Health', preferences: [{ category: 'Clarity', granular: ['x'] }] });
  });

  it('rejects an empty file', () => {
    const result = parseDatasetJsonl('\n\n');
    expect(result.ok ? [] : formatLineErrors(result.errors)).toEqual([
      'line 1: (file): the file has no datapoints; expected one JSON object per line',
    ]);
  });

  it('shows the first 50 errors and counts the rest', () => {
    const text = toJsonlText(Array.from({ length: 70 }, (_, i) => datasetLine(i, { winner: 'x' })));
    const result = parseDatasetJsonl(text);
    const lines = result.ok ? [] : formatLineErrors(result.errors, result.errorCount);
    expect(lines).toHaveLength(51);
    expect(lines[50]).toBe('… and 20 more errors (70 in all)');
  });

  it('keeps the first 50 problems of a hopeless file and counts the rest', () => {
    const result = parseDatasetJsonl('{}\n'.repeat(3000));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(50);
    expect(result.errorCount).toBeGreaterThan(3000);
    const lines = formatLineErrors(result.errors, result.errorCount);
    expect(lines).toHaveLength(51);
    expect(lines[50]).toMatch(new RegExp(`and ${result.errorCount - 50} more errors \\(${result.errorCount} in all\\)`));
  });
});
