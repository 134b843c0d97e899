/**
 * The connectors a process knows: the built-ins plus plugins named in config (module path or package name).
 * The worker asks the registry for a data source's connector; it never imports a concrete connector.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DataSourceRecord } from '../../core/datasource.ts';
import { FdiError } from '../../core/fdi-error.ts';
import type { ConnectorDefinition, PluginModule } from '../sdk/index.ts';

export interface PluginLoadReport {
  loaded: string[];
  failed: { name: string; error: string }[];
}

/** The environment variable naming plugins to load: comma-separated module paths or package names. */
export const PLUGINS_ENV = 'FDI_PLUGINS';

const TASK_TYPES = new Set(['TIMING', 'REALTIME']);
const TYPE_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

/** FTP with `ftp_protocol: "sftp"` is the sftp connector; otherwise the data source type, lower-cased. */
export function connectorTypeOf(ds: DataSourceRecord): string {
  const type = ds.datasource_type.trim().toLowerCase();
  const protocol = ds.content['ftp_protocol'];
  if (type === 'ftp' && typeof protocol === 'string' && protocol.trim().toLowerCase() === 'sftp') return 'sftp';
  return type;
}

/** Plugin specs from `FDI_PLUGINS` (or the given value): trimmed, empty entries dropped. */
export function pluginSpecsFromEnv(env: NodeJS.ProcessEnv | string | undefined = process.env): string[] {
  const value = typeof env === 'string' || env === undefined ? env : env[PLUGINS_ENV];
  if (!value) return [];
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export class ConnectorRegistry {
  private readonly byType = new Map<string, ConnectorDefinition<unknown>>();

  /** Add a connector; a second connector of the same type is an Error naming the type. */
  register(def: ConnectorDefinition<unknown>): void {
    const problem = definitionProblem(def);
    if (problem) throw new Error(`invalid connector definition: ${problem}`);
    if (this.byType.has(def.type)) throw new Error(`a connector of type "${def.type}" is already registered`);
    this.byType.set(def.type, def);
  }

  get(type: string): ConnectorDefinition<unknown> | undefined {
    return this.byType.get(type.toLowerCase());
  }

  /** The connector of a data source; FdiError FDI.3443 naming the type when there is none. */
  forDatasource(ds: DataSourceRecord): ConnectorDefinition<unknown> {
    const type = connectorTypeOf(ds);
    const def = this.byType.get(type);
    if (!def) {
      throw new FdiError(
        'FDI.3443',
        `No connector for datasource_type "${ds.datasource_type}" (connector type "${type}", data source ${ds.datasource_id}); known types: ${this.types().join(', ') || 'none'}.`,
        'datasource_type',
      );
    }
    return def;
  }

  types(): string[] {
    return [...this.byType.keys()].sort();
  }

  /**
   * Load plugin modules: a path (relative to the working directory) or a package name. A module exports
   * `default` (one definition or a list) and/or `connectors` (a list). A module that fails to import, exports
   * nothing usable, or clashes with a registered type is reported by its name with the reason; its connectors
   * are not registered (all or none per module) and the other modules still load.
   */
  async loadPlugins(specs: readonly string[], cwd: string = process.cwd()): Promise<PluginLoadReport> {
    const report: PluginLoadReport = { loaded: [], failed: [] };
    for (const name of specs) {
      try {
        const mod = await importPlugin(name, cwd);
        const defs = definitionsOf(mod);
        const seen = new Set<string>();
        for (const def of defs) {
          if (this.byType.has(def.type) || seen.has(def.type)) throw new Error(`a connector of type "${def.type}" is already registered`);
          seen.add(def.type);
        }
        for (const def of defs) this.byType.set(def.type, def);
        report.loaded.push(name);
      } catch (err) {
        report.failed.push({ name, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return report;
  }
}

function looksLikePath(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec) || /\.(m?[jt]s|cjs)$/.test(spec) || spec.startsWith('file:');
}

async function importPlugin(spec: string, cwd: string): Promise<unknown> {
  if (spec.startsWith('file:')) return import(spec);
  if (looksLikePath(spec)) {
    const file = resolve(cwd, spec);
    if (!existsSync(file)) throw new Error(`module file not found: ${file}`);
    return import(pathToFileURL(file).href);
  }
  // A package name: installed where the process runs (cwd), else wherever this project resolves it.
  let resolved: string | undefined;
  try {
    resolved = createRequire(resolve(cwd, 'package.json')).resolve(spec);
  } catch {
    resolved = undefined;
  }
  return resolved ? import(pathToFileURL(resolved).href) : import(spec);
}

function definitionsOf(mod: unknown): ConnectorDefinition<unknown>[] {
  if (typeof mod !== 'object' || mod === null) throw new Error('the module exports nothing');
  const { default: def, connectors } = mod as PluginModule;
  const list: unknown[] = [];
  if (def !== undefined) {
    if (Array.isArray(def)) list.push(...(def as unknown[]));
    else list.push(def);
  }
  if (connectors !== undefined) {
    if (!Array.isArray(connectors)) throw new Error('export "connectors" is not a list of connector definitions');
    list.push(...(connectors as unknown[]));
  }
  if (list.length === 0) throw new Error('the module exports no connector (expected `default` or `connectors`)');
  return list.map((d, i) => {
    const problem = definitionProblem(d);
    if (problem) throw new Error(`connector #${i + 1}: ${problem}`);
    return d as ConnectorDefinition<unknown>;
  });
}

/** Why `def` is not a usable connector definition, or undefined when it is. */
function definitionProblem(def: unknown): string | undefined {
  if (typeof def !== 'object' || def === null) return 'not an object';
  const d = def as Record<string, unknown>;
  if (typeof d.type !== 'string' || !TYPE_PATTERN.test(d.type)) {
    return `"type" must be a lower-case name (letters, digits, _ or -), got ${JSON.stringify(d.type)}`;
  }
  const serves = d.serves as Record<string, unknown> | undefined;
  for (const side of ['source', 'target'] as const) {
    const list = serves?.[side];
    if (!Array.isArray(list) || !list.every((t) => TASK_TYPES.has(t as string))) {
      return `${d.type}: "serves.${side}" must be a list of "TIMING" / "REALTIME"`;
    }
  }
  if (typeof d.parseOptions !== 'function') return `${d.type}: "parseOptions" must be a function`;
  for (const fn of ['test', 'listTables', 'listColumns', 'reader', 'writer']) {
    if (d[fn] !== undefined && typeof d[fn] !== 'function') return `${d.type}: "${fn}" must be a function`;
  }
  for (const [stage, suffix, side] of [['readerStage', 'reader', 'source'], ['writerStage', 'writer', 'target']] as const) {
    const s = d[stage];
    if (s !== undefined && (typeof s !== 'string' || s.length < 3 || s.length > 20)) {
      return `${d.type}: "${stage}" must be a name of 3–20 characters`;
    }
    // The monitor log's `stage` is 3–20 characters (spec TaskMonitorDetailLog); the default one must fit too.
    if (s === undefined && (serves?.[side] as unknown[]).length > 0 && `${d.type}${suffix}`.length > 20) {
      return `${d.type}: the default stage name "${d.type}${suffix}" is longer than 20 characters; give "${stage}"`;
    }
  }
  if ((serves?.source as unknown[]).length > 0 && typeof d.reader !== 'function') return `${d.type}: serves as a source but has no "reader"`;
  if ((serves?.target as unknown[]).length > 0 && typeof d.writer !== 'function') return `${d.type}: serves as a target but has no "writer"`;
  return undefined;
}
