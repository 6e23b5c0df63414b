// At most `limit` of a kind of work at once in this process (worker threads, each with a database
// connection of its own); later ones wait their turn in arrival order.

/** Waits for a turn; call the returned function to give it back. */
export type TakeTurn = () => Promise<() => void>;

export function turns(limit: number): TakeTurn {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async () => {
    // A freed turn is handed to the next in line directly, so nobody arriving meanwhile takes it too.
    if (running < limit) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = waiting.shift();
      if (next) next();
      else running--;
    };
  };
}
