import type { Row, SourceZone, TextColumn, TextRows } from '../../connectors/sdk/index.ts';

const PLUS_8: SourceZone = { kind: 'fixed', name: 'GMT+08:00', offsetMinutes: 480 };

/** MySQL's length-coded prefix of a field of `n` bytes (0xfb alone for NULL). */
function lengthPrefix(n: number | null): Buffer {
  if (n === null) return Buffer.from([0xfb]);
  if (n < 251) return Buffer.from([n]);
  if (n < 0x10000) return Buffer.from([0xfc, n & 0xff, n >> 8]);
  return Buffer.from([0xfd, n & 0xff, (n >> 8) & 0xff, n >> 16]);
}

/**
 * Text rows built from field texts (null: NULL), as a reader would hand them over: in MySQL's layout (each field
 * after its length prefix, as in a row packet) or packed (fields back to back, no byte between them). The first row
 * is alone in one chunk, the rest in another, as rows arrive in the socket's buffers.
 */
export function textRows(columns: readonly TextColumn[], rows: readonly (readonly (string | null)[])[], layout: 'mysql' | 'packed' = 'mysql', zone: SourceZone = PLUS_8): TextRows {
  const chunks: Buffer[] = [];
  const start: number[] = [];
  const length: number[] = [];
  for (const group of [rows.slice(0, 1), rows.slice(1)]) {
    const parts: Buffer[] = [];
    let at = 0;
    for (const fields of group) {
      for (const v of fields) {
        const bytes = Buffer.from(v ?? '', 'utf8');
        const prefix = layout === 'mysql' ? lengthPrefix(v === null ? null : bytes.length) : Buffer.alloc(0);
        parts.push(prefix, bytes);
        start.push(at + prefix.length);
        length.push(v === null ? -1 : bytes.length);
        at += prefix.length + bytes.length;
      }
    }
    chunks.push(Buffer.concat(parts));
  }
  return {
    columns,
    count: rows.length,
    chunks,
    chunkOf: Int32Array.from(rows.map((_r, i) => (i === 0 ? 0 : 1))),
    start: Int32Array.from(start),
    length: Int32Array.from(length),
    zone,
    records: (): Row[] => rows.map((r) => Object.fromEntries(columns.map((c, i) => [c.name, r[i] ?? null]))),
  };
}
