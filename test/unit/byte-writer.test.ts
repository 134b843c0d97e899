/**
 * The bulk-load encoders write UTF-8 bytes and their escapes in one pass (`ByteWriter`): for any text they must give
 * exactly the bytes of the escaped string as Buffer.from encodes it, in both formats.
 */
import { describe, expect, it } from 'vitest';
import { loadDataBuffer } from '../../connectors/mysql/load-data.ts';
import { copyBuffer } from '../../connectors/postgresql/copy-text.ts';
import type { ColumnMeta } from '../../connectors/sql/catalog.ts';

const text = (name: string): ColumnMeta => ({ name, dataType: 'text', columnType: 'text', length: null, precision: null, scale: null, nullable: true, json: false });

const PIECES = ['a', 'Z', '0', ' ', 'N', '\\', '\t', '\n', '\r', '\0', 'é', 'ß', 'ж', '✓', '中', '\uffff', '😀', '𝄞', '\ud800', '\udfff', '\u007f', '\u0080', '\u07ff', '\u0800'];
/** The same without the characters a format escapes: long texts of these take the encoder's native path. */
const PLAIN_PIECES = PIECES.filter((p) => !/[^ -\uffff]|\\/.test(p));

/** A seeded generator of texts from the characters that matter: ASCII, the escaped ones, 2-, 3- and 4-byte UTF-8, lone surrogates. */
function texts(seed: number, pieces: readonly string[] = PIECES): () => string {
  let s = seed;
  const next = (n: number): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
  return () => (next(6) === 0 ? null : Array.from({ length: next(40) }, () => pieces[next(pieces.length)]).join('')) as string;
}

function reference(rows: (string | null)[][], escapes: Record<string, string>): Buffer {
  const pattern = new RegExp(`[${Object.keys(escapes).map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}]`, 'g');
  const field = (v: string | null): string => (v === null ? '\\N' : v.replace(pattern, (c) => escapes[c] as string));
  return Buffer.from(rows.map((r) => `${r.map(field).join('\t')}\n`).join(''), 'utf8');
}

describe.each([
  ['COPY', (rows: (string | null)[][]) => copyBuffer(rows, [text('a'), text('b'), text('c')]), { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }],
  ['LOAD DATA', (rows: (string | null)[][]) => loadDataBuffer(rows), { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' }],
] as const)('%s bytes', (_format, encode, escapes) => {
  it('are the escaped text as Buffer.from encodes it, for any text', () => {
    const next = texts(7);
    for (let round = 0; round < 300; round++) {
      const rows = Array.from({ length: 1 + (round % 37) }, () => [next(), next(), next()]);
      expect(encode(rows)?.equals(reference(rows, escapes)), JSON.stringify(rows)).toBe(true);
    }
  });
  it('the same for long texts with nothing to escape (encoded natively) beside ones with escapes', () => {
    const plain = texts(11, PLAIN_PIECES);
    const any = texts(13);
    for (let round = 0; round < 300; round++) {
      const rows = Array.from({ length: 1 + (round % 23) }, () => [plain(), any(), `${plain() ?? ''}${plain() ?? ''}`]);
      expect(encode(rows)?.equals(reference(rows, escapes)), JSON.stringify(rows)).toBe(true);
    }
  });
  it('grow past the first estimate without losing a byte', () => {
    const long = '中'.repeat(100_000) + '\\';
    expect(encode([[long, null, 'x']])?.equals(reference([[long, null, 'x']], escapes))).toBe(true);
  });
});
