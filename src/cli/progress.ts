// Progress on a terminal (stderr), silent when output is piped or the command runs through a server.
import type { CliIo } from './context.js';

const terminalOf = (io: Pick<CliIo, 'terminal'>) => io.terminal?.() ?? null;

export function progressBar(io: Pick<CliIo, 'terminal'>, label: string): (done: number, total: number) => void {
  const stream = terminalOf(io);
  if (!stream) return () => {};
  const width = 30;
  return (done, total) => {
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(ratio * width);
    stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`);
    if (done >= total) stream.write('\n');
  };
}

/** Step n of m of a long command on one terminal line (stderr), silent when output is piped. */
export function stepLine(io: Pick<CliIo, 'terminal'>, label: string): (step: number, of: number, what: string) => void {
  const stream = terminalOf(io);
  if (!stream) return () => {};
  return (step, of, what) => {
    stream.write(`\r\x1b[2K${label} ${step}/${of}: ${what}`);
    if (step >= of) stream.write('\n');
  };
}
