import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../../connectors/builtins.ts';
import { ConnectorRegistry, connectorTypeOf, pluginSpecsFromEnv } from '../../connectors/registry/index.ts';
import { defineConnector, type Row } from '../../connectors/sdk/index.ts';
import { FdiError } from '../../core/fdi-error.ts';
import { memoryStore } from '../../examples/plugins/uppercase-memory/index.ts';
import { batch, datasource, harness, makeTask, sourceConnector } from './engine-fixtures.ts';

const minimal = (type: string) =>
  defineConnector<unknown>({ type, serves: { source: [], target: [] }, parseOptions: (c) => c });

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fdi-registry-'));
  const sdk = join(process.cwd(), 'connectors/sdk/index.ts');
  await writeFile(
    join(dir, 'good.ts'),
    `import { defineConnector } from ${JSON.stringify(sdk)};
     export const connectors = [
       defineConnector({ type: 'goodone', serves: { source: [], target: [] }, parseOptions: (c) => c }),
       defineConnector({ type: 'goodtwo', serves: { source: [], target: [] }, parseOptions: (c) => c }),
     ];`,
  );
  await writeFile(join(dir, 'throws.mjs'), `throw new Error('plugin init failed: missing licence key');`);
  await writeFile(join(dir, 'empty.mjs'), `export const nothing = 1;`);
  await writeFile(join(dir, 'malformed.mjs'), `export default { type: 'Bad Type!', serves: {}, parseOptions: 1 };`);
  await writeFile(
    join(dir, 'halfbad.mjs'),
    `export default [
       { type: 'halfok', serves: { source: [], target: [] }, parseOptions: (c) => c },
       { type: 'halfbad', serves: { source: ['TIMING'], target: [] }, parseOptions: (c) => c },
     ];`,
  );
  await writeFile(join(dir, 'clash.mjs'), `export default { type: 'upmem', serves: { source: [], target: [] }, parseOptions: (c) => c };`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('registry', () => {
  it('connectorTypeOf: FTP with ftp_protocol sftp is "sftp"; otherwise the type lower-cased', () => {
    expect(connectorTypeOf(datasource('a', 'FTP', { ftp_protocol: 'SFTP' }))).toBe('sftp');
    expect(connectorTypeOf(datasource('a', 'FTP', { ftp_protocol: 'ftp' }))).toBe('ftp');
    expect(connectorTypeOf(datasource('a', 'FTP'))).toBe('ftp');
    expect(connectorTypeOf(datasource('a', 'MYSQL'))).toBe('mysql');
    expect(connectorTypeOf({ ...datasource('a', 'x'), datasource_type: 'PostgreSQL' })).toBe('postgresql');
  });

  it('register: a duplicate type is an error naming it; get/types', () => {
    const r = new ConnectorRegistry();
    r.register(minimal('alpha'));
    expect(() => r.register(minimal('alpha'))).toThrow(/"alpha" is already registered/);
    expect(r.get('alpha')?.type).toBe('alpha');
    expect(r.get('ALPHA')?.type).toBe('alpha');
    expect(r.get('beta')).toBeUndefined();
    r.register(minimal('beta'));
    expect(r.types()).toEqual(['alpha', 'beta']);
  });

  it('register: a malformed definition is refused with the reason', () => {
    const r = new ConnectorRegistry();
    expect(() => r.register({ ...minimal('x'), serves: { source: ['TIMING'], target: [] } })).toThrow(/serves as a source but has no "reader"/);
    expect(() => r.register({ ...minimal('x'), type: 'With Space' })).toThrow(/"type" must be/);
  });

  it('register: a stage name must fit the monitor log (3–20 characters), the default `${type}reader` too', () => {
    const r = new ConnectorRegistry();
    const reading = (type: string) => ({ ...minimal(type), serves: { source: ['TIMING' as const], target: [] }, reader: () => { throw new Error('unused'); } });
    expect(() => r.register(reading('averyveryverylongname'))).toThrow(
      /default stage name "averyveryverylongnamereader" is longer than 20 characters; give "readerStage"/,
    );
    expect(() => r.register({ ...reading('x'), readerStage: 'r'.repeat(21) })).toThrow(/"readerStage" must be a name of 3–20 characters/);
    r.register({ ...reading('averyveryverylongname'), readerStage: 'longreader' });
    r.register(reading('fourteenchars1'));
    // No writer side: its default stage name is never used.
    expect(r.types()).toEqual(['averyveryverylongname', 'fourteenchars1']);
  });

  it('forDatasource: FdiError FDI.3443 naming the type when no connector serves it', () => {
    const r = new ConnectorRegistry();
    r.register(minimal('mysql'));
    expect(r.forDatasource(datasource('d1', 'MYSQL')).type).toBe('mysql');
    let err: unknown;
    try {
      r.forDatasource(datasource('d2', 'ORACLE'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FdiError);
    expect((err as FdiError).code).toBe('FDI.3443');
    expect((err as FdiError).message).toContain('"ORACLE"');
    expect((err as FdiError).field).toBe('datasource_type');
  });

  it('pluginSpecsFromEnv reads FDI_PLUGINS, comma-separated', () => {
    expect(pluginSpecsFromEnv({ FDI_PLUGINS: ' ./a.ts, pkg-b ,,@scope/c ' })).toEqual(['./a.ts', 'pkg-b', '@scope/c']);
    expect(pluginSpecsFromEnv({})).toEqual([]);
    expect(pluginSpecsFromEnv('x')).toEqual(['x']);
  });

  it('loadPlugins: broken or malformed modules are reported by name with the reason; the rest load', async () => {
    const r = new ConnectorRegistry();
    const specs = [
      join(dir, 'good.ts'),
      join(dir, 'throws.mjs'),
      './examples/plugins/uppercase-memory/index.ts',
      join(dir, 'missing.mjs'),
      join(dir, 'empty.mjs'),
      join(dir, 'malformed.mjs'),
      join(dir, 'halfbad.mjs'),
      join(dir, 'clash.mjs'),
      'fdi-no-such-package-engine-test',
    ];
    const report = await r.loadPlugins(specs);
    expect(report.loaded).toEqual([join(dir, 'good.ts'), './examples/plugins/uppercase-memory/index.ts']);
    const failed = Object.fromEntries(report.failed.map((f) => [f.name, f.error]));
    expect(Object.keys(failed)).toHaveLength(7);
    expect(failed[join(dir, 'throws.mjs')]).toContain('missing licence key');
    expect(failed[join(dir, 'missing.mjs')]).toContain('not found');
    expect(failed[join(dir, 'empty.mjs')]).toContain('exports no connector');
    expect(failed[join(dir, 'malformed.mjs')]).toContain('"type" must be');
    expect(failed[join(dir, 'halfbad.mjs')]).toContain('no "reader"');
    expect(failed[join(dir, 'clash.mjs')]).toContain('"upmem" is already registered');
    expect(failed['fdi-no-such-package-engine-test']).toMatch(/Cannot find/i);
    // all or nothing per module: halfbad's valid connector is not registered either
    expect(r.types()).toEqual(['goodone', 'goodtwo', 'upmem']);
  });

  it('loadPlugins: a relative path resolves against the given working directory', async () => {
    const r = new ConnectorRegistry();
    const report = await r.loadPlugins(['./good.ts'], dir);
    expect(report.failed).toEqual([]);
    expect(r.types()).toEqual(['goodone', 'goodtwo']);
    const viaCwd = await new ConnectorRegistry().loadPlugins([relative(process.cwd(), join(dir, 'good.ts'))]);
    expect(viaCwd.loaded).toHaveLength(1);
  });

  it('createDefaultRegistry gives a registry (built-ins register there)', () => {
    const r = createDefaultRegistry();
    expect(r).toBeInstanceOf(ConnectorRegistry);
    for (const t of r.types()) expect(r.get(t)?.type).toBe(t);
  });
});

describe('example plugin: uppercase-memory', () => {
  it('loads through loadPlugins and runs pipelines: upper-cases, routes too-long values to dirty, reads incrementally', async () => {
    const h = harness([sourceConnector({ batches: [batch(1, 3, { n: 1 })] })], [
      datasource('src', 'memsrc'),
      datasource('dst', 'UPMEM', { store: 'engine_test_people', max_length: 5 }),
      datasource('copy', 'UPMEM', { store: 'engine_test_copy' }),
    ]);
    const report = await h.registry.loadPlugins(['./examples/plugins/uppercase-memory/index.ts']);
    expect(report).toEqual({ loaded: ['./examples/plugins/uppercase-memory/index.ts'], failed: [] });

    const first = await h.run(makeTask());
    expect(first.execute_status).toBe('SUCCESS');
    expect(first.detail_logs.find((s) => s.status === 500)?.stage).toBe('upmemwriter');
    // 'row-1' … 'row-3' are 5 characters: all fit
    expect(memoryStore('engine_test_people')).toEqual([
      { id: 1, name: 'ROW-1' },
      { id: 2, name: 'ROW-2' },
      { id: 3, name: 'ROW-3' },
    ]);

    // upmem → upmem: the plugin as a source too, with its checkpoint
    const people = memoryStore('engine_test_people');
    people.push({ id: 4, name: 'a much longer name' });
    const copy = makeTask({ taskId: 'task-engine-copy', sourceDatasourceId: 'dst', targetDatasourceId: 'copy', runtime: { batchSize: 2 } });
    const run1 = await h.run(copy);
    expect(run1.execute_status).toBe('SUCCESS');
    expect(run1.data_count).toBe(4);
    expect(memoryStore('engine_test_copy').map((r: Row) => r.name)).toEqual(['ROW-1', 'ROW-2', 'ROW-3', 'A MUCH LONGER NAME']);
    expect(await h.checkpoints.load('task-engine-copy')).toEqual({ next: 4 });
    // a second run reads only what arrived since
    people.push({ id: 5, name: 'new' });
    const run2 = await h.run(copy);
    expect(run2.data_count).toBe(1);
    expect(memoryStore('engine_test_copy').at(-1)).toEqual({ id: 5, name: 'NEW' });

    // a value longer than max_length is dirty, not lost
    const back = makeTask({ taskId: 'task-engine-back', sourceDatasourceId: 'copy', targetDatasourceId: 'dst' });
    const run3 = await h.run(back);
    expect(run3.execute_status).toBe('SUCCESS');
    expect(run3.data_count + run3.dirty_data_count).toBe(5);
    expect(run3.dirty_data_count).toBe(1);
    expect(h.dirty.records.at(-1)).toMatchObject({ stage: 'upmemwriter', column: 'name', reason: 'longer than max_length 5' });
  });

  it('bad plugin options → 912 naming the field', async () => {
    const h = harness([sourceConnector({ batches: [batch(1, 1)] })], [datasource('src', 'memsrc'), datasource('dst', 'UPMEM', {})]);
    await h.registry.loadPlugins(['./examples/plugins/uppercase-memory/index.ts']);
    const log = await h.run(makeTask());
    expect(log.status).toBe(912);
    expect(log.remarks).toContain('Invalid parameter [content.store]');
  });
});
