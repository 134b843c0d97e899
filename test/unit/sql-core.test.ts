/**
 * The pure pieces of the relational connectors: identifier checks, the where builder for both dialects, instants
 * with microseconds across zones, data-source options, type mapping, CREATE TABLE, the upsert key and the
 * data-vs-target error classification.
 */
import { describe, expect, it } from 'vitest';
import { mysqlDataError } from '../../connectors/mysql/errors.ts';
import { parseMysqlOptions } from '../../connectors/mysql/options.ts';
import { postgresDataError } from '../../connectors/postgresql/errors.ts';
import { parsePostgresOptions } from '../../connectors/postgresql/options.ts';
import { OptionsError, TaskConfigError, type WhereCondition } from '../../connectors/sdk/index.ts';
import type { TableMeta } from '../../connectors/sql/catalog.ts';
import { mysqlDialect, postgresDialect } from '../../connectors/sql/dialect.ts';
import { checkIdentifier, parseTableName } from '../../connectors/sql/identifiers.ts';
import { isoToMicros, localTextToMicros, microsToIso, microsToLocalText } from '../../connectors/sql/instant.ts';
import { chooseKey, createTableSql, type PlannedColumn } from '../../connectors/sql/target-table.ts';
import { ddlType, parseSize, typeKind } from '../../connectors/sql/type-mapping.ts';
import { buildWhere, ParamList } from '../../connectors/sql/where.ts';
import { zoneOf } from '../../core/normalise/time-zone.ts';

describe('identifiers', () => {
  it.each(['orders', 'Orders_2024', 'таблица', '表格', 'a$b', 'with-dash', '_x'])('accepts %s', (name) => {
    expect(checkIdentifier(name, 'sourceTable')).toBe(name);
  });
  it.each(['x`; DROP TABLE y; --', 'a b', 'a"b', "a'b", 'a;b', 'a--', '', 'a.b', 'x'.repeat(65), '-lead', 'a/*b*/'])('refuses %j naming the field', (name) => {
    expect(() => checkIdentifier(name, 'targetTable')).toThrow(TaskConfigError);
    expect(() => checkIdentifier(name, 'targetTable')).toThrow(/^targetTable: /);
  });
  it('splits db.table and falls back to the schema field, then the default', () => {
    expect(parseTableName('shop.orders', 'sourceTable', 'ignored', 'app')).toEqual({ schema: 'shop', table: 'orders' });
    expect(parseTableName('orders', 'sourceTable', 'sales', 'app')).toEqual({ schema: 'sales', table: 'orders' });
    expect(parseTableName(' orders ', 'sourceTable', undefined, 'app')).toEqual({ schema: 'app', table: 'orders' });
    expect(() => parseTableName('a.b.c', 'sourceTable', undefined, 'app')).toThrow(/more than two parts/);
  });
  it('quotes with the dialect, doubling the quote character', () => {
    expect(mysqlDialect.quote('a`b')).toBe('`a``b`');
    expect(postgresDialect.quote('a"b')).toBe('"a""b"');
  });
});

describe('where builder', () => {
  const w = (op: WhereCondition['op'], extra: Partial<WhereCondition> = {}): WhereCondition => ({ andOr: 'AND', field: 'n', op, ...extra });
  const build = (conds: WhereCondition[], dialect = postgresDialect) => {
    const params = new ParamList(dialect);
    return { sql: buildWhere(conds, dialect, params), params: params.values };
  };
  it.each([
    [w('equal', { value: '1' }), '("n" = $1)', ['1']],
    [w('notEqual', { value: '1' }), '("n" <> $1)', ['1']],
    [w('less', { value: '1' }), '("n" < $1)', ['1']],
    [w('lessEqual', { value: '1' }), '("n" <= $1)', ['1']],
    [w('more', { value: '1' }), '("n" > $1)', ['1']],
    [w('moreEqual', { value: '1' }), '("n" >= $1)', ['1']],
    [w('isNull'), '("n" IS NULL)', []],
    [w('notNull'), '("n" IS NOT NULL)', []],
    [w('between', { minValue: '1', maxValue: '9' }), '("n" BETWEEN $1 AND $2)', ['1', '9']],
    [w('notBetween', { minValue: '1', maxValue: '9' }), '("n" NOT BETWEEN $1 AND $2)', ['1', '9']],
    [w('inList', { value: ' a, b ,,c' }), '("n" IN ($1, $2, $3))', ['a', 'b', 'c']],
    [w('notInList', { value: "x'; DROP TABLE t; --" }), '("n" NOT IN ($1))', ["x'; DROP TABLE t; --"]],
  ] as [WhereCondition, string, string[]][])('%o', (cond, sql, params) => {
    expect(build([cond])).toEqual({ sql, params });
  });
  it('joins with each condition’s own andor and numbers MySQL placeholders as ?', () => {
    const conds = [w('equal', { value: '1', andOr: 'OR' }), w('isNull', { field: 's' }), w('more', { field: 't', value: '2', andOr: 'OR' })];
    expect(build(conds, mysqlDialect)).toEqual({ sql: '(`n` = ? AND `s` IS NULL OR `t` > ?)', params: ['1', '2'] });
    expect(build([])).toEqual({ sql: undefined, params: [] });
  });
  it('refuses a missing value, an empty list and a hostile field, naming them', () => {
    expect(() => build([w('equal')])).toThrow(/^where\[0\]\.value: /);
    expect(() => build([w('between', { minValue: '1' })])).toThrow(/^where\[0\]\.maxValue: /);
    expect(() => build([w('inList', { value: ' , ' })])).toThrow(/^where\[0\]\.value: .*empty list/);
    expect(() => build([w('isNull'), w('isNull', { field: 'n) OR (1=1' })])).toThrow(/^where\[1\]\.field_name: /);
  });
});

describe('instants with microseconds', () => {
  const shanghai = zoneOf('GMT+08:00');
  it('reads a wall-clock text in a zone and writes it back unchanged', () => {
    const at = localTextToMicros('2024-05-01 10:00:00.000007', shanghai);
    expect(at).toBe(BigInt(Date.UTC(2024, 4, 1, 2)) * 1000n + 7n);
    expect(microsToLocalText(at, shanghai)).toBe('2024-05-01 10:00:00.000007');
    expect(microsToIso(at, shanghai)).toBe('2024-05-01T10:00:00.000007+08:00');
    expect(isoToMicros('2024-05-01T10:00:00.000007+08:00')).toBe(at);
    expect(isoToMicros('2024-05-01T02:00:00.000007Z')).toBe(at);
  });
  it('handles instants before 1970 and dates without a time', () => {
    const utc = zoneOf('UTC');
    const at = localTextToMicros('1969-12-31 23:59:59.999999', utc);
    expect(at).toBe(-1n);
    expect(microsToLocalText(at, utc)).toBe('1969-12-31 23:59:59.999999');
    expect(localTextToMicros('2024-02-29', utc)).toBe(BigInt(Date.UTC(2024, 1, 29)) * 1000n);
  });
  it('uses the offset in force for an IANA zone', () => {
    const ny = zoneOf('America/New_York');
    expect(microsToIso(BigInt(Date.UTC(2024, 6, 1, 12)) * 1000n, ny)).toBe('2024-07-01T08:00:00.000000-04:00');
    expect(microsToIso(BigInt(Date.UTC(2024, 0, 1, 12)) * 1000n, ny)).toBe('2024-01-01T07:00:00.000000-05:00');
  });
  it('refuses text that is not a date-time', () => {
    expect(() => localTextToMicros('yesterday', shanghai)).toThrow(/not a date-time/);
    expect(() => isoToMicros('2024-05-01T10:00:00')).toThrow(/zone/);
  });
});

describe('data-source options', () => {
  it('default mode with defaults', () => {
    expect(parsePostgresOptions({ host: 'db', database_name: 'app', user_name: 'u' })).toMatchObject({
      mode: 'default', host: 'db', port: 5432, database: 'app', user: 'u', password: '', connectTimeoutMs: 10_000,
    });
    expect(parseMysqlOptions({ host: '10.0.0.1', port: '3307', database_name: 'app', user_name: 'u', password: 'p', mysql_timeout: 3 })).toMatchObject({
      port: 3307, connectTimeoutMs: 3000, charset: 'UTF8MB4_UNICODE_CI',
    });
    expect(parseMysqlOptions({ host: 'h', database_name: 'd', user_name: 'u', encoding: 'gbk' }).charset).toBe('GBK');
  });
  it('professional mode reads JDBC and native URLs; the user fields win', () => {
    expect(parseMysqlOptions({ mode: 'professional', url: 'jdbc:mysql://db.example:3310/shop?useSSL=true', user_name: 'u', password: 'p' })).toMatchObject({
      host: 'db.example', port: 3310, database: 'shop', user: 'u', password: 'p', urlParams: { useSSL: 'true' },
    });
    expect(parsePostgresOptions({ mode: 'professional', url: 'postgres://a:b%40c@h/d' })).toMatchObject({ host: 'h', port: 5432, database: 'd', user: 'a', password: 'b@c' });
  });
  it.each([
    [{ database_name: 'd', user_name: 'u' }, 'host'],
    [{ host: 'h', user_name: 'u' }, 'database_name'],
    [{ host: 'h', database_name: 'd' }, 'user_name'],
    [{ host: 'h; rm -rf', database_name: 'd', user_name: 'u' }, 'host'],
    [{ host: 'h', database_name: 'd', user_name: 'u', port: '70000' }, 'port'],
    [{ host: 'h', database_name: 'd', user_name: 'u', mysql_timeout: 0 }, 'mysql_timeout'],
    [{ host: 'h', database_name: 'd', user_name: 'u', mode: 'multiAddress' }, 'mode'],
    [{ mode: 'professional', user_name: 'u' }, 'url'],
    [{ mode: 'professional', url: 'jdbc:oracle:thin:@h:1521:x', user_name: 'u' }, 'url'],
    [{ mode: 'professional', url: 'mysql://h:3306/', user_name: 'u' }, 'url'],
    [{ host: 'h', database_name: 'd', user_name: 'u', encoding: 'klingon' }, 'encoding'],
    [{ host: 'h', database_name: 'd', user_name: 'u', time_zone: 'Mars/Olympus' }, 'time_zone'],
  ] as [Record<string, string | number>, string][])('%o is an OptionsError naming %s', (content, field) => {
    let err: unknown;
    try {
      parseMysqlOptions(content);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OptionsError);
    expect((err as OptionsError).field).toBe(field);
  });
});

describe('type mapping', () => {
  it.each([
    ['INT', 'int'], ['int(11) unsigned', 'int'], ['BIGINT', 'bigint'], ['int8', 'bigint'], ['DECIMAL', 'decimal'],
    ['character varying', 'varchar'], ['VARCHAR2', 'varchar'], ['timestamp with time zone', 'timestamptz'],
    ['timestamp(6) with time zone', 'timestamptz'], ['DATETIME', 'timestamp'], ['jsonb', 'json'], ['bytea', 'binary'],
    ['geometry', undefined],
  ])('%s → %s', (name, kind) => {
    expect(typeKind(name)).toBe(kind);
  });
  it('keeps precision and scale, and never rounds a decimal whose scale is unknown', () => {
    expect(ddlType('postgresql', 'decimal', parseSize('12,2', 'DECIMAL'))).toBe('numeric(12,2)');
    expect(ddlType('mysql', 'decimal', parseSize(undefined, 'decimal(10,4)'))).toBe('DECIMAL(10,4)');
    expect(ddlType('mysql', 'decimal', parseSize('10', 'DECIMAL'))).toBe('DECIMAL(65,30)');
    expect(ddlType('postgresql', 'decimal', parseSize('10', 'numeric'))).toBe('numeric');
    expect(ddlType('mysql', 'varchar', parseSize('40', 'VARCHAR'))).toBe('VARCHAR(40)');
    expect(ddlType('postgresql', 'varchar', parseSize('', 'varchar'))).toBe('varchar');
  });
  it('creates a table from planned columns with the key as primary key and the batch-number column', () => {
    const cols: PlannedColumn[] = [
      { name: 'id', field: 'm[0].targetColumn', typeField: 'm[0].targetColumnType', type: 'BIGINT', key: true },
      { name: 'amount', field: 'm[1].targetColumn', typeField: 'm[1].targetColumnType', type: 'decimal', length: '12,2', key: false, nullable: false },
    ];
    expect(createTableSql(postgresDialect, { schema: 's', table: 't' }, cols, 'batch_no')).toBe(
      'CREATE TABLE IF NOT EXISTS "s"."t" ("id" bigint NOT NULL, "amount" numeric(12,2) NOT NULL, "batch_no" varchar(64), PRIMARY KEY ("id"))',
    );
    expect(() => createTableSql(mysqlDialect, { schema: 's', table: 't' }, [{ ...cols[0] as PlannedColumn, type: 'geometry' }], undefined)).toThrow(/^m\[0\]\.targetColumnType: /);
    expect(() => createTableSql(mysqlDialect, { schema: 's', table: 't' }, [], undefined)).toThrow(/^targetNeedCreateTable: /);
  });
  it('chooses the upsert key: the marked key, else the primary key, else a written unique key, else none', () => {
    const meta: TableMeta = { ref: { schema: 's', table: 't' }, columns: [], primaryKey: ['id'], uniqueKeys: [['code'], ['a', 'b']] };
    expect(chooseKey(meta, ['id', 'code', 'a', 'b'], ['b', 'a'])).toEqual(['a', 'b']);
    expect(chooseKey(meta, ['id', 'code'], [])).toEqual(['id']);
    expect(chooseKey(meta, ['code', 'x'], [])).toEqual(['code']);
    expect(chooseKey(meta, ['x'], [])).toEqual([]);
  });
});

describe('data errors versus target errors', () => {
  it('MySQL: by errno, with the column from MySQL or MariaDB messages', () => {
    expect(mysqlDataError({ errno: 1406, code: 'ER_DATA_TOO_LONG', sqlMessage: "Data too long for column 'name' at row 1" })).toEqual({
      reason: "ER_DATA_TOO_LONG (1406): Data too long for column 'name' at row 1", column: 'name',
    });
    expect(mysqlDataError({ errno: 1366, code: 'X', sqlMessage: "Incorrect integer value: 'a' for column `db`.`t`.`n` at row 1" })?.column).toBe('n');
    expect(mysqlDataError({ errno: 4025, code: 'ER_CONSTRAINT_FAILED', sqlMessage: 'CONSTRAINT `chk` failed for `db`.`t`' })?.column).toBe('chk');
    for (const errno of [1146, 1045, 2013, 1213, 1105]) expect(mysqlDataError({ errno, sqlMessage: 'Data too long for column' })).toBeUndefined();
    expect(mysqlDataError(new Error('connect ECONNREFUSED'))).toBeUndefined();
  });
  it('PostgreSQL: by SQLSTATE class, with the column or the key', () => {
    expect(postgresDataError({ code: '23502', message: 'null value in column "n"', column: 'n' })).toEqual({ reason: '23502: null value in column "n"', column: 'n' });
    expect(postgresDataError({ code: '23505', message: 'duplicate key', detail: 'Key (code)=(x) already exists.' })?.column).toBe('code');
    expect(postgresDataError({ code: '22001', message: 'value too long' })).toEqual({ reason: '22001: value too long' });
    for (const code of ['42P01', '57P01', '08006', '28P01', '42501', '40001']) expect(postgresDataError({ code, message: 'x' })).toBeUndefined();
  });
});
