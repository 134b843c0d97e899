/**
 * SFTP with the relational connectors, through the engine and FDI task files against the real OpenSSH, MariaDB
 * and PostgreSQL: SFTP CSV → PostgreSQL (values, unreadable lines and refused rows dirty with their reasons, a
 * re-run upserts instead of duplicating, cancel mid-run then re-run) and MySQL → SFTP CSV (header, null_format,
 * prefix + date name, no half file after a cancel), and a wrong password: 911 as a source, 912 as a target.
 */
import { randomUUID } from 'node:crypto';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import SftpClient from 'ssh2-sftp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSourceRecord } from '../../connectors/sdk/index.ts';
import { codes, createSqlScratch, dropSqlScratch, harness, inOrder, mysqlDatasource, pgDatasource, runTask, services, step, untilOrEnded, writtenAtLeast } from './sql-helpers.ts';

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

  it('cancelled mid-run (106/505/16), then run again: every row exactly once', async () => {
    await pgc.query(`TRUNCATE "${db}".people`);
    const lines = Array.from({ length: 3000 }, (_v, i) => `${i + 1},n${i + 1},${i % 100}`);
    await admin.put(Buffer.from(`id,name,score\n${lines.join('\n')}\n`), `${dir}/many.csv`);
    const h = harness();
    const f = file(`sftp-s2p-cancel-${tag}`, 'many.csv', { batch_size: 10, channel_capacity: 1 });
    const cancel = new AbortController();
    const progress = writtenAtLeast(20);
    const running = runTask(h, f, { signal: cancel.signal, onProgress: progress.onProgress });
    await untilOrEnded(progress.reached, running);
    cancel.abort('terminate');
    const first = await running;
    expect(first.execute_status).toBe('CANCELLED');
    expect(inOrder(codes(first), [106, 505, 16])).toBe(true);
    expect(first.data_count).toBeLessThan(3000);

    const second = await runTask(h, f);
    expect(second.execute_status, second.remarks).toBe('SUCCESS');
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
    const cancel = new AbortController();
    const progress = writtenAtLeast(20);
    const running = runTask(harness(), f, { signal: cancel.signal, onProgress: progress.onProgress });
    await untilOrEnded(progress.reached, running);
    cancel.abort('terminate');
    const log = await running;
    expect(log.execute_status).toBe('CANCELLED');
    expect(inOrder(codes(log), [106, 505, 16])).toBe(true);
    expect((await listing()).filter((n) => n.includes('cancelled'))).toEqual([]);
  });
});
