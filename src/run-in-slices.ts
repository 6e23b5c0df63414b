// Runs a stepwise computation (a generator, as core's metricsSteps) in slices of a few
// milliseconds, giving the event loop back between them: a large bootstrap never holds up the
// raters' requests for more than one slice.
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Milliseconds of work before the event loop gets a turn. */
export const SLICE_MS = 10;

export async function runInSlices<T>(steps: Generator<void, T>, sliceMs = SLICE_MS): Promise<T> {
  let deadline = performance.now() + sliceMs;
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() >= deadline) {
      await nextTurn();
      deadline = performance.now() + sliceMs;
    }
  }
}
