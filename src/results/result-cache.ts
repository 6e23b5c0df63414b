// Computed results kept by their inputs' key (settings and data version), so an unchanged batch is
// answered from memory.

/** Results by query and data version; bounded, least recently used first out. */
export class ResultCache {
  private readonly entries = new Map<string, Promise<unknown>>();
  constructor(private readonly capacity: number) {}

  /** Whether `key` is cached (or being computed), without touching its place in the order. */
  peek(key: string): boolean {
    return this.entries.has(key);
  }

  /** The value for `key`, computed once even when asked for twice at the same time. */
  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key) as Promise<T> | undefined;
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = compute();
    this.entries.set(key, value);
    // A failed computation is not kept: the next request tries again.
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}
