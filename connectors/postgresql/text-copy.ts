import type { SourceZone, TextColumn, TextRows } from '../sdk/index.ts';
import type { ColumnMeta } from '../sql/catalog.ts';
import type { TextCopyColumn } from '../sql/session.ts';
import { typeKind } from '../sql/type-mapping.ts';

const TAB = 0x09;
const NEWLINE = 0x0a;


/**
 * How `column`'s source text lands in `target` exactly as the record path would land its value, or null when it may
 * not. The record path turns a value into text with `postgresParam`; the source's own text is the same text for
 * integers, exact decimals, strings, dates and times, and for other kinds only into the column types listed here:
 * - float: only into `double precision`, which reads any decimal text of a double as that double (the record
 *   path writes the shortest text of the number the driver parsed, which a `numeric` or `real` may read apart);
 * - json: only into `jsonb`, which keeps the document, not its spelling;
 * - datetime: into `timestamp` when the source's and the writer's zones are the same fixed offset (the record path
 *   reads the wall clock in one and writes it in the other), into `timestamptz` from a fixed-offset source zone,
 *   with that offset appended (the same instant as the record path's UTC text).
 * Never into `bytea`, whose values the record path does not take from text.
 */
export function textCopyColumn(column: TextColumn, target: ColumnMeta, source: SourceZone, writer: SourceZone): TextCopyColumn | null {
  const kind = typeKind(target.dataType);
  if (kind === 'binary') return null;
  switch (column.kind) {
    case 'integer':
    case 'decimal':
    case 'date':
    case 'time':
      return { escape: false, suffix: '' };
    case 'text':
      return { escape: true, suffix: '' };
    case 'float':
      return kind === 'double' ? { escape: false, suffix: '' } : null;
    case 'json':
      return target.dataType === 'jsonb' ? { escape: true, suffix: '' } : null;
    case 'datetime':
      if (source.kind !== 'fixed') return null;
      if (kind === 'timestamptz') return { escape: false, suffix: offsetText(source.offsetMinutes) };
      if (kind === 'timestamp' && writer.kind === 'fixed' && writer.offsetMinutes === source.offsetMinutes) return { escape: false, suffix: '' };
      return null;
  }
}

function offsetText(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** The letter after the backslash for each byte COPY escapes (0: none): backslash, tab, newline, carriage return. */
const ESCAPE_LETTER = new Uint8Array(256);
ESCAPE_LETTER[0x5c] = 0x5c;
ESCAPE_LETTER[0x09] = 0x74;
ESCAPE_LETTER[0x0a] = 0x6e;
ESCAPE_LETTER[0x0d] = 0x72;
/** Longer unescaped fields are copied natively; a loop is faster for the short ones (numbers, dates). */
const NATIVE_COPY_MIN = 48;

/**
 * `rows` as COPY text-format lines in UTF-8, column `c` written as `columns[c]` says: a view of `reuse` when it is
 * large enough, else of a new buffer. One tight loop over the fields into a buffer sized for the worst case (every
 * byte escaped), so nothing grows or is measured twice. Only
 * ASCII bytes are escaped, and no byte of a multi-byte UTF-8 character is ASCII, so the text is not decoded.
 */
export function copyBufferOfText(rows: TextRows, columns: readonly TextCopyColumn[], reuse?: Buffer): Buffer {
  const cols = columns.length;
  const { chunks, chunkOf, start, length, count } = rows;
  const escape = columns.map((c) => c.escape);
  const suffixes = columns.map((c) => (c.suffix === '' ? null : Buffer.from(c.suffix, 'latin1')));
  const suffixBytes = suffixes.reduce((n, b) => n + (b?.length ?? 0), 0);
  let textBytes = 0;
  for (let i = 0; i < length.length; i++) {
    const len = length[i] as number;
    if (len > 0) textBytes += len;
  }
  // Each field: its text (doubled at worst), a tab or newline, `\N`; each row: the suffixes.
  const room = 2 * textBytes + count * (cols * 3 + suffixBytes) + 1;
  const out = reuse && reuse.length >= room ? reuse : Buffer.allocUnsafe(room);
  let at = 0;
  let i = 0;
  for (let r = 0; r < count; r++) {
    const src = chunks[chunkOf[r] as number] as Buffer;
    for (let c = 0; c < cols; c++, i++) {
      if (c > 0) out[at++] = TAB;
      const len = length[i] as number;
      if (len < 0) {
        out[at++] = 0x5c;
        out[at++] = 0x4e;
        continue;
      }
      const from = start[i] as number;
      const to = from + len;
      // Most text has nothing to escape: a look without writing is cheaper than escaping byte by byte.
      let plain = to;
      if (escape[c]) {
        for (let j = from; j < to; j++) {
          const b = src[j] as number;
          if (b < 0x20 || b === 0x5c) {
            plain = j;
            break;
          }
        }
      }
      if (plain < to) {
        for (let j = from; j < to; j++) {
          const b = src[j] as number;
          const letter = ESCAPE_LETTER[b] as number;
          if (letter === 0) out[at++] = b;
          else {
            out[at++] = 0x5c;
            out[at++] = letter;
          }
        }
      } else if (len >= NATIVE_COPY_MIN) {
        at += src.copy(out, at, from, to);
      } else {
        for (let j = from; j < to; j++) out[at++] = src[j] as number;
      }
      const suffix = suffixes[c];
      if (suffix) at += suffix.copy(out, at);
    }
    out[at++] = NEWLINE;
  }
  return out.subarray(0, at);
}
