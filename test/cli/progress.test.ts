// Progress on a terminal only: a bar or a step line on stderr when it is a TTY, nothing when piped
// or when the command runs through a server.
import { describe, expect, it } from 'vitest';
import { progressBar, stepLine } from '../../src/cli/progress.js';

function fakeTerminal(): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  return { written, stream: { isTTY: true, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream };
}

describe('progress', () => {
  it('draws a bar and the steps on a terminal, ending the line when done', () => {
    const t = fakeTerminal();
    const bar = progressBar({ terminal: () => t.stream }, 'Exporting');
    bar(5, 10);
    bar(12, 10);
    expect(t.written[0]).toBe(`\rExporting [${'#'.repeat(15)}${'-'.repeat(15)}] 5/10`);
    expect(t.written.at(-1)).toBe('\n');
    const steps = stepLine({ terminal: () => t.stream }, 'Creating');
    steps(3, 3, 'freezing 40 tasks');
    expect(t.written.slice(-2)).toEqual(['\r\x1b[2KCreating 3/3: freezing 40 tasks', '\n']);
  });

  it('stays silent without a terminal', () => {
    expect(() => progressBar({ terminal: () => null }, 'x')(1, 2)).not.toThrow();
    expect(() => stepLine({}, 'x')(1, 2, 'y')).not.toThrow();
  });
});
