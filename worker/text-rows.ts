import type { TextRows } from '../connectors/sdk/index.ts';

/**
 * A reader's `SourceBatch.text` has the shape the writers index into (one start and length per field); with
 * `eachField`, also every field inside its row's chunk. The built-in readers' rows are checked without that walk
 * over every field, a tenth of a second a million rows.
 */
export function isTextRows(v: unknown, eachField = true): v is TextRows {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Partial<TextRows>;
  if (!Array.isArray(t.columns) || typeof t.count !== 'number' || !Number.isInteger(t.count) || t.count < 0) return false;
  if (!Array.isArray(t.chunks) || !t.chunks.every((c) => Buffer.isBuffer(c))) return false;
  if (!(t.chunkOf instanceof Int32Array) || !(t.start instanceof Int32Array) || !(t.length instanceof Int32Array)) return false;
  const fields = t.count * t.columns.length;
  if (t.chunkOf.length !== t.count || t.start.length !== fields || t.length.length !== fields) return false;
  if (typeof t.records !== 'function' || typeof t.zone !== 'object' || t.zone === null) return false;
  if (!eachField) return true;
  // Every field inside its row's chunk: a writer copies these bytes without looking again.
  const cols = t.columns.length;
  for (let r = 0, i = 0; r < t.count; r++) {
    const chunk = t.chunks[t.chunkOf[r] as number];
    if (!chunk) return false;
    for (let c = 0; c < cols; c++, i++) {
      const len = t.length[i] as number;
      const at = t.start[i] as number;
      if (len < -1 || (len >= 0 && (at < 0 || at + len > chunk.length))) return false;
    }
  }
  return true;
}
