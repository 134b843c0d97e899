/**
 * The pieces of the text path (rows as the source's text): which MySQL columns read as text, which PostgreSQL columns
 * take that text exactly, the COPY bytes made from it (the same bytes as the record path's COPY of the same values),
 * the engine's shape check, and the runtime options.
 */
import { describe, expect, it } from 'vitest';
import { textColumnsOf, type MysqlField } from '../../connectors/mysql/text-rows.ts';
import { loadDataBuffer } from '../../connectors/mysql/load-data.ts';
import { loadDataBufferOfText, loadDataColumn } from '../../connectors/mysql/text-load.ts';
import { copyBuffer } from '../../connectors/postgresql/copy-text.ts';
import type { BinaryCodec } from '../../connectors/postgresql/binary-fields.ts';
import { copyBufferOfText, textCopyColumn } from '../../connectors/postgresql/text-copy.ts';
import type { SourceZone, TextColumn, TextKind } from '../../connectors/sdk/index.ts';
import type { ColumnMeta } from '../../connectors/sql/catalog.ts';
import type { TextCopyColumn } from '../../connectors/sql/session.ts';
import { parseRuntime } from '../../core/normalise/runtime.ts';
import { isTextRows } from '../../worker/text-rows.ts';
import { textRows } from '../support/text-rows.ts';

const UTF8MB4 = 45;
const field = (name: string, columnType: number, extra: Partial<MysqlField> = {}): MysqlField => ({ name, columnType, characterSet: 63, encoding: 'binary', flags: 0, ...extra });
const textField = (name: string, columnType = 253, extra: Partial<MysqlField> = {}): MysqlField => field(name, columnType, { characterSet: UTF8MB4, encoding: 'utf8', ...extra });

const plus8: SourceZone = { kind: 'fixed', name: 'GMT+08:00', offsetMinutes: 480 };
const minus0530: SourceZone = { kind: 'fixed', name: '-05:30', offsetMinutes: -330 };
const berlin: SourceZone = { kind: 'iana', name: 'Europe/Berlin' };

const meta = (name: string, dataType: string): ColumnMeta => ({ name, dataType, columnType: dataType, length: null, precision: null, scale: null, nullable: true, json: dataType === 'jsonb' || dataType === 'json' });

describe('textColumnsOf (which MySQL result columns read as text)', () => {
  it('gives each column its kind and measures it the way rowBytes measures the record value', () => {
    const plans = textColumnsOf(
      [
        field('i', 3),
        field('big', 8),
        field('d', 246),
        field('f', 5),
        field('ts', 12),
        field('day', 10),
        field('t', 11),
        textField('s'),
        textField('j', 252, { extendedFormat: 'json' }),
        textField('j2', 252),
        field('j3', 245),
      ],
      new Set(['j2']),
    );
    expect(plans?.map((p) => [p.name, p.kind, p.quote, p.fixed])).toEqual([
      ['i', 'integer', 0, null],
      ['big', 'integer', 2, null], // BIGINT comes as an exact string (bigNumberStrings)
      ['d', 'decimal', 2, null],
      ['f', 'float', 0, null],
      ['ts', 'datetime', 0, 26], // a Date measures 26
      ['day', 'date', 2, null],
      ['t', 'time', 2, null],
      ['s', 'text', 2, null],
      ['j', 'json', 0, null],
      ['j2', 'json', 0, null],
      ['j3', 'json', 0, null],
    ]);
    expect(plans?.[0]?.keyBytes).toBe('i'.length + 4);
  });

  it.each([
    ['bytes (binary charset)', field('b', 253)],
    ['a zero-filled integer (its zeros would be dropped)', field('z', 3, { flags: 64 })],
    ['YEAR (zero-filled by MySQL)', field('y', 13, { flags: 96 })],
    ['text in a charset that is not UTF-8', textField('l', 253, { characterSet: 8, encoding: 'latin1' })],
    ['BIT', field('bit', 16)],
    ['GEOMETRY', field('g', 255)],
  ])('none for a result with %s', (_label, f) => {
    expect(textColumnsOf([field('id', 3), f], new Set())).toBeNull();
  });
});

describe('textCopyColumn (which PostgreSQL columns take the source text exactly, and its binary form)', () => {
  /** The binary codec of each type named below that has one (information_schema spells varchar `character varying`). */
  const CODEC: Readonly<Record<string, BinaryCodec>> = { integer: 'int4', numeric: 'numeric', text: 'bytes', boolean: 'bool', date: 'date', jsonb: 'jsonb' };
  const withBinary = (type: string, how: TextCopyColumn, offsetMinutes = 0): TextCopyColumn => {
    const codec = CODEC[type];
    return codec ? { ...how, binary: { codec, offsetMinutes } } : how;
  };
  const kinds: TextKind[] = ['integer', 'decimal', 'date', 'time', 'text'];
  it.each(kinds)('%s text goes into any column but bytea', (kind) => {
    const column: TextColumn = { name: 'c', kind };
    for (const type of ['integer', 'numeric', 'text', 'varchar', 'boolean', 'date', 'jsonb']) {
      expect(textCopyColumn(column, meta('c', type), plus8, plus8)).toEqual(withBinary(type, { escape: kind === 'text', suffix: '' }));
    }
    expect(textCopyColumn(column, meta('c', 'bytea'), plus8, plus8)).toBeNull();
  });

  it('a float only into double precision', () => {
    const f: TextColumn = { name: 'f', kind: 'float' };
    expect(textCopyColumn(f, meta('f', 'double precision'), plus8, plus8)).toEqual({ escape: false, suffix: '', binary: { codec: 'float8', offsetMinutes: 0 } });
    for (const type of ['real', 'numeric', 'text']) expect(textCopyColumn(f, meta('f', type), plus8, plus8)).toBeNull();
  });

  it('JSON only into jsonb', () => {
    const j: TextColumn = { name: 'j', kind: 'json' };
    expect(textCopyColumn(j, meta('j', 'jsonb'), plus8, plus8)).toEqual({ escape: true, suffix: '', binary: { codec: 'jsonb', offsetMinutes: 0 } });
    for (const type of ['json', 'text']) expect(textCopyColumn(j, meta('j', type), plus8, plus8)).toBeNull();
  });

  it('a date-time into timestamp in the same fixed zone, into timestamptz with the source offset', () => {
    const t: TextColumn = { name: 't', kind: 'datetime' };
    const plain = { codec: 'timestamp', offsetMinutes: 0 } as const;
    expect(textCopyColumn(t, meta('t', 'timestamp without time zone'), plus8, plus8)).toEqual({ escape: false, suffix: '', binary: plain });
    expect(textCopyColumn(t, meta('t', 'timestamp without time zone'), plus8, minus0530)).toBeNull();
    expect(textCopyColumn(t, meta('t', 'timestamp without time zone'), berlin, berlin)).toBeNull();
    expect(textCopyColumn(t, meta('t', 'timestamp with time zone'), plus8, minus0530)).toEqual({ escape: false, suffix: '+08:00', binary: { codec: 'timestamp', offsetMinutes: 480 } });
    expect(textCopyColumn(t, meta('t', 'timestamp with time zone'), minus0530, plus8)).toEqual({ escape: false, suffix: '-05:30', binary: { codec: 'timestamp', offsetMinutes: -330 } });
    expect(textCopyColumn(t, meta('t', 'timestamp with time zone'), berlin, plus8)).toBeNull();
    for (const type of ['date', 'text', 'varchar']) expect(textCopyColumn(t, meta('t', type), plus8, plus8)).toBeNull();
  });

  it('text with no zone of its own into timestamptz, or into a type without a codec, has no binary form', () => {
    const s: TextColumn = { name: 's', kind: 'text' };
    expect(textCopyColumn(s, meta('s', 'timestamp with time zone'), plus8, plus8)).toEqual({ escape: true, suffix: '' });
    for (const type of ['real', 'uuid', 'interval', 'money', 'inet', '_int4']) {
      expect(textCopyColumn(s, meta('s', type), plus8, plus8)).toEqual({ escape: true, suffix: '' });
    }
  });
});

describe('copyBufferOfText', () => {
  const TRICKY = 'a\\b\tc\nd\re \\N ✓ 😀 中 "q" \u0080\u07ff\u0800 end';
  it('gives the bytes the record path gives for the same values: escapes, NULLs, multi-byte text', () => {
    const columns: TextColumn[] = [
      { name: 'id', kind: 'integer' },
      { name: 's', kind: 'text' },
      { name: 'd', kind: 'decimal' },
      { name: 'j', kind: 'json' },
    ];
    const rows = [
      ['1', TRICKY, '-0.50', '{"t": "a\\tb", "u": "✓"}'],
      ['2', null, null, null],
      ['3', '', '12345678901234567890.0123456789', '[]'],
      ['4', '\\', '0', '"\\\\"'],
      // A decimal longer than the encoder copies byte by byte.
      ['5', 'x', '-12345678901234567890123456789012345.123456789012345678901234567890', '{}'],
    ];
    const how = columns.map((c) => ({ escape: c.kind === 'text' || c.kind === 'json', suffix: '' }));
    const expected = copyBuffer(rows, [meta('id', 'bigint'), meta('s', 'text'), meta('d', 'numeric'), meta('j', 'jsonb')]);
    expect(copyBufferOfText(textRows(columns, rows), how)).toEqual(expected);
    expect(copyBufferOfText(textRows(columns, rows, 'packed'), how)).toEqual(expected);
  });

  it('the same bytes for any mix of runs: NULLs first, last and between, empty and long fields, escapes amid plain text', () => {
    const kinds: TextKind[] = ['integer', 'text', 'text', 'date', 'json', 'text', 'integer'];
    const columns = kinds.map((kind, i) => ({ name: `c${i}`, kind }));
    // Texts for the text columns; the others (integers, dates) never hold a byte to escape.
    const texts = [null, '', '7', 'plain words', 'é✓😀', 'tab\there', 'back\\slash', 'x'.repeat(250), 'y'.repeat(251), 'z'.repeat(70_000), `${'w'.repeat(300)}\n`];
    const plain = [null, '', '7', '-12.5', '2024-01-02', '9'.repeat(60), '8'.repeat(251)];
    let seed = 11;
    const pick = (pool: readonly (string | null)[]): string | null => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return pool[seed % pool.length] as string | null;
    };
    const escaped = (c: TextColumn): boolean => c.kind === 'text' || c.kind === 'json';
    const rows = Array.from({ length: 300 }, () => columns.map((c) => pick(escaped(c) ? texts : plain)));
    rows.push(columns.map(() => null), columns.map(() => ''));
    const how = columns.map((c) => ({ escape: escaped(c), suffix: '' }));
    const expected = copyBuffer(rows, columns.map((c) => meta(c.name, 'text'))) as Buffer;
    // Compared as booleans: a diff of megabytes is no help and costs the test runner its memory.
    const same = (b: Buffer): boolean => b.equals(expected);
    expect(same(copyBufferOfText(textRows(columns, rows), how))).toBe(true);
    expect(same(copyBufferOfText(textRows(columns, rows, 'packed'), how))).toBe(true);
    // Into a reused buffer that is large enough, and one that is not.
    expect(same(copyBufferOfText(textRows(columns, rows), how, Buffer.alloc(4 * expected.length)))).toBe(true);
    expect(same(copyBufferOfText(textRows(columns, rows), how, Buffer.alloc(16)))).toBe(true);
  });

  it('appends a date-time column suffix to values, not to NULLs', () => {
    const rows = textRows([{ name: 't', kind: 'datetime' }, { name: 'n', kind: 'integer' }], [['2024-01-02 03:04:05.123456', '7'], [null, null]]);
    expect(copyBufferOfText(rows, [{ escape: false, suffix: '+08:00' }, { escape: false, suffix: '' }]).toString('utf8')).toBe(
      '2024-01-02 03:04:05.123456+08:00\t7\n\\N\t\\N\n',
    );
    const between = textRows(
      [{ name: 'a', kind: 'integer' }, { name: 't', kind: 'datetime' }, { name: 'b', kind: 'integer' }],
      [['1', '2024-01-02 03:04:05', '2'], ['3', null, '4']],
    );
    expect(copyBufferOfText(between, [{ escape: false, suffix: '' }, { escape: false, suffix: '-05:30' }, { escape: false, suffix: '' }]).toString('utf8')).toBe(
      '1\t2024-01-02 03:04:05-05:30\t2\n3\t\\N\t4\n',
    );
  });
});

describe('MySQL targets (LOAD DATA)', () => {
  it('loadDataBufferOfText gives the bytes of the record path\'s LOAD DATA text, NUL escaped too', () => {
    const columns: TextColumn[] = [
      { name: 'id', kind: 'integer' },
      { name: 's', kind: 'text' },
      { name: 'j', kind: 'json' },
    ];
    const rows = [
      ['1', 'nul\u0000in \\ the\tmiddle\r\n', '{"a": "\\u0000"}'],
      ['2', null, null],
      ['3', 'x'.repeat(300), '[]'],
    ];
    const how = columns.map((c) => ({ escape: c.kind !== 'integer', suffix: '' }));
    expect((loadDataBufferOfText(textRows(columns, rows), how) as Buffer).equals(loadDataBuffer(rows) as Buffer)).toBe(true);
  });

  it('takes text as the record path would write it: floats only into DOUBLE, date-times in one fixed zone, JSON into JSON columns', () => {
    const my = (name: string, dataType: string, json = false): ColumnMeta => ({ ...meta(name, dataType), json });
    expect(loadDataColumn({ name: 'i', kind: 'integer' }, my('i', 'varchar'), plus8, plus8)).toEqual({ escape: false, suffix: '' });
    expect(loadDataColumn({ name: 's', kind: 'text' }, my('s', 'longtext'), plus8, plus8)).toEqual({ escape: true, suffix: '' });
    expect(loadDataColumn({ name: 's', kind: 'text' }, my('s', 'varbinary'), plus8, plus8)).toBeNull();
    expect(loadDataColumn({ name: 'f', kind: 'float' }, my('f', 'double'), plus8, plus8)).not.toBeNull();
    expect(loadDataColumn({ name: 'f', kind: 'float' }, my('f', 'float'), plus8, plus8)).toBeNull();
    expect(loadDataColumn({ name: 'f', kind: 'float' }, my('f', 'decimal'), plus8, plus8)).toBeNull();
    expect(loadDataColumn({ name: 't', kind: 'datetime' }, my('t', 'datetime'), plus8, plus8)).not.toBeNull();
    expect(loadDataColumn({ name: 't', kind: 'datetime' }, my('t', 'timestamp'), plus8, plus8)).not.toBeNull();
    expect(loadDataColumn({ name: 't', kind: 'datetime' }, my('t', 'datetime'), plus8, minus0530)).toBeNull();
    expect(loadDataColumn({ name: 't', kind: 'datetime' }, my('t', 'datetime'), berlin, berlin)).toBeNull();
    expect(loadDataColumn({ name: 't', kind: 'datetime' }, my('t', 'date'), plus8, plus8)).toBeNull();
    expect(loadDataColumn({ name: 'j', kind: 'json' }, my('j', 'json', true), plus8, plus8)).toEqual({ escape: true, suffix: '' });
    expect(loadDataColumn({ name: 'j', kind: 'json' }, my('j', 'longtext'), plus8, plus8)).toBeNull();
  });
});

describe('isTextRows (the engine checks a reader\'s text rows before a writer indexes into them)', () => {
  const good = textRows([{ name: 'a', kind: 'text' }], [['x'], ['y']]);
  it('takes well-formed text rows', () => {
    expect(isTextRows(good)).toBe(true);
  });
  it.each([
    ['a count that is not an integer', { count: 1.5 }],
    ['fewer starts than fields', { start: new Int32Array(1) }],
    ['lengths that are not an Int32Array', { length: [1, 1] }],
    ['no chunks', { chunks: 'xy' }],
    ['a chunk index past the chunks', { chunkOf: Int32Array.from([0, 2]) }],
    ['a field past the end of its chunk', { length: Int32Array.from([1, 99]) }],
    ['no records()', { records: undefined }],
  ])('refuses %s', (_label, change) => {
    expect(isTextRows({ ...good, ...change })).toBe(false);
  });
  it('without the walk over every field (a built-in reader\'s rows): the shape still, not each field\'s bounds', () => {
    expect(isTextRows(good, false)).toBe(true);
    expect(isTextRows({ ...good, length: Int32Array.from([1, 99]) }, false)).toBe(true);
    expect(isTextRows({ ...good, start: new Int32Array(1) }, false)).toBe(false);
    expect(isTextRows({ ...good, records: undefined }, false)).toBe(false);
  });
});

describe('runtime text_transfer / text_batch_size', () => {
  it('default to on and 5000, and take both spellings', () => {
    expect(parseRuntime(undefined, 'runtime')).toMatchObject({ textTransfer: true, textBatchSize: 5000 });
    expect(parseRuntime({ text_transfer: 'false', textBatchSize: 20000 }, 'runtime')).toMatchObject({ textTransfer: false, textBatchSize: 20000 });
  });
  it('refuses a batch size out of range, naming the field', () => {
    expect(() => parseRuntime({ text_batch_size: 0 }, 'runtime')).toThrow(/text_batch_size/);
    expect(() => parseRuntime({ text_batch_size: 100_001 }, 'runtime')).toThrow(/text_batch_size/);
  });
});
