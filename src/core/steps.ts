// Stepwise computations: a generator that yields between steps, so a server can spread long pure
// work over many turns of its event loop (run-in-slices.ts) while a script or test runs it at once.

export type Steps<T> = Generator<void, T>;

/** Runs a stepwise computation to its end at once. */
export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
