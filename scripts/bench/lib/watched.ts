// Measures a piece of work in this process: its time, the event loop's longest and p99 delays
// while it runs, and the RSS growth (sampled every 20 ms, from a collected heap when --expose-gc).
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface Watched<T> {
  ms: number;
  maxDelayMs: number;
  p99DelayMs: number;
  rssGrowthMb: number;
  value: T;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

export async function watched<T>(work: () => Promise<T>): Promise<Watched<T>> {
  (globalThis as { gc?: () => void }).gc?.();
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  histogram.enable();
  const { ms, value } = await timed(work);
  histogram.disable();
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms, maxDelayMs: histogram.max / 1e6, p99DelayMs: histogram.percentile(99) / 1e6, rssGrowthMb: (peak - rss0) / 1e6, value };
}
