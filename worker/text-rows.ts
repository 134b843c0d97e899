import type { TextRows } from '../connectors/sdk/index.ts';

/** A reader's `SourceBatch.text` has the shape the writers index into (one start and length per field). */
export function isTextRows(v: unknown): v is TextRows {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Partial<TextRows>;
  if (!Array.isArray(t.columns) || typeof t.count !== 'number' || !Number.isInteger(t.count) || t.count < 0) return false;
  if (!Buffer.isBuffer(t.buf) || !(t.start instanceof Int32Array) || !(t.length instanceof Int32Array)) return false;
  const fields = t.count * t.columns.length;
  return t.start.length === fields && t.length.length === fields && typeof t.records === 'function' && typeof t.zone === 'object' && t.zone !== null;
}
