import type { Row, TargetKeyLookup, WriteResult, Writer } from '../connectors/sdk/index.ts';

/**
 * The target keys of the rows the writer refused during the run. They are dirty (kept with their reason), so their
 * absence from the target is expected: the integrity check must not count them missing nor write them again.
 * One short key text per refused row is held, never the rows.
 */
export class RejectedKeys {
  private readonly keys = new Set<string>();

  has(key: string): boolean {
    return this.keys.has(key);
  }

  get size(): number {
    return this.keys.size;
  }

  /** Wrap `writer` so that every row it refuses has its key noted here; everything else passes through unchanged. */
  track(writer: Writer): Writer {
    let lookup: TargetKeyLookup | undefined | null = null;
    const note = (rows: Row[], result: WriteResult | undefined): void => {
      const rejected = result?.rejected;
      if (!Array.isArray(rejected) || rejected.length === 0) return;
      if (lookup === null) lookup = writer.keyLookup?.();
      if (!lookup) return;
      for (const r of rejected) {
        const row = Number.isInteger(r?.index) ? rows[r.index] : undefined;
        const key = row ? lookup.keyOf(row) : null;
        if (key !== null) this.keys.add(key);
      }
    };
    const tracked: Writer = {
      open: () => writer.open(),
      write: async (rows) => {
        const result = await writer.write(rows);
        note(rows, result);
        return result;
      },
      flush: () => writer.flush(),
      close: () => writer.close(),
    };
    if (writer.connect) tracked.connect = () => writer.connect?.();
    if (writer.finish) tracked.finish = () => (writer.finish as () => Promise<void>).call(writer);
    if (writer.keyLookup) tracked.keyLookup = () => writer.keyLookup?.();
    if (writer.durableOnlyAfterFinish) return { ...tracked, durableOnlyAfterFinish: true };
    return tracked;
  }
}
