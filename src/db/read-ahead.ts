// Pages read one ahead: the next page's statement runs while the caller works on this one
// (PostgreSQL and the caller's formatting each have a core).

/** Yields `first` and each page `after` gives, until a page is null; each is read while the one before is used. */
export async function* readAhead<P>(first: Promise<P | null>, after: (page: P) => Promise<P | null>): AsyncGenerator<P> {
  for (let next = first; ; ) {
    const page = await next;
    if (page === null) return;
    next = after(page);
    // A caller that stops early (a download cut) leaves the read ahead unawaited: not an error.
    next.catch(() => {});
    yield page;
  }
}
