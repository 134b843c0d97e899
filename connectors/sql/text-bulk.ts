import type { TextColumn, TextRows } from '../sdk/index.ts';
import type { TextCopyColumn } from './session.ts';
import type { TypeKind } from './type-mapping.ts';

const TAB = 0x09;
const NEWLINE = 0x0a;

/**
 * The letter after the backslash for each byte a bulk-load text format escapes (0: none), from a map such as
 * `{ '\\': '\\', '\t': 't' }`. Every escaped byte must be below 0x20 or a backslash (`textBulkBuffer` looks for those).
 */
export function escapeTable(map: Readonly<Record<string, string>>): Uint8Array {
  const table = new Uint8Array(256);
  for (const [c, letter] of Object.entries(map)) {
    const code = c.charCodeAt(0);
    if (code >= 0x20 && code !== 0x5c) throw new Error(`cannot escape ${JSON.stringify(c)}`);
    table[code] = letter.charCodeAt(0);
  }
  return table;
}

/**
 * For the kinds whose source text is the record path's text into any column but a binary one (integers, exact
 * decimals, strings, dates, times): how it goes into the bulk load. Null into a binary column; undefined for the
 * kinds each target decides for itself (float, json, datetime).
 */
export function plainTextColumn(column: TextColumn, target: TypeKind | undefined): TextCopyColumn | null | undefined {
  if (target === 'binary') return null;
  switch (column.kind) {
    case 'integer':
    case 'decimal':
    case 'date':
    case 'time':
      return { escape: false, suffix: '' };
    case 'text':
      return { escape: true, suffix: '' };
    default:
      return undefined;
  }
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
