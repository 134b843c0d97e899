import type { DataSourceContent } from '../sdk/index.ts';
import { OptionsError } from '../sdk/index.ts';
import { zoneOf } from '../../core/normalise/time-zone.ts';

/** A MySQL or PostgreSQL data source's `content`, validated (spec datasources.md §1.3). */
export interface SqlConnectionOptions {
  mode: 'default' | 'professional';
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** `mysql_timeout` (seconds) as milliseconds; applies to connecting, for both databases. */
  connectTimeoutMs: number;
  /** `encoding`: the connection character set (MySQL); PostgreSQL always speaks UTF-8 and the server converts. */
  encoding?: string;
  /** Beyond the spec: `time_zone`, the zone of this database's zone-less date-times (wins over the task's for a writer). */
  timeZone?: string;
  /** Query parameters of a professional-mode `url` (`?sslmode=…`), for the driver. */
  urlParams: Record<string, string>;
}

export const DEFAULT_CONNECT_TIMEOUT_S = 10;
const TIMEOUT_MAX_S = 20000;

export interface SqlOptionDefaults {
  port: number;
  /** URL schemes accepted in professional mode, after an optional `jdbc:` prefix. */
  schemes: readonly string[];
}

export function parseSqlOptions(content: DataSourceContent, defaults: SqlOptionDefaults): SqlConnectionOptions {
  const mode = optText(content, 'mode') ?? 'default';
  if (mode !== 'default' && mode !== 'professional') throw new OptionsError('mode', `must be "default" or "professional", not "${mode}"`);
  const timeoutS = optInt(content, 'mysql_timeout', 1, TIMEOUT_MAX_S) ?? DEFAULT_CONNECT_TIMEOUT_S;
  const encoding = optText(content, 'encoding');
  if (encoding !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(encoding)) throw new OptionsError('encoding', `"${encoding}" is not a character set name`);
  const timeZone = optText(content, 'time_zone');
  if (timeZone !== undefined) {
    try {
      zoneOf(timeZone, 'time_zone');
    } catch (e) {
      throw new OptionsError('time_zone', e instanceof Error ? e.message : String(e));
    }
  }
  const common = {
    connectTimeoutMs: timeoutS * 1000,
    ...(encoding !== undefined ? { encoding } : {}),
    ...(timeZone !== undefined ? { timeZone } : {}),
  };
  const user = optText(content, 'user_name');
  const password = optRaw(content, 'password');

  if (mode === 'professional') {
    const url = optText(content, 'url');
    if (url === undefined) throw new OptionsError('url', 'is required when mode is "professional"');
    const parsed = parseUrl(url, defaults);
    const u = user ?? parsed.user;
    if (!u) throw new OptionsError('user_name', 'is required (or give the user in url)');
    return { mode, ...parsed, user: u, password: password ?? parsed.password, ...common };
  }
  const host = optText(content, 'host');
  if (host === undefined) throw new OptionsError('host', 'is required when mode is "default"');
  if (!/^[A-Za-z0-9.:_-]{1,255}$/.test(host) && !/^\[[0-9A-Fa-f:.]+\]$/.test(host)) throw new OptionsError('host', `"${host}" is not a host name or IP address`);
  const database = optText(content, 'database_name');
  if (database === undefined) throw new OptionsError('database_name', 'is required when mode is "default"');
  if (user === undefined) throw new OptionsError('user_name', 'is required');
  return {
    mode,
    host: host.replace(/^\[|\]$/g, ''),
    port: optInt(content, 'port', 0, 65535) ?? defaults.port,
    database,
    user,
    password: password ?? '',
    urlParams: {},
    ...common,
  };
}

function parseUrl(text: string, defaults: SqlOptionDefaults): Omit<SqlConnectionOptions, 'mode' | 'connectTimeoutMs' | 'encoding' | 'timeZone'> {
  const bare = text.replace(/^jdbc:/i, '');
  let url: URL;
  try {
    url = new URL(bare);
  } catch {
    throw new OptionsError('url', `"${text}" is not a URL like ${defaults.schemes[0]}://host:port/database`);
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (!defaults.schemes.includes(scheme)) throw new OptionsError('url', `scheme "${scheme}" is not one of ${defaults.schemes.join(', ')}`);
  if (!url.hostname) throw new OptionsError('url', 'has no host');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new OptionsError('url', 'has no database (…/database)');
  const urlParams: Record<string, string> = {};
  for (const [k, v] of url.searchParams) urlParams[k] = v;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : defaults.port,
    database,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    urlParams,
  };
}

function optRaw(content: DataSourceContent, field: string): string | undefined {
  const v = content[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw new OptionsError(field, 'must be a string');
  return String(v);
}

function optText(content: DataSourceContent, field: string): string | undefined {
  const v = optRaw(content, field);
  if (v === undefined) return undefined;
  const t = v.trim();
  return t.length === 0 ? undefined : t;
}

function optInt(content: DataSourceContent, field: string, min: number, max: number): number | undefined {
  const v = optText(content, field);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new OptionsError(field, `must be a whole number, not "${v}"`);
  const n = Number(v);
  if (n < min || n > max) throw new OptionsError(field, `must be between ${min} and ${max}`);
  return n;
}
