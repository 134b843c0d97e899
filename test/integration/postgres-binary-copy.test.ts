/**
 * Binary COPY of source text (binary-copy.ts, binary-fields.ts) against the real server: for every value, the
 * binary load and the text load of the same text end the same way, the same stored value (compared as the server
 * prints it, so a numeric's scale or a timestamp's rounding shows) or the same refusal (SQLSTATE). Values that are
 * not their type's canonical spelling must not go binary at all: the batch falls back to text.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBinaryCopy } from '../../connectors/postgresql/binary-copy.ts';
import { describePostgresTable } from '../../connectors/postgresql/catalog.ts';
import { copyIn } from '../../connectors/postgresql/copy-in.ts';
import { copyBufferOfText, textCopyColumn } from '../../connectors/postgresql/text-copy.ts';
import type { SourceZone, TextColumn, TextKind } from '../../connectors/sdk/index.ts';
import type { TextCopyColumn } from '../../connectors/sql/session.ts';
import { textRows } from '../support/text-rows.ts';
import { createSqlScratch, dropSqlScratch, pgUrl, uniqueName, type SqlAdmins } from './sql-helpers.ts';

const schema = uniqueName('bincopy');
let admins: SqlAdmins;
let client: pg.Client;

const plus8: SourceZone = { kind: 'fixed', name: '+08:00', offsetMinutes: 480 };
const minus0530: SourceZone = { kind: 'fixed', name: '-05:30', offsetMinutes: -330 };

beforeAll(async () => {
  admins = await createSqlScratch(schema);
  client = new pg.Client({ connectionString: pgUrl().toString() });
  await client.connect();
  // The values are compared as this session prints them; a zone of its own shows that no instant moved.
  await client.query(`SET TimeZone = 'Asia/Kathmandu'`);
});

afterAll(async () => {
  await client?.end().catch(() => undefined);
  await dropSqlScratch(schema, admins);
});

interface Loads {
  /** How the text goes into the text COPY and the binary COPY. */
  text: TextCopyColumn[];
  binary: TextCopyColumn[];
  table: string;
  columns: TextColumn[];
  zone: SourceZone;
}

let tables = 0;

/** A table (id integer, v `type`) and how a source column of `kind` goes into it, as the writer would ask. */
async function loadsInto(type: string, kind: TextKind, zone: SourceZone = plus8): Promise<Loads> {
  const table = `t${++tables}`;
  await client.query(`CREATE TABLE "${schema}"."${table}" (id integer NOT NULL, v ${type})`);
  const meta = await describePostgresTable(client, { schema, table });
  if (!meta) throw new Error(`${table} not described`);
  const columns: TextColumn[] = [
    { name: 'id', kind: 'integer' },
    { name: 'v', kind },
  ];
  const binary = columns.map((c, i) => textCopyColumn(c, meta.columns[i] as (typeof meta.columns)[number], zone, zone));
  if (binary.some((b) => b?.binary === undefined)) throw new Error(`${type} has no binary form for ${kind}`);
  const how = binary as TextCopyColumn[];
  return { text: how.map(({ escape, suffix }) => ({ escape, suffix })), binary: how, table, columns, zone };
}

type Outcome = { stored: (string | null)[] } | { refused: string };

/** COPY `data` into the table, and what it holds then (or the server's SQLSTATE); the table is emptied again. */
async function load(loads: Loads, data: Buffer): Promise<Outcome> {
  const target = `"${schema}"."${loads.table}"`;
  const format = isBinaryCopy(data) ? ' (FORMAT binary)' : '';
  try {
    await copyIn(client, `COPY ${target} (id, v) FROM STDIN${format}`, data);
    const { rows } = await client.query<{ v: string | null }>(`SELECT v::text AS v FROM ${target} ORDER BY id`);
    return { stored: rows.map((r) => r.v) };
  } catch (e) {
    return { refused: String((e as { code?: unknown }).code) };
  } finally {
    await client.query(`TRUNCATE ${target}`);
  }
}

/** Each of `texts` alone: binary and text land the same; binary exactly for those not in `asText`. */
async function expectSameOneByOne(loads: Loads, texts: readonly string[], asText: readonly string[] = []): Promise<void> {
  for (const text of [...texts, ...asText]) {
    const rows = textRows(loads.columns, [['1', text]], 'mysql', loads.zone);
    const binaryData = copyBufferOfText(rows, loads.binary);
    expect({ text, binary: isBinaryCopy(binaryData) }).toEqual({ text, binary: !asText.includes(text) });
    const viaText = await load(loads, copyBufferOfText(rows, loads.text));
    const viaBinary = await load(loads, binaryData);
    expect({ text, outcome: viaBinary }).toEqual({ text, outcome: viaText });
  }
}

/** Many values in one batch each way: the same rows in the same order. */
async function expectSameInBulk(loads: Loads, texts: readonly (string | null)[]): Promise<void> {
  const rows = textRows(loads.columns, texts.map((t, i) => [String(i + 1), t]), 'mysql', loads.zone);
  const binaryData = copyBufferOfText(rows, loads.binary);
  expect(isBinaryCopy(binaryData)).toBe(true);
  const viaText = await load(loads, copyBufferOfText(rows, loads.text));
  expect(viaText).toHaveProperty('stored');
  expect(await load(loads, binaryData)).toEqual(viaText);
}

const NOT_INTEGERS = ['1.0', ' 1', '1 ', '+1', '', '1e3', '0x10', 'abc', '-', '--1'];

describe('binary COPY of source text against PostgreSQL: the same values as text COPY', () => {
  it('smallint, integer, bigint: every value in range, leading zeros; the rest as text', async () => {
    await expectSameOneByOne(await loadsInto('smallint', 'integer'), ['0', '-0', '1', '-1', '32767', '-32768', '00012'], ['32768', '-32769', ...NOT_INTEGERS]);
    await expectSameOneByOne(await loadsInto('integer', 'integer'), ['2147483647', '-2147483648', '42'], ['2147483648', '-2147483649', '123456789012345', ...NOT_INTEGERS]);
    await expectSameOneByOne(
      await loadsInto('bigint', 'integer'),
      ['9223372036854775807', '-9223372036854775808', '999999999999999', '1234567890123456', '-1234567890123456789', '9007199254740993'],
      ['9223372036854775808', '-9223372036854775809', '12345678901234567890', ...NOT_INTEGERS],
    );
  });

  it('numeric: scale as written, zero, long values, the typmod rounding and overflow as the server applies them', async () => {
    const numbers = [
      '0', '-0', '0.00', '-0.00', '1', '-1', '10000', '9999', '99999999', '12345678.9', '0.0001', '0.00001234', '-0.5', '1.50', '0000.0100',
      '123456789012345678901234567890.123456789012345678901234567890', `1${'0'.repeat(400)}`, `0.${'0'.repeat(300)}1`, '-98765.43210',
    ];
    const notCanonical = ['1.', '.5', '1e5', 'NaN', '', ' 1', '+1', '1,5', '1.2.3', '-', `1${'1'.repeat(1000)}`];
    await expectSameOneByOne(await loadsInto('numeric', 'decimal'), numbers, notCanonical);
    await expectSameOneByOne(await loadsInto('numeric(5,2)', 'decimal'), ['123.45', '123.455', '-999.994', '999.995', '0.001', '-0.005', '1000', '12'], []);
    await expectSameOneByOne(await loadsInto('numeric(3,0)', 'integer'), ['999', '-999', '1000', '0'], ['1e2']);
  });

  it('double precision: exact and rounded decimals, extremes; what float8in refuses goes as text', async () => {
    const doubles = [
      '0', '-0', '1', '-1.5', '3.141592653589793', '0.1', '0.30000000000000004', '12345.678901234567', '-0.000001', '1.5E+10', '1e308',
      '1.7976931348623157e308', '4.9e-324', '2.2250738585072014e-308', '123456789012345678', '9007199254740993', '.5', '-.5', '00.5',
      '0.0000000000000000000001', '0.00000000000000000000001', '1234567890.1234567',
    ];
    await expectSameOneByOne(await loadsInto('double precision', 'float'), doubles, ['1e-400', '1e400', '-1e400', 'NaN', 'Infinity', 'inf', '', '1.', '.', ' 1', '1e', '0x1']);
  });

  it('boolean from 0 and 1; other spellings as text', async () => {
    await expectSameOneByOne(await loadsInto('boolean', 'integer'), ['0', '1'], ['2', 't', 'true', '', '01']);
  });

  it('date: real days of years 1–9999; zero dates and other spellings as text', async () => {
    const dates = ['2024-02-29', '2023-02-28', '0001-01-01', '9999-12-31', '2000-01-01', '1999-12-31', '1970-01-01', '1582-10-10', '1600-02-29', '2100-12-31'];
    const notCanonical = ['0000-00-00', '2023-02-29', '1900-02-29', '2024-13-01', '2024-04-31', '2024-1-5', '2024-01-01 00:00:00', '20240101', '2024/01/01', ''];
    await expectSameOneByOne(await loadsInto('date', 'date'), dates, notCanonical);
  });

  it('time: fractions to the microsecond and the typmod rounding; MySQL times beyond a day as text', async () => {
    const times = ['00:00:00', '23:59:59.999999', '12:34:56.5', '01:02:03.000001', '23:59:59.9995'];
    const notCanonical = ['24:00:00', '-01:00:00', '100:00:00', '1:02:03', '12:34:56.1234567', '12:34', '12:34:60', '12:34:56.', ''];
    await expectSameOneByOne(await loadsInto('time', 'time'), times, notCanonical);
    await expectSameOneByOne(await loadsInto('time(3)', 'time'), times, []);
  });

  it('timestamp and timestamptz: the wall clock, less the source offset for timestamptz; any year; the typmod rounding', async () => {
    const stamps = [
      '2024-03-05 12:34:56', '2024-03-05 12:34:56.789', '2024-03-05 12:34:56.123456', '0001-01-01 00:00:00', '9999-12-31 23:59:59.999999',
      '1969-12-31 23:59:59.999999', '2000-01-01 00:00:00', '1600-02-29 00:00:00', '2024-03-05 12:34:56.9996', '9999-12-31 23:59:59.9999',
    ];
    const notCanonical = ['0000-00-00 00:00:00', '2024-03-05T12:34:56', '2024-03-05 12:34', '2024-03-05 24:00:00', '2024-02-30 00:00:00', '2024-03-05'];
    await expectSameOneByOne(await loadsInto('timestamp', 'datetime'), stamps, notCanonical);
    await expectSameOneByOne(await loadsInto('timestamp(3)', 'datetime'), stamps, []);
    await expectSameOneByOne(await loadsInto('timestamptz', 'datetime', plus8), stamps, notCanonical);
    await expectSameOneByOne(await loadsInto('timestamptz(0)', 'datetime', minus0530), stamps, []);
  });

  it('text, varchar, char, json, jsonb: the bytes as they are; length, encoding and document checks as for text', async () => {
    const strings = ['', 'plain', 'a\\b\tc\nd\re \\N', '✓ 😀 中 "q" \u0080\u07ff\u0800', 'x'.repeat(5000), 'a\u0000b', '   '];
    await expectSameOneByOne(await loadsInto('text', 'text'), strings);
    await expectSameOneByOne(await loadsInto('varchar(5)', 'text'), ['abcde', 'abcdef', 'abcde   ', '中文字符五', '中文字符五六', '']);
    await expectSameOneByOne(await loadsInto('char(3)', 'text'), ['ab', 'abcd', 'abc   ', '', '中']);
    await expectSameOneByOne(await loadsInto('varchar(12)', 'integer'), ['123456789012', '1234567890123']);
    const documents = ['{"a": 1}', '[1, 2]', ' {"b" : 2 } ', '{"b": 1, "a": [1, 2.50, 1e400]}', '{"a": 1, "a": 2}', '"\\u0000"', '{"a":', '', 'null'];
    await expectSameOneByOne(await loadsInto('json', 'text'), documents);
    await expectSameOneByOne(await loadsInto('jsonb', 'json'), documents);
  });

  it('NULLs of every type, in one batch with values', async () => {
    await expectSameInBulk(await loadsInto('numeric', 'decimal'), [null, '1.5', null]);
    await expectSameInBulk(await loadsInto('timestamptz', 'datetime', minus0530), [null, '2024-03-05 12:34:56.5', null]);
    await expectSameInBulk(await loadsInto('jsonb', 'json'), [null, '{}', null]);
  });
});

/** A small deterministic generator (the same values every run). */
function generator(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Math.floor((s / 4294967296) * n);
  };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

describe('binary COPY of source text against PostgreSQL: thousands of random values per type', () => {
  const COUNT = 3000;
  const next = generator(20261206);
  const digits = (n: number): string => Array.from({ length: n }, () => String(next(10))).join('');
  const sign = (): string => (next(2) === 0 ? '-' : '');

  it('integers of every width', async () => {
    const ints = (max: number): string[] => Array.from({ length: COUNT }, () => `${sign()}${next(max)}`);
    await expectSameInBulk(await loadsInto('smallint', 'integer'), ints(32768));
    await expectSameInBulk(await loadsInto('integer', 'integer'), ints(2147483648));
    await expectSameInBulk(await loadsInto('bigint', 'integer'), Array.from({ length: COUNT }, () => `${sign()}${String(BigInt(`1${digits(18)}`) % 9223372036854775807n)}`));
  });

  it('decimals of any length and scale, with and without a typmod', async () => {
    const decimal = (intDigits: number, scale: number): string => `${sign()}${digits(Math.max(1, intDigits))}${scale > 0 ? `.${digits(scale)}` : ''}`;
    const values = Array.from({ length: COUNT }, () => decimal(next(40), next(30)));
    await expectSameInBulk(await loadsInto('numeric', 'decimal'), values);
    await expectSameInBulk(await loadsInto('numeric(14,2)', 'decimal'), Array.from({ length: COUNT }, () => decimal(next(12), next(6))));
  });

  it('doubles from random bit patterns, in the shortest and in 17 significant digits', async () => {
    const bits = new DataView(new ArrayBuffer(8));
    const values: string[] = [];
    while (values.length < COUNT) {
      bits.setUint32(0, next(4294967296));
      bits.setUint32(4, next(4294967296));
      const v = bits.getFloat64(0);
      if (!Number.isFinite(v)) continue;
      values.push(String(v), v.toPrecision(17), (v / 1e300).toString());
    }
    await expectSameInBulk(await loadsInto('double precision', 'float'), values);
  });

  it('dates, times and date-times across the years 1–9999 at every fraction length', async () => {
    const date = (): string => {
      const year = 1 + next(9999);
      const month = 1 + next(12);
      return `${pad(year, 4)}-${pad(month, 2)}-${pad(1 + next(28), 2)}`;
    };
    const time = (): string => {
      const fraction = next(7);
      return `${pad(next(24), 2)}:${pad(next(60), 2)}:${pad(next(60), 2)}${fraction > 0 ? `.${digits(fraction)}` : ''}`;
    };
    await expectSameInBulk(await loadsInto('date', 'date'), Array.from({ length: COUNT }, date));
    await expectSameInBulk(await loadsInto('time(4)', 'time'), Array.from({ length: COUNT }, time));
    const stamps = Array.from({ length: COUNT }, () => `${date()} ${time()}`);
    await expectSameInBulk(await loadsInto('timestamp', 'datetime'), stamps);
    await expectSameInBulk(await loadsInto('timestamp(2)', 'datetime'), stamps);
    await expectSameInBulk(await loadsInto('timestamptz', 'datetime', minus0530), stamps);
  });
});
