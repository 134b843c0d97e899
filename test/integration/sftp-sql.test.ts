/**
 * SFTP with the relational connectors, through the engine and FDI task files against the real OpenSSH, MariaDB
 * and PostgreSQL: SFTP CSV → PostgreSQL (values, zone-less date-times read in the task's timeZone into
 * timestamptz, JSON text into jsonb, unreadable lines and refused rows dirty with their reasons, a re-run upserts
 * instead of duplicating, cancel mid-run then re-run, a wrong PostgreSQL password: 912) and MySQL → SFTP CSV
 * (header, null_format, prefix + date name, rows the mapping's types refuse are dirty and not in the file, no half
 * file after a cancel and a whole one after the re-run), and a wrong SFTP password: 911 as a source, 912 as a target.
 */
import { randomUUID } from 'node:crypto';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import SftpClient from 'ssh2-sftp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSourceRecord } from '../../connectors/sdk/index.ts';
import { pgPasswordRole } from '../support/services.ts';
import { codes, createSqlScratch, dropSqlScratch, harness, inOrder, mysqlDatasource, pgDatasource, runTask, runUntilWritten, services, step } from './sql-helpers.ts';

const tag = randomUUID().replaceAll('-', '').slice(0, 8);
const db = `sftp_sql_${tag}`;
const dir = `${services.sftp.root}/sftp-sql-${tag}`;
const admin = new SftpClient('sftp-sql-admin');
let my: mysql.Connection;
let pgc: pg.Client;

const sftpDs = (password = services.sftp.password): DataSourceRecord => ({
  datasource_id: 'sftp-ds',
  datasource_name: 'sftp-sql',
  datasource_type: 'FTP',
  content: {
    ftp_protocol: 'sftp',
    host: services.sftp.host,
    port: String(services.sftp.port),
    user_name: services.sftp.user,
    password,
  },
});

const listing = async (): Promise<string[]> => (await admin.list(dir)).map((f) => f.name).sort();

beforeAll(async () => {
  ({ my, pgc } = await createSqlScratch(db));
  await admin.connect({ host: services.sftp.host, port: services.sftp.port, username: services.sftp.user, password: services.sftp.password });
  await admin.mkdir(dir, true);
});

afterAll(async () => {
  await admin.rmdir(dir, true).catch(() => undefined);
  await admin.end();
  await dropSqlScratch(db, { my, pgc });
});

describe('SFTP CSV → PostgreSQL', () => {
  const file = (name: string, fileName: string, runtime: Record<string, unknown> = {}, password?: string) => ({
    datasources: [sftpDs(password), pgDatasource()],
    task: { task_name: name, task_type: 'TIMING', source_datasource_id: 'sftp-ds', target_datasource_id: 'ds-pg' },
    task_detail: {
      sourceSelectedDatasource: {
        path: dir,
        file_name: fileName,
        file_name_charset: 'UTF-8',
        file_content_charset: 'UTF-8',
        max_file_size: 100,
        field_delimiter: ',',
        null_format: '',
        isParse: true,
        skip_header: true,
        skip_header_rows: 1,
        extend_meta_data: [{ dataSource: [
          { index: '0', name: 'id', type: 'Integer', format: '', path: '' },
          { index: '1', name: 'name', type: 'String', format: '', path: '' },
          { index: '2', name: 'score', type: 'String', format: '', path: '' },
        ] }],
      },
      targetSelectedDatasource: { targetTable: `${db}.people`, targetNeedCreateTable: false, isSupportClearTab: false },
      mappingTable: [],
      mappingTableProperties: [],
      mappingInput: { mode: 'keyValue', dataSource: [
        { sourceKey: 'id', targetKey: 'id' }, { sourceKey: 'name', targetKey: 'name' }, { sourceKey: 'score', targetKey: 'score' },
      ] },
      mappingRequired: true,
      runtime: { progress_interval_ms: 100, ...runtime },
    },
  });

  beforeAll(async () => {
    await pgc.query(`CREATE TABLE "${db}".people (id integer PRIMARY KEY, name varchar(8) NOT NULL, score numeric(5,1))`);
  });

  it('loads the rows with their values; a short line and rows PostgreSQL refuses are dirty with reasons; a re-run upserts', async () => {
    await admin.put(Buffer.from('id,name,score\n1,ann,9.5\n2,bob,\n3,this-name-is-too-long,1\n4,cy\n5,dee,abc\n6,"e, f",10\n'), `${dir}/people.csv`);
    const h = harness();
    const f = file(`sftp-s2p-${tag}`, 'people.csv');
    const log = await runTask(h, f);
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(inOrder(codes(log), [900, 99, 100, 102, 104, 101])).toBe(true);
    expect(inOrder(codes(log), [500, 502, 504, 501, 901])).toBe(true);
    expect(step(log, 100).stage).toBe('sftpreader');
    expect(step(log, 104)).toMatchObject({ data_count: 6, dirty_data_count: 1 });
    expect(log.data_count).toBe(3);
    expect(log.dirty_data_count).toBe(3);
    const r = await pgc.query(`SELECT id, name, score::text FROM "${db}".people ORDER BY id`);
    expect(r.rows).toEqual([
      { id: 1, name: 'ann', score: '9.5' },
      { id: 2, name: 'bob', score: null },
      { id: 6, name: 'e, f', score: '10.0' },
    ]);
    const dirty = h.dirty.records.map((d) => ({ stage: d.stage, reason: d.reason })).sort((a, b) => a.reason.localeCompare(b.reason));
    expect(dirty).toEqual([
      { stage: 'postgresqlwriter', reason: '22001: value too long for type character varying(8)' },
      { stage: 'postgresqlwriter', reason: '22P02: invalid input syntax for type numeric: "abc"' },
      { stage: 'sftpreader', reason: 'line 5: expected 3 fields, found 2' },
    ]);

    const again = await runTask(h, f);
    expect(again.execute_status).toBe('SUCCESS');
    expect(again.data_count).toBe(3);
    expect((await pgc.query(`SELECT count(*)::int AS n FROM "${db}".people`)).rows[0]).toEqual({ n: 3 });
  });

  it('zone-less date-times are read in the task\'s timeZone into timestamptz as exact instants; JSON text lands as jsonb; refused values are dirty', async () => {
    await pgc.query(`CREATE TABLE "${db}".moments (id integer PRIMARY KEY, local_at timestamptz(3), zoned_at timestamptz(3), doc jsonb)`);
    const csv = [
      'id,local_at,zoned_at,doc',
      // Winter (EST, -05:00) and summer (EDT, -04:00) in America/New_York; an explicit offset wins over the zone.
      '1,2024-01-15 08:30:00,2024-01-15T08:30:00+02:00,"{""a"":[1,""x"",true],""n"":null,""s"":""中文 😀"",""big"":12345678901234567890,""d"":0.1}"',
      '2,2024-07-15 08:30:00.250,2024-07-15 08:30:00Z,[]',
      '3,,,',
      '4,2024-03-01 00:00:00,2024-03-01 00:00:00Z,{not json',
      '5,not a date,2024-03-01 00:00:00Z,{}',
    ].join('\n');
    await admin.put(Buffer.from(`${csv}\n`), `${dir}/moments.csv`);
    const task = {
      datasources: [sftpDs(), pgDatasource()],
      task: { task_name: `sftp-s2p-moments-${tag}`, task_type: 'TIMING', source_datasource_id: 'sftp-ds', target_datasource_id: 'ds-pg' },
      task_detail: {
        sourceSelectedDatasource: {
          path: dir,
          file_name: 'moments.csv',
          file_content_charset: 'UTF-8',
          field_delimiter: ',',
          null_format: '',
          isParse: true,
          skip_header: true,
          skip_header_rows: 1,
          timeZone: 'America/New_York',
          extend_meta_data: [{ dataSource: ['id', 'local_at', 'zoned_at', 'doc'].map((name, i) => ({ index: String(i), name, type: 'String', format: '', path: '' })) }],
        },
        targetSelectedDatasource: { targetTable: `${db}.moments`, targetNeedCreateTable: false, isSupportClearTab: false },
        mappingTable: [],
        mappingInput: { mode: 'keyValue', dataSource: ['id', 'local_at', 'zoned_at', 'doc'].map((k) => ({ sourceKey: k, targetKey: k })) },
        mappingRequired: true,
        runtime: { progress_interval_ms: 100 },
      },
    };
    const h = harness();
    const log = await runTask(h, task);
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    // read = written + dirty
    expect(step(log, 104).data_count).toBe(5);
    expect(log.data_count).toBe(3);
    expect(log.dirty_data_count).toBe(2);

    const utc = (c: string) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${c}`;
    // The 20-digit number stays an exact JSON number (read here as text: a JS number cannot hold it).
    const r = await pgc.query(`SELECT id, ${utc('local_at')}, ${utc('zoned_at')}, doc - 'big' AS doc, jsonb_typeof(doc) AS kind,
        jsonb_typeof(doc->'big') AS big_kind, doc->>'big' AS big FROM "${db}".moments ORDER BY id`);
    expect(r.rows).toEqual([
      {
        id: 1, local_at: '2024-01-15T13:30:00.000Z', zoned_at: '2024-01-15T06:30:00.000Z',
        doc: { a: [1, 'x', true], n: null, s: '中文 😀', d: 0.1 }, kind: 'object', big_kind: 'number', big: '12345678901234567890',
      },
      { id: 2, local_at: '2024-07-15T12:30:00.250Z', zoned_at: '2024-07-15T08:30:00.000Z', doc: [], kind: 'array', big_kind: null, big: null },
      { id: 3, local_at: null, zoned_at: null, doc: null, kind: null, big_kind: null, big: null },
    ]);
    const dirty = new Map(h.dirty.records.map((d) => [(d.record as { id: unknown }).id, d]));
    expect([...dirty.keys()].map(String).sort()).toEqual(['4', '5']);
    expect(dirty.get('4')).toMatchObject({ stage: 'postgresqlwriter', reason: expect.stringMatching(/^22P02: invalid input syntax for type json/) });
    expect(dirty.get('5')).toMatchObject({
      stage: 'postgresqlwriter',
      reason: expect.stringMatching(/^22007: invalid input syntax for type timestamp with time zone: "not a date"/),
    });
  });

  it('a file over max_file_size is 103 with the reason, before any row is written', async () => {
    await admin.put(Buffer.alloc(2 * 1024 * 1024 + 10, 'x'), `${dir}/huge.csv`);
    const f = file(`sftp-s2p-big-${tag}`, 'huge.csv');
    (f.task_detail.sourceSelectedDatasource as Record<string, unknown>)['max_file_size'] = 2;
    const log = await runTask(harness(), f);
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(103);
    expect(step(log, 103).remarks).toContain('more than max_file_size 2 MB');
    expect(codes(log)).not.toContain(500);
  });

  it('a wrong password is 911 with the driver message', async () => {
    const log = await runTask(harness(), file(`sftp-s2p-pw-${tag}`, 'people.csv', {}, 'wrong-password'));
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(911);
    expect(step(log, 911)).toMatchObject({ stage: 'sftpreader', position: 'READER' });
    expect(step(log, 911).remarks).toContain('All configured authentication methods failed');
  });

  const role = pgPasswordRole();
  it.skipIf(!role)(
    'a wrong PostgreSQL password is 912 with the driver message (needs FDI_TEST_PG_PASSWORD_USER: the password-checked role of scripts/test-services.sh; a server of your own has none)',
    async () => {
      if (!role) return;
      await pgc.query(`TRUNCATE "${db}".people`);
      const f = file(`sftp-s2p-pgpw-${tag}`, 'people.csv');
      f.datasources[1] = pgDatasource({ user_name: role.user, password: `not-${role.password}` });
      const log = await runTask(harness(), f);
      expect(log.execute_status).toBe('ERROR');
      expect(log.status).toBe(912);
      expect(step(log, 912)).toMatchObject({ stage: 'postgresqlwriter', position: 'WRITER' });
      expect(step(log, 912).remarks).toContain(`password authentication failed for user "${role.user}"`);
      expect(codes(log)).not.toContain(502);
      expect((await pgc.query(`SELECT count(*)::int AS n FROM "${db}".people`)).rows[0]).toEqual({ n: 0 });
    },
  );

  it('cancelled mid-run (106/505/16), then run again: every row exactly once', async () => {
    await pgc.query(`TRUNCATE "${db}".people`);
    const lines = Array.from({ length: 3000 }, (_v, i) => `${i + 1},n${i + 1},${i % 100}`);
    await admin.put(Buffer.from(`id,name,score\n${lines.join('\n')}\n`), `${dir}/many.csv`);
    const h = harness();
    const f = file(`sftp-s2p-cancel-${tag}`, 'many.csv', { batch_size: 10, channel_capacity: 1 });
    const first = await runUntilWritten(h, f, 20, 'terminate');
    expect(first.execute_status).toBe('CANCELLED');
    expect(inOrder(codes(first), [106, 505, 16])).toBe(true);
    expect(first.data_count).toBeLessThan(3000);

    const second = await runTask(h, f);
    expect(second.execute_status, second.remarks).toBe('SUCCESS');
    expect(second.dirty_data_count).toBe(0);
    expect(step(second, 104).data_count).toBe(3000);
    expect(second.data_count).toBe(3000);
    expect((await pgc.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM "${db}".people`)).rows[0]).toEqual({ n: 3000, d: 3000 });
  });
});

describe('MySQL → SFTP CSV', () => {
  beforeAll(async () => {
    await my.query(`CREATE TABLE \`${db}\`.items (id INT PRIMARY KEY, label VARCHAR(40) NULL, price DECIMAL(10,2) NULL)`);
    await my.query(`INSERT INTO \`${db}\`.items VALUES (1, 'plain', 1.50), (2, NULL, NULL), (3, 'a,"quoted" label', 100.00)`);
  });

  const file = (name: string, target: Record<string, unknown>, password?: string) => ({
    datasources: [mysqlDatasource(db), sftpDs(password)],
    task: { task_name: name, task_type: 'TIMING', source_datasource_id: `ds-mysql-${db}`, target_datasource_id: 'sftp-ds' },
    task_detail: {
      sourceSelectedDatasource: { isAddSql: false, sourceTable: `${db}.items`, orderColumn: 'id', orderType: 'ASC', need_inc_migration: false },
      targetSelectedDatasource: {
        path: dir,
        write_mode: 'truncate',
        file_content_type: 'textFile',
        file_type: 'csv',
        file_name_charset: 'UTF-8',
        file_content_charset: 'UTF-8',
        null_format: 'NULL',
        add_header: true,
        field_delimiter: ',',
        meta_data: [{ index: 0, name: 'id' }, { index: 1, name: 'label' }, { index: 2, name: 'price' }],
        ...target,
      },
      mappingTable: [
        { sourceColumn: 'id', targetColumn: 'id' },
        { sourceColumn: 'label', targetColumn: 'label' },
        { sourceColumn: 'price', targetColumn: 'price' },
      ],
      mappingRequired: true,
      runtime: { progress_interval_ms: 100 },
    },
  });

  it('writes one complete CSV named prefix + date, with header and null_format; the re-run replaces it', async () => {
    const f = file(`sftp-m2s-${tag}`, { file_name_prefix: 'items_', remark_date_format: "yyyy'-x'" });
    const log = await runTask(harness(), f);
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(inOrder(codes(log), [100, 102, 104, 101])).toBe(true);
    expect(inOrder(codes(log), [500, 502, 504, 501, 901])).toBe(true);
    expect(step(log, 500).stage).toBe('sftpwriter');
    expect(log.data_count).toBe(3);
    const year = new Date().getFullYear();
    const name = `items_${year}-x.csv`;
    const expected = 'id,label,price\n1,plain,1.50\n2,NULL,NULL\n3,"a,""quoted"" label",100.00\n';
    expect(String(await admin.get(`${dir}/${name}`))).toBe(expected);

    const again = await runTask(harness(), f);
    expect(again.execute_status).toBe('SUCCESS');
    expect(String(await admin.get(`${dir}/${name}`))).toBe(expected);
    expect((await listing()).filter((n) => n.includes('items_'))).toEqual([name]);
  });

  it('rows the mapping\'s target types refuse are dirty with their reasons and not in the file: read = written + dirty', async () => {
    await my.query(`CREATE TABLE \`${db}\`.gadgets (id INT PRIMARY KEY, label VARCHAR(40) NULL, qty VARCHAR(10) NULL)`);
    await my.query(`INSERT INTO \`${db}\`.gadgets VALUES (1, 'ok', '5'), (2, 'a label far too long', '6'), (3, 'fine', 'seven'), (4, NULL, NULL), (5, '中文 😀', '-7')`);
    const f = file(`sftp-m2s-dirty-${tag}`, { file_name: 'gadgets.csv' });
    const detail = f.task_detail as Record<string, unknown>;
    detail['sourceSelectedDatasource'] = { ...(detail['sourceSelectedDatasource'] as object), sourceTable: `${db}.gadgets` };
    detail['targetSelectedDatasource'] = { ...(detail['targetSelectedDatasource'] as object), meta_data: [{ index: 0, name: 'id' }, { index: 1, name: 'label' }, { index: 2, name: 'qty' }] };
    detail['mappingTable'] = [
      { sourceColumn: 'id', targetColumn: 'id', targetColumnType: 'INT' },
      { sourceColumn: 'label', targetColumn: 'label', targetColumnType: 'VARCHAR', targetColumnLength: '10' },
      { sourceColumn: 'qty', targetColumn: 'qty', targetColumnType: 'INT' },
    ];
    const h = harness();
    const log = await runTask(h, f);
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(step(log, 104).data_count).toBe(5);
    expect(log.data_count).toBe(3);
    expect(log.dirty_data_count).toBe(2);
    expect(step(log, 104).data_count).toBe(log.data_count + log.dirty_data_count);
    const dirty = new Map(h.dirty.records.map((d) => [String((d.record as { id: unknown }).id), d]));
    expect([...dirty.keys()].sort()).toEqual(['2', '3']);
    expect(dirty.get('2')).toMatchObject({
      stage: 'mapping',
      column: 'label',
      reason: 'value of 20 characters is longer than VARCHAR(10): "a label far too long" (source "label")',
    });
    expect(dirty.get('3')).toMatchObject({ stage: 'mapping', column: 'qty', reason: '"seven" cannot be converted to INT: not an integer (source "qty")' });
    expect(String(await admin.get(`${dir}/gadgets.csv`))).toBe('id,label,qty\n1,ok,5\n4,NULL,NULL\n5,中文 😀,-7\n');
  });

  it('a wrong password is 912 with the driver message, and no file is left', async () => {
    const log = await runTask(harness(), file(`sftp-m2s-pw-${tag}`, { file_name: 'never.csv' }, 'wrong-password'));
    expect(log.execute_status).toBe('ERROR');
    expect(log.status).toBe(912);
    expect(step(log, 912)).toMatchObject({ stage: 'sftpwriter', position: 'WRITER' });
    expect(step(log, 912).remarks).toContain('All configured authentication methods failed');
    expect((await listing()).filter((n) => n.includes('never'))).toEqual([]);
  });

  it('cancelled mid-run (106/505/16): neither the target file nor a part file is left', async () => {
    const values = Array.from({ length: 2000 }, (_v, i) => `(${1000 + i}, 'bulk', ${i})`);
    await my.query(`INSERT INTO \`${db}\`.items VALUES ${values.join(',')}`);
    const f = file(`sftp-m2s-cancel-${tag}`, { file_name: 'cancelled.csv' });
    (f.task_detail as Record<string, unknown>)['runtime'] = { progress_interval_ms: 100, batch_size: 10, channel_capacity: 1 };
    const log = await runUntilWritten(harness(), f, 20, 'terminate');
    expect(log.execute_status).toBe('CANCELLED');
    expect(inOrder(codes(log), [106, 505, 16])).toBe(true);
    expect((await listing()).filter((n) => n.includes('cancelled'))).toEqual([]);

    // The re-run writes the whole file: no dirty rows, each source row exactly once.
    const again = await runTask(harness(), f);
    expect(again.execute_status, again.remarks).toBe('SUCCESS');
    expect(again.dirty_data_count).toBe(0);
    const [count] = await my.query(`SELECT COUNT(*) AS n FROM \`${db}\`.items`);
    const sourceRows = Number((count as { n: string }[])[0]?.n);
    expect(again.data_count).toBe(sourceRows);
    const lines = String(await admin.get(`${dir}/cancelled.csv`)).split('\n');
    expect(lines[0]).toBe('id,label,price');
    expect(lines.at(-1)).toBe('');
    const ids = lines.slice(1, -1).map((l) => l.split(',')[0]);
    expect({ n: ids.length, distinct: new Set(ids).size }).toEqual({ n: sourceRows, distinct: sourceRows });
    expect((await listing()).filter((n) => n.includes('cancelled'))).toEqual(['cancelled.csv']);
  });
});
