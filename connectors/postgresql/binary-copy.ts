import type { SourceZone, TextRows } from '../sdk/index.ts';
import type { ColumnMeta } from '../sql/catalog.ts';
import type { TextCopyColumn } from '../sql/session.ts';
import { BINARY_FIELD_WRITERS, MAX_BINARY_OVERHEAD, type BinaryCodec } from './binary-fields.ts';

/**
 * COPY's binary format ("COPY", File Formats): the signature, flags and header-extension length, each tuple as its
 * field count and each field as its length (−1: NULL) and the bytes of its type's binary form; −1 ends the data.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8;
const TRAILER_BYTES = 2;

/** How one column's source text goes into a binary COPY: the codec of the target type's binary form. */
export interface BinaryCopyField {
  codec: BinaryCodec;
  /** Minutes east of UTC of a `timestamp with time zone`'s wall clock (its text's offset suffix); 0 otherwise. */
  offsetMinutes: number;
}

/** The codec of each target type whose binary form this encoder writes (information_schema's `data_type`). */
const CODECS: ReadonlyMap<string, BinaryCodec> = new Map<string, BinaryCodec>([
  ['character varying', 'bytes'],
  ['character', 'bytes'],
  ['text', 'bytes'],
  ['json', 'bytes'],
  ['jsonb', 'jsonb'],
  ['smallint', 'int2'],
  ['integer', 'int4'],
  ['bigint', 'int8'],
  ['numeric', 'numeric'],
  ['double precision', 'float8'],
  ['boolean', 'bool'],
  ['date', 'date'],
  ['time without time zone', 'time'],
  ['timestamp without time zone', 'timestamp'],
  ['timestamp with time zone', 'timestamp'],
]);

/**
 * How the text that `how` sends into the text COPY of `target` goes into a binary COPY instead, or null when it
 * cannot: a type without a codec here, or a text whose meaning depends on the session (a zone-less date-time into
 * `timestamptz`). Each codec reads only the canonical spelling of its type and writes exactly the value the type's
 * text input makes of it; any other text makes the batch go as text (`copyBinaryOfText` gives null).
 */
export function binaryCopyField(target: ColumnMeta, how: TextCopyColumn, source: SourceZone): BinaryCopyField | null {
  const codec = CODECS.get(target.dataType);
  if (!codec) return null;
  if (target.dataType === 'timestamp with time zone') {
    // The text path appends the source's fixed offset; without one the server would read the session's zone.
    return how.suffix !== '' && source.kind === 'fixed' ? { codec, offsetMinutes: source.offsetMinutes } : null;
  }
  return how.suffix === '' ? { codec, offsetMinutes: 0 } : null;
}

/** True for the data of a binary COPY (a text COPY escapes carriage returns, so it never starts with the signature). */
export function isBinaryCopy(data: Buffer): boolean {
  return data.length >= SIGNATURE.length && SIGNATURE.equals(data.subarray(0, SIGNATURE.length));
}

/**
 * `rows` as COPY binary data, field `c` by `fields[c]`, in `reuse` when it is large enough; null when some value's
 * text is not its type's canonical spelling (the caller then sends the batch as text, and the server reads it).
 * The binary form saves the server the text format's line and field splitting and the types' text parsers: a
 * quarter of a COPY's CPU on the benchmark's table.
 */
export function copyBinaryOfText(rows: TextRows, fields: readonly BinaryCopyField[], reuse?: Buffer): Buffer | null {
  const cols = fields.length;
  const { chunks, chunkOf, start, length, count } = rows;
  const writers = fields.map((f) => BINARY_FIELD_WRITERS[f.codec]);
  const offsetMicros = fields.map((f) => f.offsetMinutes * 60_000_000);
  let textBytes = 0;
  for (let i = 0; i < length.length; i++) {
    const len = length[i] as number;
    if (len > 0) textBytes += len;
  }
  const room = HEADER_BYTES + TRAILER_BYTES + count * (2 + cols * (4 + MAX_BINARY_OVERHEAD)) + textBytes;
  const out = reuse && reuse.length >= room ? reuse : Buffer.allocUnsafe(room);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  SIGNATURE.copy(out, 0);
  view.setInt32(SIGNATURE.length, 0);
  view.setInt32(SIGNATURE.length + 4, 0);
  let at = HEADER_BYTES;
  let i = 0;
  for (let r = 0; r < count; r++) {
    const src = chunks[chunkOf[r] as number] as Buffer;
    view.setInt16(at, cols);
    at += 2;
    for (let c = 0; c < cols; c++, i++) {
      const len = length[i] as number;
      if (len < 0) {
        view.setInt32(at, -1);
        at += 4;
        continue;
      }
      // Each writer puts the value after the 4 bytes of its length and returns where it ended (−1: not canonical).
      const end = (writers[c] as (typeof writers)[number])(src, start[i] as number, len, out, view, at + 4, offsetMicros[c] as number);
      if (end < 0) return null;
      view.setInt32(at, end - at - 4);
      at = end;
    }
  }
  view.setInt16(at, -1);
  return out.subarray(0, at + TRAILER_BYTES);
}
