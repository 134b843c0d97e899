import { describe, expect, it } from 'vitest';
import type { ColumnMapping } from '../../core/task-spec.ts';
import type { Row } from '../../core/values.ts';
import { parseColumnType } from '../../worker/column-type.ts';
import { convertValue } from '../../worker/convert.ts';
import { buildRowMapper } from '../../worker/mapping.ts';
import { zoneOf } from '../../core/normalise/time-zone.ts';
import { makeTask } from './engine-fixtures.ts';

const utc = zoneOf('UTC');
const gmt8 = zoneOf('GMT+08:00');

function conv(value: Parameters<typeof convertValue>[0], type: string, length?: string, zone = utc) {
  const t = parseColumnType(type, length);
  if (!t) throw new Error('no type');
  return convertValue(value, t, zone);
}

function mapper(columns: Partial<ColumnMapping>[], extra: Parameters<typeof makeTask>[0] = {}) {
  return buildRowMapper(
    makeTask({
      ...extra,
      mapping: { required: true, columns: columns.map((c) => ({ source: '', target: '', constant: false, ...c })) },
    }),
  );
}

describe('mapping: column types', () => {
  it('reads type names, parameters and lengths', () => {
    expect(parseColumnType('VARCHAR', '255')).toMatchObject({ kind: 'string', maxLength: 255 });
    expect(parseColumnType('character varying(20)')).toMatchObject({ kind: 'string', maxLength: 20 });
    expect(parseColumnType('DECIMAL', '10,2')).toMatchObject({ kind: 'decimal', precision: 10, scale: 2 });
    expect(parseColumnType('numeric(12, 4)')).toMatchObject({ kind: 'decimal', precision: 12, scale: 4 });
    expect(parseColumnType('DECIMAL', '10')).toMatchObject({ kind: 'decimal', precision: 10 });
    expect(parseColumnType('DECIMAL', '10')?.scale).toBeUndefined();
    expect(parseColumnType('INT', '11')).toMatchObject({ kind: 'integer', min: -(2n ** 31n), max: 2n ** 31n - 1n });
    expect(parseColumnType('int unsigned')).toMatchObject({ kind: 'integer', min: 0n, max: 2n ** 32n - 1n });
    expect(parseColumnType('timestamp(3) with time zone')).toMatchObject({ kind: 'datetime' });
    expect(parseColumnType('bit', '1')).toMatchObject({ kind: 'boolean' });
    expect(parseColumnType('geometry')).toMatchObject({ kind: 'unknown' });
    expect(parseColumnType('  ')).toBeUndefined();
  });
});

describe('mapping: conversion', () => {
  it('integers stay exact: bigint beyond 2^53, range checked per type', () => {
    expect(conv('42', 'int')).toEqual({ ok: true, value: 42 });
    expect(conv(' -7 ', 'smallint')).toEqual({ ok: true, value: -7 });
    expect(conv('9223372036854775807', 'bigint')).toEqual({ ok: true, value: 9223372036854775807n });
    expect(conv(9007199254740993n, 'bigint')).toEqual({ ok: true, value: 9007199254740993n });
    expect(conv('5.0', 'int')).toEqual({ ok: true, value: 5 });
    expect(conv(true, 'tinyint')).toEqual({ ok: true, value: 1 });
    expect(conv('9223372036854775808', 'bigint').ok).toBe(false);
    expect(conv(128, 'tinyint')).toMatchObject({ ok: false, reason: expect.stringContaining('out of range') });
    expect(conv(-1, 'int unsigned').ok).toBe(false);
    expect(conv(3.5, 'int')).toMatchObject({ ok: false, reason: expect.stringContaining('not an integer') });
    expect(conv('12abc', 'int').ok).toBe(false);
    expect(conv(new Date(0), 'int').ok).toBe(false);
  });

  it('decimals are exact strings, rounded to the scale, precision checked', () => {
    expect(conv('12.345', 'decimal', '10,2')).toEqual({ ok: true, value: '12.35' });
    expect(conv('-12.345', 'decimal', '10,2')).toEqual({ ok: true, value: '-12.35' });
    expect(conv('0.004', 'decimal', '10,2')).toEqual({ ok: true, value: '0' });
    expect(conv('99999999.995', 'decimal', '10,2').ok).toBe(false);
    expect(conv('99999999.994', 'decimal', '10,2')).toEqual({ ok: true, value: '99999999.99' });
    expect(conv('123456789012345678901234567890.123456789', 'numeric')).toEqual({
      ok: true,
      value: '123456789012345678901234567890.123456789',
    });
    expect(conv(0.1, 'decimal')).toEqual({ ok: true, value: '0.1' });
    expect(conv(1e21, 'decimal')).toEqual({ ok: true, value: '1000000000000000000000' });
    expect(conv('1.5e-3', 'decimal')).toEqual({ ok: true, value: '0.0015' });
    expect(conv(12345678901234567890n, 'decimal', '20,0')).toEqual({ ok: true, value: '12345678901234567890' });
    expect(conv('007.50', 'decimal')).toEqual({ ok: true, value: '7.5' });
    expect(conv('-0.00', 'decimal')).toEqual({ ok: true, value: '0' });
    expect(conv('123456', 'decimal', '5,2')).toMatchObject({ ok: false, reason: expect.stringContaining('3 digit(s) before the point') });
    expect(conv('abc', 'decimal').ok).toBe(false);
    expect(conv(Number.NaN, 'decimal').ok).toBe(false);
  });

  it('strings: length in characters, not bytes; too long is dirty', () => {
    expect(conv('日本語', 'varchar', '3')).toEqual({ ok: true, value: '日本語' });
    expect(conv('日本語!', 'varchar', '3')).toMatchObject({ ok: false, reason: expect.stringContaining('4 characters') });
    expect(conv(42n, 'varchar', '5')).toEqual({ ok: true, value: '42' });
    expect(conv({ a: 1 }, 'text')).toEqual({ ok: true, value: '{"a":1}' });
    expect(conv(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), 'varchar', '64', gmt8)).toEqual({ ok: true, value: '2024-01-02 11:04:05.006' });
  });

  it('booleans from the usual spellings; anything else is dirty', () => {
    expect(conv('TRUE', 'boolean')).toEqual({ ok: true, value: true });
    expect(conv('0', 'bool')).toEqual({ ok: true, value: false });
    expect(conv(1, 'boolean')).toEqual({ ok: true, value: true });
    expect(conv('maybe', 'boolean').ok).toBe(false);
    expect(conv(2, 'boolean').ok).toBe(false);
  });

  it('date/time without a zone is read in the source time zone', () => {
    expect(conv('2024-03-01 08:00:00', 'datetime', undefined, gmt8)).toEqual({ ok: true, value: new Date('2024-03-01T00:00:00Z') });
    expect(conv('2024-03-01T08:00:00.5', 'timestamp', undefined, utc)).toEqual({ ok: true, value: new Date('2024-03-01T08:00:00.500Z') });
    expect(conv('2024-03-01 08:00:00+02:00', 'datetime', undefined, gmt8)).toEqual({ ok: true, value: new Date('2024-03-01T06:00:00Z') });
    expect(conv('2024/03/01', 'datetime', undefined, gmt8)).toEqual({ ok: true, value: new Date('2024-02-29T16:00:00Z') });
    expect(conv(0, 'datetime')).toEqual({ ok: true, value: new Date(0) });
    expect(conv('2024-02-30 00:00:00', 'datetime').ok).toBe(false);
    expect(conv('yesterday', 'datetime').ok).toBe(false);
    expect(conv('2024-03-01 25:00:00', 'datetime').ok).toBe(false);
    // A date is the calendar day the source zone shows
    expect(conv(new Date('2024-03-01T20:00:00Z'), 'date', undefined, gmt8)).toEqual({ ok: true, value: '2024-03-02' });
    expect(conv('2024-03-01', 'date')).toEqual({ ok: true, value: '2024-03-01' });
    expect(conv('7:05', 'time')).toEqual({ ok: true, value: '07:05:00' });
    expect(conv('24:00:00', 'time').ok).toBe(false);
  });

  it('json from text is parsed; invalid JSON is dirty', () => {
    expect(conv('{"a":[1,2]}', 'json')).toEqual({ ok: true, value: { a: [1, 2] } });
    expect(conv({ a: 1 }, 'jsonb')).toEqual({ ok: true, value: { a: 1 } });
    expect(conv('{"a":', 'json')).toMatchObject({ ok: false, reason: expect.stringContaining('invalid JSON') });
  });

  it('unknown types pass through untouched; null stays null', () => {
    const v = { x: 1 };
    expect(conv(v, 'geometry')).toEqual({ ok: true, value: v });
    expect(conv(null, 'int')).toEqual({ ok: true, value: null });
  });
});

describe('mapping: rows', () => {
  it('pass-through when mappingRequired is false', () => {
    const m = buildRowMapper(makeTask());
    const row: Row = { a: 1 };
    expect(m.passThrough).toBe(true);
    expect(m.map(row)).toEqual({ ok: true, row });
  });

  it('maps columns, constants, JSON paths and case-insensitive names; missing sources are null and reported once', () => {
    const m = mapper([
      { source: 'ID', target: 'id', targetType: 'int' },
      { source: 'user.name', target: 'name', targetType: 'varchar', targetLength: '10' },
      { source: 'tags[1]', target: 'tag' },
      { source: '2024-01-01 00:00:00', target: 'loaded_at', targetType: 'datetime', constant: true },
      { source: 'absent', target: 'maybe' },
    ]);
    const r = m.map({ id: '7', user: { name: 'Ann' }, tags: ['a', 'b'] });
    expect(r).toEqual({
      ok: true,
      row: { id: 7, name: 'Ann', tag: 'b', loaded_at: new Date('2023-12-31T16:00:00Z'), maybe: null },
    });
    expect(m.takeMissingColumns()).toEqual(['absent']);
    m.map({ id: 1, user: { name: 'B' }, tags: ['x', 'y'] });
    expect(m.takeMissingColumns()).toEqual([]);
  });

  it('null for a non-nullable target column is dirty', () => {
    const m = mapper([{ source: 'a', target: 'A', targetNullable: false }]);
    expect(m.map({ a: null })).toMatchObject({ ok: false, column: 'A', reason: expect.stringContaining('non-nullable') });
  });

  it('the source time zone comes from the incremental settings', () => {
    const m = mapper([{ source: 't', target: 'T', targetType: 'timestamp' }], {
      source: {
        isAddSql: false,
        selectedColumns: [],
        where: [],
        isParse: true,
        metaData: [],
        extra: {},
        incremental: { dateColumn: 't', dataTimestamp: 0, timeZone: 'GMT-05:00', compensationMs: 0, resetBeginTime: false },
      },
    });
    expect(m.map({ t: '2024-01-01 00:00:00' })).toEqual({ ok: true, row: { T: new Date('2024-01-01T05:00:00Z') } });
  });

  it('a constant that cannot be converted makes every record dirty with the reason', () => {
    const m = mapper([{ source: 'abc', target: 'N', targetType: 'int', constant: true }]);
    expect(m.map({})).toMatchObject({ ok: false, column: 'N', reason: expect.stringContaining('constant') });
  });
});

describe('mapping: rows that need no copy', () => {
  const plain = mapper([
    { source: 'id', target: 'id' },
    { source: 'name', target: 'name' },
  ]);
  const mapped = (m: ReturnType<typeof mapper>, row: Row): Row => {
    const r = m.map(row);
    if (!r.ok) throw new Error(r.reason);
    return r.row;
  };

  it('a row with exactly the mapped fields, in order, goes on as it is', () => {
    const row: Row = { id: 1, name: 'a' };
    expect(mapped(plain, row)).toBe(row);
    const nulls: Row = { id: null, name: null };
    expect(mapped(plain, nulls)).toBe(nulls);
  });

  it('any other row is copied field by field, as before', () => {
    for (const row of [{ name: 'a', id: 1 }, { id: 1, name: 'a', extra: true }, { id: 1 }, { ID: 1, name: 'a' }] as Row[]) {
      const out = mapped(plain, row);
      expect(out).not.toBe(row);
      expect(Object.keys(out)).toEqual(['id', 'name']);
    }
    expect(mapped(plain, { name: 'a', id: 1 })).toEqual({ id: 1, name: 'a' });
    expect(mapped(plain, { ID: 7, name: 'a' })).toEqual({ id: 7, name: 'a' });
  });

  it('a mapping that renames, types, adds a constant or refuses nulls always copies', () => {
    const row: Row = { id: 1, name: 'a' };
    for (const columns of [
      [{ source: 'id', target: 'id' }, { source: 'name', target: 'label' }],
      [{ source: 'id', target: 'id', targetType: 'VARCHAR' }, { source: 'name', target: 'name' }],
      [{ source: 'id', target: 'id' }, { source: 'name', target: 'name', targetNullable: false }],
      [{ source: 'id', target: 'id' }, { source: 'name', target: 'name' }, { source: 'x', target: 'k', constant: true }],
    ]) {
      expect(mapped(mapper(columns), row)).not.toBe(row);
    }
  });
});
