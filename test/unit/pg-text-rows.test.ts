/**
 * PostgreSQL rows as text: COPY's text-format lines cut into fields (escapes undone, `\N` as NULL), measured as
 * `rowBytes` measures the record path's records, and parsed into exactly those records.
 */
import { describe, expect, it } from 'vitest';
import { CopyPageBuilder, postgresTextColumns, type PostgresField } from '../../connectors/postgresql/text-rows.ts';
import { rowBytes, type Row, type SourceZone } from '../../connectors/sdk/index.ts';

const utc: SourceZone = { kind: 'fixed', name: 'UTC', offsetMinutes: 0 };
const fields: PostgresField[] = [
  { name: 'id', dataTypeID: 20 },
  { name: 'n', dataTypeID: 23 },
  { name: 's', dataTypeID: 25 },
  { name: 'd', dataTypeID: 1700 },
];
/** Parsers as node-postgres's defaults for these types: int4 a number, the rest strings. */
const parserOf = (oid: number) => (oid === 23 ? (t: string) => Number(t) : (t: string) => t);

/** A COPY text line of raw field texts (already escaped as COPY writes them). */
const line = (...raw: string[]): Buffer => Buffer.from(`${raw.join('\t')}\n`, 'utf8');

describe('CopyPageBuilder', () => {
  it('cuts lines into fields, undoes COPY\'s escapes, reads \\N as NULL, and parses the records the record path makes', () => {
    const columns = postgresTextColumns(fields, parserOf);
    expect(columns?.map((c) => c.kind)).toEqual(['integer', 'integer', 'text', 'decimal']);
    const page = new CopyPageBuilder(columns!, 10, 16);
    page.add(line('1', '-5', 'a\\tb\\nc\\\\d\\re\\bf\\fg\\vh', '1.50'));
    page.add(line('2', '\\N', '\\\\N', '\\N'));
    page.add(line('3', '0', '', '-0.001'));
    page.add(line('9223372036854775807', '7', 'név ✓ 😀 中', '12345678901234567890.5'));
    const text = page.finish(utc);
    const rows = text.rows.records();
    const expected: Row[] = [
      { id: '1', n: -5, s: 'a\tb\nc\\d\re\bf\fg\vh', d: '1.50' },
      { id: '2', n: null, s: '\\N', d: null },
      { id: '3', n: 0, s: '', d: '-0.001' },
      { id: '9223372036854775807', n: 7, s: 'név ✓ 😀 中', d: '12345678901234567890.5' },
    ];
    expect(rows).toEqual(expected);
    // Each field's bounds hold its unescaped UTF-8 bytes; NULL is -1.
    const buf = text.rows.chunks[0] as Buffer;
    const field = (i: number): string | null => ((text.rows.length[i] as number) < 0 ? null : buf.toString('utf8', text.rows.start[i], (text.rows.start[i] as number) + (text.rows.length[i] as number)));
    expect(Array.from({ length: 16 }, (_v, i) => field(i))).toEqual(expected.flatMap((r) => Object.values(r).map((v) => (v === null ? null : String(v)))));
    expect(text.sizes).toEqual(expected.map(rowBytes));
    expect(text.bytes).toBe(expected.map(rowBytes).reduce((a, b) => a + b, 0));
  });

  it('is full at its capacity; refuses a line without its newline or with the wrong number of fields', () => {
    const columns = postgresTextColumns(fields, parserOf)!;
    const page = new CopyPageBuilder(columns, 2, 1024);
    page.add(line('1', '2', 'x', '3'));
    expect(page.full).toBe(false);
    page.add(line('2', '2', 'x', '3'));
    expect(page.full).toBe(true);
    const other = new CopyPageBuilder(columns, 5, 1024);
    expect(() => other.add(Buffer.from('1\t2\tx\t3'))).toThrow(/newline/);
    expect(() => other.add(line('1', '2', 'x'))).toThrow(/fewer fields/);
    expect(() => other.add(line('1', '2', 'x', '3', '4'))).toThrow(/more fields/);
  });

  it('has no text columns for a result with a type whose text the targets may not take', () => {
    expect(postgresTextColumns([...fields, { name: 'b', dataTypeID: 16 }], parserOf)).toBeNull();
    expect(postgresTextColumns([{ name: 't', dataTypeID: 1184 }], parserOf)).toBeNull();
    expect(postgresTextColumns([{ name: 'x', dataTypeID: 17 }], parserOf)).toBeNull();
  });
});
