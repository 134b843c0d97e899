/**
 * The SFTP reader and writer against the real OpenSSH server: password and key auth, streaming CSV/TXT reads with
 * charsets, delimiters, headers, null_format and unreadable lines, max_file_size, globs, and writes that only ever
 * show a complete file.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import SftpClient from 'ssh2-sftp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sftpConnector, SftpReader, SftpWriter, type SftpOptions } from '../../connectors/sftp/index.ts';
import type {
  ConnectorLogger,
  DataSourceContent,
  DataSourceRecord,
  ReaderContext,
  Row,
  SourceBatch,
  SourceSpec,
  TargetSpec,
  TaskSpec,
} from '../../connectors/sdk/index.ts';
import { testServices } from '../support/services.ts';
import { readBatches, taskSpec } from '../support/task-spec.ts';

const { sftp } = testServices();
const silent: ConnectorLogger = { debug() {}, info() {}, warn() {}, error() {} };
const dir = `${sftp.root}/sftp-test-${randomUUID().slice(0, 8)}`;
const admin = new SftpClient('sftp-test-admin');

function datasource(content: DataSourceContent): { record: DataSourceRecord; options: SftpOptions } {
  const record: DataSourceRecord = { datasource_id: 'sftp-ds', datasource_name: 'sftp-test', datasource_type: 'FTP', content };
  return { record, options: sftpConnector.parseOptions(content) };
}

const byPassword = datasource({ ftp_protocol: 'sftp', host: sftp.host, port: String(sftp.port), user_name: sftp.user, password: sftp.password });

function spec(src: Partial<SourceSpec>, tgt: Partial<TargetSpec> = {}): TaskSpec {
  return taskSpec({
    taskId: `sftp-task-${randomUUID().slice(0, 8)}`,
    taskName: 'sftp-test',
    sourceDatasourceId: 'sftp-ds',
    targetDatasourceId: 'sftp-ds',
    source: { path: dir, ...src },
    target: { path: dir, ...tgt },
    runtime: { batchSize: 2 },
  });
}

function ctx(task: TaskSpec, ds = byPassword): ReaderContext<SftpOptions> {
  return {
    task,
    datasource: ds,
    signal: new AbortController().signal,
    log: silent,
    runId: `run-${randomUUID()}`,
    dispatchTime: Date.UTC(2026, 0, 2, 3, 4, 5),
    resumed: false,
    checkpoint: null,
  };
}

async function readAll(task: TaskSpec, ds = byPassword): Promise<SourceBatch[]> {
  return readBatches(new SftpReader(ctx(task, ds)));
}

const rowsOf = (batches: SourceBatch[]): Row[] => batches.flatMap((b) => b.records);
const names = async (): Promise<string[]> => (await admin.list(dir)).map((f) => f.name).sort();

beforeAll(async () => {
  await admin.connect({ host: sftp.host, port: sftp.port, username: sftp.user, password: sftp.password });
  await admin.mkdir(dir, true);
});

afterAll(async () => {
  await admin.rmdir(dir, true).catch(() => undefined);
  await admin.end();
});

describe('sftp connector against the real OpenSSH server', () => {
  it('connects with a password and with a private key (path or PEM text)', async () => {
    await expect(sftpConnector.test!(byPassword)).resolves.toBeUndefined();
    const keyPath = datasource({ host: sftp.host, port: sftp.port, user_name: sftp.user, private_key_path: sftp.privateKeyFile });
    await expect(sftpConnector.test!(keyPath)).resolves.toBeUndefined();
    const keyText = datasource({ host: sftp.host, port: sftp.port, user_name: sftp.user, private_key: readFileSync(sftp.privateKeyFile, 'utf8') });
    await expect(sftpConnector.test!(keyText)).resolves.toBeUndefined();
  });

  it('refuses a wrong password with the driver message, for the reader and the writer', async () => {
    const wrong = datasource({ host: sftp.host, port: sftp.port, user_name: sftp.user, password: 'not-the-password' });
    const reader = new SftpReader(ctx(spec({ fileName: 'x.csv' }), wrong));
    await expect(reader.open()).rejects.toThrow('All configured authentication methods failed');
    await reader.close();
    const writer = new SftpWriter(ctx(spec({}, { fileNamePrefix: 'x' }), wrong));
    await expect(writer.open()).rejects.toThrow('All configured authentication methods failed');
    await writer.close();
  });

  it('refuses a host key that does not match the pinned fingerprint', async () => {
    const pinned = datasource({ ...byPassword.record.content, host_key_sha256: `SHA256:${'A'.repeat(43)}` });
    await expect(sftpConnector.test!(pinned)).rejects.toThrow(/does not match host_key_sha256/);
  });

  it('streams a GBK CSV with a header, a custom delimiter and null_format; a bad line is unreadable with its line number', async () => {
    const text = 'id;name;note\n1;张三;NULL\n2;"李;四";ok\n3;王五\n4;"多行\n备注";x\n';
    await admin.put(iconv.encode(text, 'GBK'), `${dir}/people.csv`);
    const batches = await readAll(spec({
      fileName: 'people.csv',
      fileContentCharset: 'GBK',
      fieldDelimiter: ';',
      nullFormat: 'NULL',
      skipHeader: true,
    }));
    expect(rowsOf(batches)).toEqual([
      { id: '1', name: '张三', note: null },
      { id: '2', name: '李;四', note: 'ok' },
      { id: '4', name: '多行\n备注', note: 'x' },
    ]);
    const unreadable = batches.flatMap((b) => b.unreadable ?? []);
    expect(unreadable).toEqual([{ raw: '3;王五', reason: 'line 4: expected 3 fields, found 2' }]);
    expect(batches.at(-1)?.checkpoint).toEqual({ file: 'people.csv', line: 6 });
  });

  it('reads every file a glob matches, in name order, with metadata by index', async () => {
    await admin.put(Buffer.from('b1|x\n'), `${dir}/part-b.txt`);
    await admin.put(Buffer.from('a1|y\na2|z\n'), `${dir}/part-a.txt`);
    await admin.put(Buffer.from('ignored\n'), `${dir}/other.txt`);
    const rows = rowsOf(await readAll(spec({
      fileName: 'part-*.txt',
      fieldDelimiter: '|',
      metaData: [{ index: 1, name: 'tag' }, { index: 0, name: 'id' }],
    })));
    expect(rows).toEqual([{ id: 'a1', tag: 'y' }, { id: 'a2', tag: 'z' }, { id: 'b1', tag: 'x' }]);
  });

  it('stops before reading when a file is larger than max_file_size, naming the file and both sizes', async () => {
    await admin.put(Buffer.alloc(2 * 1024 * 1024, 'a'), `${dir}/big.csv`);
    await expect(readAll(spec({ fileName: 'big.csv', maxFileSizeMb: 1 }))).rejects.toThrow(
      `file ${dir}/big.csv is 2.00 MB, more than max_file_size 1 MB`,
    );
  });

  it('says which file is missing and refuses pass-through', async () => {
    await expect(readAll(spec({ fileName: 'nope.csv' }))).rejects.toThrow(`file not found: ${dir}/nope.csv`);
    await expect(readAll(spec({ fileName: 'a.csv', isParse: false }))).rejects.toThrow(/isParse/);
  });

  it('writes a CSV under prefix + date, visible only once finished, then reads it back', async () => {
    const task = spec({}, {
      fileNamePrefix: 'orders_',
      remarkDateFormat: 'yyyyMMdd',
      fileType: 'csv',
      addHeader: true,
      nullFormat: '\\N',
      metaData: [{ index: 0, name: 'id' }, { index: 1, name: 'note' }, { index: 2, name: 'at' }],
    });
    const writer = new SftpWriter(ctx(task));
    await writer.open();
    const first = await writer.write([
      { id: 1, note: 'a,b', at: new Date('2026-01-02T03:04:05.000Z') },
      { id: 2, note: null, at: null },
    ]);
    const second = await writer.write([{ id: 3, note: 'x', at: null, extra: 'not a column' }]);
    await writer.flush();
    const during = await names();
    expect(during.some((n) => n.startsWith('.orders_') && n.endsWith('.part'))).toBe(true);
    expect(during.some((n) => n.startsWith('orders_'))).toBe(false);
    await writer.finish();
    await writer.close();
    expect(first.rejected).toEqual([]);
    expect(second.rejected).toEqual([{ index: 0, reason: expect.stringContaining('"extra" is not a column'), column: 'extra' }]);

    const day = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const name = `orders_${day.getFullYear()}${String(day.getMonth() + 1).padStart(2, '0')}${String(day.getDate()).padStart(2, '0')}.csv`;
    expect((await names()).filter((n) => n.includes('orders_'))).toEqual([name]);
    const content = String(await admin.get(`${dir}/${name}`));
    expect(content).toBe('id,note,at\n1,"a,b",2026-01-02T03:04:05.000Z\n2,\\N,\\N\n');
    const rows = rowsOf(await readAll(spec({ fileName: name, skipHeader: true, nullFormat: '\\N' })));
    expect(rows).toEqual([
      { id: '1', note: 'a,b', at: '2026-01-02T03:04:05.000Z' },
      { id: '2', note: null, at: null },
    ]);
  });

  it('a writer closed without finish leaves neither a part file nor a target file', async () => {
    const writer = new SftpWriter(ctx(spec({}, { fileName: 'aborted.csv' })));
    await writer.open();
    await writer.write([{ a: 1 }]);
    await writer.flush();
    await writer.close();
    expect((await names()).filter((n) => n.includes('aborted'))).toEqual([]);
  });

  it('replaces an existing file by default and refuses it with write_mode nonConflict', async () => {
    await admin.put(Buffer.from('old\n'), `${dir}/same.csv`);
    const replace = new SftpWriter(ctx(spec({}, { fileName: 'same.csv' })));
    await replace.open();
    await replace.write([{ v: 'new' }]);
    await replace.finish();
    await replace.close();
    expect(String(await admin.get(`${dir}/same.csv`))).toBe('new\n');

    const refuse = new SftpWriter(ctx(spec({}, { fileName: 'same.csv', writeMode: 'nonConflict' })));
    await expect(refuse.open()).rejects.toThrow(`target file already exists: ${dir}/same.csv`);
    await refuse.close();
    expect(String(await admin.get(`${dir}/same.csv`))).toBe('new\n');
  });

  it('a resumed writer starts the part file afresh: rows of the dead execution are not kept twice', async () => {
    const task = spec({}, { fileName: 'resumed.csv' });
    const first = new SftpWriter(ctx(task));
    await first.open();
    await first.write([{ n: 1 }, { n: 2 }]);
    await first.flush();
    // The process dies here: no finish, no close (close would delete the part file). Its reader starts over too.
    expect((await names()).filter((n) => n.includes('resumed'))).toEqual([`.resumed.csv.${task.taskId}.part`]);
    const second = new SftpWriter({ ...ctx(task), resumed: true });
    expect(second.durableOnlyAfterFinish).toBe(true);
    await second.open();
    await second.write([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await second.finish();
    await second.close();
    await first.close().catch(() => undefined);
    expect(String(await admin.get(`${dir}/resumed.csv`))).toBe('1\n2\n3\n');
    expect((await names()).filter((n) => n.includes('resumed'))).toEqual(['resumed.csv']);
  });
});
