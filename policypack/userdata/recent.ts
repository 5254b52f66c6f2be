/**
 * Results of a pure function of a text, kept for the last few texts. The same text recurs across a stack's
 * resources: an image's own file on every node, the script part that every node group's user data shares.
 * Found by length, then compared whole: a text sliced from fresh user data has no hash yet, and computing one
 * reads it character by character, where comparing equal lengths is a memory compare. Results are shared, so
 * callers never change them.
 */
export class RecentTexts<R> {
  private readonly entries: { text: string; variant: string; result: R }[] = [];

  constructor(
    private readonly capacity: number,
    /** Longer texts are computed every time: a cache of large texts would hold large results. */
    private readonly maxText: number,
  ) {}

  /** The result for `text` (and `variant`, what else the function depends on), computed on a miss. */
  get(text: string, variant: string, compute: (text: string) => R): R {
    if (text.length > this.maxText) return compute(text);
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i];
      if (entry.text.length === text.length && entry.variant === variant && entry.text === text) return entry.result;
    }
    // A text sliced from the user data keeps all of it alive, and so would every string the result slices
    // from it: the cached text is a copy of its own.
    const own = Buffer.from(text, "utf16le").toString("utf16le");
    const result = compute(own);
    if (this.entries.length >= this.capacity) this.entries.shift();
    this.entries.push({ text: own, variant, result });
    return result;
  }
}
