import type { SourceZone, TextColumn, TextRows } from '../sdk/index.ts';
import type { ColumnMeta } from './catalog.ts';
import type { TextCopyColumn } from './session.ts';
import { typeKind } from './type-mapping.ts';

const TAB = 0x09;
const NEWLINE = 0x0a;

/**
 * How `column`'s source text goes into a bulk load of the column `target` so that it lands as the record path would
 * land its value, or null when the run must take the record path. The source's own text is the record path's text
 * for integers, exact decimals, strings, dates and times, into any column but a binary one (whose values the record
 * path does not take from text). Besides:
 * - float: only into a double, which reads any decimal text of a double as that double (the record path writes the
 *   shortest text of the number the driver parsed, which a decimal or single-precision column may read apart);
 * - datetime: into a zone-less timestamp when the source's and the writer's zones are the same fixed offset (the
 *   record path reads the wall clock in one and writes it in the other), into a timestamp with time zone from a
 *   fixed-offset source zone, with that offset appended (the same instant as the record path's UTC text);
 * - json: into a column that `keepsDocument` says holds the document, not the record path's spelling of it.
 */
export function textBulkColumn(
  column: TextColumn,
  target: ColumnMeta,
  source: SourceZone,
  writer: SourceZone,
  keepsDocument: (target: ColumnMeta) => boolean,
): TextCopyColumn | null {
  const kind = typeKind(target.dataType);
  if (kind === 'binary') return null;
  switch (column.kind) {
    case 'integer':
    case 'decimal':
    case 'date':
    case 'time':
      return AS_IT_IS;
    case 'text':
      return ESCAPED;
    case 'float':
      return kind === 'double' ? AS_IT_IS : null;
    case 'json':
      return keepsDocument(target) ? ESCAPED : null;
    case 'datetime':
      if (source.kind !== 'fixed') return null;
      if (kind === 'timestamptz') return { escape: false, suffix: offsetText(source.offsetMinutes) };
      return kind === 'timestamp' && writer.kind === 'fixed' && writer.offsetMinutes === source.offsetMinutes ? AS_IT_IS : null;
  }
}

const AS_IT_IS: TextCopyColumn = { escape: false, suffix: '' };
const ESCAPED: TextCopyColumn = { escape: true, suffix: '' };

/** `+08:00` for 480 minutes east of UTC. */
function offsetText(minutes: number): string {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** Fields shorter than this that cannot join a run are copied byte by byte: a native copy costs more to call. */
const NATIVE_COPY_MIN = 48;

/**
 * `rows` as lines of a bulk-load text format (PostgreSQL COPY's text format, MySQL LOAD DATA's default: tab between
 * fields, newline after each row, `\N` for NULL, the bytes of `escapes` as a backslash and their letter) in UTF-8,
 * column `c` written as `columns[c]` says: a view of `reuse` when it is large enough, else of a new buffer sized
 * for the worst case (every byte escaped).
 *
 * Copying byte by byte in JS costs a few nanoseconds a byte, most of a copy's encoding. So consecutive fields that
 * need nothing but a tab between them are copied as one run with one native copy, when the source leaves exactly
 * one byte between them (MySQL's length byte of a field shorter than 251 bytes), and that byte is then overwritten
 * with the tab. A field that needs escapes, a suffix, or `\N`, or that does not sit one byte after the previous,
 * ends the run and is written on its own. Only ASCII bytes are escaped, and no byte of a multi-byte UTF-8
 * character is ASCII, so the text is never decoded.
 */
export function textBulkBuffer(rows: TextRows, columns: readonly TextCopyColumn[], escapes: Uint8Array, reuse?: Buffer): Buffer {
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
  /** Source offsets of the separator bytes inside the pending run (to become tabs). */
  const tabs = new Int32Array(cols);
  let at = 0;
  let i = 0;
  for (let r = 0; r < count; r++) {
    const src = chunks[chunkOf[r] as number] as Buffer;
    // The pending run: src[runFrom, runTo), with `tabCount` separators inside it.
    let runFrom = -1;
    let runTo = -1;
    let tabCount = 0;
    for (let c = 0; c < cols; c++, i++) {
      const len = length[i] as number;
      const from = start[i] as number;
      const to = from + len;
      let plain = len >= 0 && suffixes[c] === null;
      if (plain && escape[c]) {
        // Most text has nothing to escape: a look without writing is cheap.
        for (let j = from; j < to; j++) {
          const b = src[j] as number;
          if (b < 0x20 || b === 0x5c) {
            plain = false;
            break;
          }
        }
      }
      if (plain) {
        if (runFrom < 0) {
          if (c > 0) out[at++] = TAB;
          runFrom = from;
          runTo = to;
          continue;
        }
        if (from === runTo + 1) {
          tabs[tabCount++] = runTo;
          runTo = to;
          continue;
        }
      }
      if (runFrom >= 0) {
        at = copyRun(src, runFrom, runTo, tabs, tabCount, out, at);
        runFrom = -1;
        tabCount = 0;
      }
      if (c > 0) out[at++] = TAB;
      if (len < 0) {
        out[at++] = 0x5c;
        out[at++] = 0x4e;
        continue;
      }
      if (plain) {
        // A plain field that could not join the run (no separator byte before it) starts a new one.
        runFrom = from;
        runTo = to;
        continue;
      }
      if (escape[c]) {
        for (let j = from; j < to; j++) {
          const b = src[j] as number;
          const letter = escapes[b] as number;
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
    if (runFrom >= 0) at = copyRun(src, runFrom, runTo, tabs, tabCount, out, at);
    out[at++] = NEWLINE;
  }
  return out.subarray(0, at);
}

/** src[from, to) into out at `at` with the bytes at the source offsets `tabs[0 .. n)` made tabs; the new `at`. */
function copyRun(src: Buffer, from: number, to: number, tabs: Int32Array, n: number, out: Buffer, at: number): number {
  const len = to - from;
  if (len >= NATIVE_COPY_MIN) src.copy(out, at, from, to);
  else for (let j = 0; j < len; j++) out[at + j] = src[from + j] as number;
  for (let k = 0; k < n; k++) out[at + ((tabs[k] as number) - from)] = TAB;
  return at + len;
}
