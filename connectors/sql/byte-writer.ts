/** Bulk-load text written as UTF-8 bytes, escapes and all, in one pass (COPY, LOAD DATA). */

/**
 * The escape table of a bulk-load text format: for each byte it escapes, the letter after the backslash (0: none),
 * from a map such as `{ '\\': '\\', '\t': 't' }`. Every escaped byte must be below 0x20 or a backslash: the text-rows
 * encoder (`textBulkBuffer`) looks for those before it escapes.
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

/** Texts this long or longer without a character that may be escaped are encoded natively. */
const NATIVE_WRITE_MIN = 24;
/** Every character an escape table may escape, a control character or a backslash (`escapeTable` allows no other). */
const MAY_ESCAPE = /[^ -\uffff]|\\/;

/**
 * A growing buffer of UTF-8 bytes for a bulk-load text format (PostgreSQL COPY, MySQL LOAD DATA): its bytes are
 * written straight into one buffer, escaping as they go. A string per field joined into one text and then encoded
 * cost a large copy a tenth of its CPU in concatenation, garbage and a second pass to encode.
 */
export class ByteWriter {
  private buf: Buffer;
  private at = 0;

  /** `escapes[c]`: the letter written after a backslash for the ASCII character `c`, 0 for none (`escapeTable`). */
  constructor(
    initial: number,
    private readonly escapes: Uint8Array,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(256, initial));
  }

  byte(b: number): void {
    if (this.at === this.buf.length) this.grow(1);
    this.buf[this.at++] = b;
  }

  /** Text known to be ASCII without characters to escape (numbers, booleans, hex). */
  ascii(s: string): void {
    this.room(s.length);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    this.at = at;
  }

  /** `s` in UTF-8 with the format's escapes; a lone surrogate becomes U+FFFD, as Buffer.from(s) makes it. */
  escaped(s: string): void {
    // At most 3 bytes per UTF-16 unit (a surrogate pair is 4 bytes for 2 units), 2 for an escaped ASCII one.
    this.room(s.length * 3);
    // A longer text with nothing to escape (the common case) is one native encoding, which the loop below takes
    // a few nanoseconds a character to match; for a short one the call costs more than the loop.
    if (s.length >= NATIVE_WRITE_MIN && !MAY_ESCAPE.test(s)) {
      this.at += this.buf.write(s, this.at, 'utf8');
      return;
    }
    const buf = this.buf;
    const escapes = this.escapes;
    let at = this.at;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        const letter = escapes[c] as number;
        if (letter !== 0) {
          buf[at++] = 0x5c;
          buf[at++] = letter;
        } else buf[at++] = c;
      } else if (c < 0x800) {
        buf[at++] = 0xc0 | (c >> 6);
        buf[at++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          buf[at++] = 0xf0 | (cp >> 18);
          buf[at++] = 0x80 | ((cp >> 12) & 0x3f);
          buf[at++] = 0x80 | ((cp >> 6) & 0x3f);
          buf[at++] = 0x80 | (cp & 0x3f);
          i++;
        } else {
          buf[at++] = 0xef;
          buf[at++] = 0xbf;
          buf[at++] = 0xbd;
        }
      } else {
        buf[at++] = 0xe0 | (c >> 12);
        buf[at++] = 0x80 | ((c >> 6) & 0x3f);
        buf[at++] = 0x80 | (c & 0x3f);
      }
    }
    this.at = at;
  }

  done(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  private room(bytes: number): void {
    if (this.at + bytes > this.buf.length) this.grow(bytes);
  }

  private grow(bytes: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }
}
