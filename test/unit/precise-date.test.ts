import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { zoneOf } from '../../core/normalise/time-zone.ts';
import { dateWithMicros, microsecondOf, PreciseDate, subMillisecondMicrosOfText } from '../../core/values.ts';
import { rowToJson } from '../../connectors/kafka/encode.ts';
import { rowConverter } from '../../connectors/mysql/values.ts';
import { mysqlParam } from '../../connectors/mysql/values.ts';
import { typeParsers } from '../../connectors/postgresql/connection.ts';
import { postgresParam } from '../../connectors/postgresql/values.ts';
import type { ColumnMeta } from '../../connectors/sql/catalog.ts';
import { dateToMicros, epochMsToLocalText } from '../../connectors/sql/instant.ts';
import { parseColumnType } from '../../worker/column-type.ts';
import { convertValue } from '../../worker/convert.ts';

const utc = zoneOf('UTC');
const shanghai = zoneOf('Asia/Shanghai');
const plus8 = zoneOf('GMT+08:00');

function column(dataType: string): ColumnMeta {
  return { name: 'c', dataType } as ColumnMeta;
}

describe('PreciseDate', () => {
  it('is a Date at its millisecond and prints six fraction digits', () => {
    const d = new PreciseDate(Date.UTC(2024, 4, 1, 10, 0, 0, 123), 456);
    expect(d).toBeInstanceOf(Date);
    expect(d.getTime()).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 123));
    expect(d.toISOString()).toBe('2024-05-01T10:00:00.123456Z');
    expect(JSON.stringify({ d })).toBe('{"d":"2024-05-01T10:00:00.123456Z"}');
    expect(microsecondOf(d)).toBe(456);
    expect(microsecondOf(new Date(0))).toBe(0);
    expect(dateToMicros(d)).toBe(1714557600123456n);
  });

  it('before 1970 the millisecond is floored and the microsecond counts up from it', () => {
    const d = new PreciseDate(-1, 999);
    expect(d.toISOString()).toBe('1969-12-31T23:59:59.999999Z');
    expect(dateToMicros(d)).toBe(-1n);
  });

  it('is a plain Date when there is no microsecond, and refuses one out of range', () => {
    expect(dateWithMicros(5, 0)).not.toBeInstanceOf(PreciseDate);
    expect(dateWithMicros(5, 1)).toBeInstanceOf(PreciseDate);
    expect(() => new PreciseDate(0, 1000)).toThrow(RangeError);
    expect(() => new PreciseDate(0, 1.5)).toThrow(RangeError);
  });

  it('takes the 4th to 6th fraction digits of a date-time text', () => {
    expect(subMillisecondMicrosOfText('2024-05-01 10:00:00.123456')).toBe(456);
    expect(subMillisecondMicrosOfText('2024-05-01 10:00:00.1234')).toBe(400);
    expect(subMillisecondMicrosOfText('2024-05-01 10:00:00.12345')).toBe(450);
    expect(subMillisecondMicrosOfText('2024-05-01 10:00:00.123')).toBe(0);
    expect(subMillisecondMicrosOfText('2024-05-01 10:00:00')).toBe(0);
    expect(subMillisecondMicrosOfText('2024-05-01 10:00:00.000001+08')).toBe(1);
    expect(subMillisecondMicrosOfText('2024-05-01 10:00:00.5+05:30')).toBe(0);
    expect(subMillisecondMicrosOfText('2024-05-01 10:00:00.123456789')).toBe(456);
  });
});

describe('microseconds through the connectors and the mapping', () => {
  it('the MySQL reader keeps them; the MySQL and PostgreSQL writers write them', () => {
    const convert = rowConverter([{ name: 'dt', columnType: 12 }], new Set(), plus8);
    const row = convert({ dt: '2024-05-01 18:00:00.000007' });
    const d = row.dt as Date;
    expect(d.toISOString()).toBe('2024-05-01T10:00:00.000007Z');
    expect(mysqlParam(d, column('datetime'), plus8)).toBe('2024-05-01 18:00:00.000007');
    expect(mysqlParam(d, column('datetime'), shanghai)).toBe('2024-05-01 18:00:00.000007');
    expect(mysqlParam(d, column('time'), utc)).toBe('10:00:00.000007');
    expect(postgresParam(d, column('timestamptz'), utc)).toBe('2024-05-01T10:00:00.000007Z');
    expect(postgresParam(d, column('timestamp'), utc)).toBe('2024-05-01 10:00:00.000007');
    expect(postgresParam(d, column('timestamp'), shanghai)).toBe('2024-05-01 18:00:00.000007');
    expect(epochMsToLocalText(d.getTime(), utc)).toBe('2024-05-01 10:00:00.000000');
  });

  it('the PostgreSQL reader keeps them for timestamp and timestamptz', () => {
    const parsers = typeParsers(pg.types, utc);
    const tz = parsers.getTypeParser(1184)('2024-05-01 18:00:00.654321+08') as Date;
    expect(tz.toISOString()).toBe('2024-05-01T10:00:00.654321Z');
    const local = parsers.getTypeParser(1114)('2024-05-01 10:00:00.000999') as Date;
    expect(local.toISOString()).toBe('2024-05-01T10:00:00.000999Z');
    expect(parsers.getTypeParser(1184)('infinity')).toBe(Infinity);
  });

  it('conversions to date-time and text keep them; Kafka JSON carries them', () => {
    const d = new PreciseDate(Date.UTC(2024, 4, 1, 10, 0, 0, 1), 2);
    const datetime = parseColumnType('timestamp(6)')!;
    expect(convertValue(d, datetime, utc)).toEqual({ ok: true, value: d });
    const fromText = convertValue('2024-05-01 18:00:00.123456', datetime, plus8);
    expect(fromText.ok && (fromText.value as Date).toISOString()).toBe('2024-05-01T10:00:00.123456Z');
    const fromIso = convertValue('2024-05-01T10:00:00.000001Z', datetime, plus8);
    expect(fromIso.ok && (fromIso.value as Date).toISOString()).toBe('2024-05-01T10:00:00.000001Z');
    expect(convertValue(d, parseColumnType('VARCHAR', '40')!, utc)).toEqual({ ok: true, value: '2024-05-01 10:00:00.001002' });
    expect(convertValue(new Date(Date.UTC(2024, 4, 1)), parseColumnType('VARCHAR', '40')!, utc)).toEqual({ ok: true, value: '2024-05-01 00:00:00.000' });
    expect(convertValue(d, parseColumnType('TIME')!, utc)).toEqual({ ok: true, value: '10:00:00.001002' });
    expect(rowToJson({ at: d })).toBe('{"at":"2024-05-01T10:00:00.001002Z"}');
  });
});
