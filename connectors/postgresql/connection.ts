import type pg from 'pg';
import type { SourceZone } from '../../core/normalise/time-zone.ts';
import { dateWithMicros, subMillisecondMicrosOfText } from '../../core/values.ts';
import { jsonFieldValue, parseJsonLossless } from '../sdk/index.ts';
import { localTextToEpochMs } from '../sql/instant.ts';
import { sessionZone } from '../sql/zone.ts';
import type { PostgresOptions } from './options.ts';

const OID = { json: 114, date: 1082, timestamp: 1114, timestamptz: 1184, interval: 1186, jsonb: 3802 } as const;
const SSL_MODES_ON = new Set(['require', 'verify-ca', 'verify-full']);

export interface TypeParsers {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => (value: string) => unknown;
}

/**
 * Values as the pipeline wants them. Defaults of node-postgres already give int8/numeric as exact strings, json as
 * objects, bytea as Buffer and timestamptz as instants; zone-less `timestamp` is read in the task's zone (not the
 * worker process's); `date` (`YYYY-MM-DD`) and `interval` stay text.
 */
export function typeParsers(types: typeof pg.types, zone: SourceZone | undefined): TypeParsers {
  return {
    getTypeParser: (oid, format) => {
      if (format !== 'binary' && zone) {
        if (oid === OID.timestamp) return (text: string) => zoneLess(text, zone);
      }
      if (format !== 'binary' && oid === OID.timestamptz) {
        const instant = types.getTypeParser(oid, 'text') as (value: string) => unknown;
        return (text: string) => withMicros(instant(text), text);
      }
      // node-postgres parses json with JSON.parse, which rounds 64-bit ids and long decimals.
      if (format !== 'binary' && (oid === OID.json || oid === OID.jsonb)) return (text: string) => jsonFieldValue(parseJsonLossless(text));
      // A date is a calendar day, not an instant: as text it cannot shift between the reader's and writer's zones.
      if (oid === OID.interval || oid === OID.date) return (text: string) => text;
      return types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
    },
  };
}

/** node-postgres reads timestamptz to the millisecond; the text's 4th–6th fraction digits are kept as well. */
function withMicros(parsed: unknown, text: string): unknown {
  if (!(parsed instanceof Date) || Number.isNaN(parsed.getTime())) return parsed;
  return dateWithMicros(parsed.getTime(), subMillisecondMicrosOfText(text));
}

function zoneLess(text: string, zone: SourceZone): Date | string {
  try {
    return dateWithMicros(localTextToEpochMs(text, zone), subMillisecondMicrosOfText(text));
  } catch {
    return text; // infinity, -infinity, BC dates: no JS instant
  }
}

export async function connectPostgres(options: PostgresOptions, zone: SourceZone | undefined): Promise<pg.Client> {
  // Loaded on first use, so processes that never touch PostgreSQL do not pay for the driver.
  const driver = (await import('pg')).default;
  const sslmode = options.urlParams.sslmode;
  const client = new driver.Client({
    host: options.host,
    port: options.port,
    user: options.user,
    password: options.password,
    database: options.database,
    connectionTimeoutMillis: options.connectTimeoutMs,
    application_name: 'fdi-worker',
    types: typeParsers(driver.types, zone),
    ...(sslmode && SSL_MODES_ON.has(sslmode) ? { ssl: { rejectUnauthorized: sslmode === 'verify-full' } } : {}),
  });
  client.on('error', () => {
    // A backend that goes away surfaces as the error of the query in flight; an idle one is just closed.
  });
  await client.connect();
  try {
    if (zone) await setZone(client, zone);
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  return client;
}

async function setZone(client: pg.Client, zone: SourceZone): Promise<void> {
  if (zone.kind === 'fixed') {
    // A bare '+08:00' would be read POSIX-style (west-positive); an interval is unambiguous. The text is our own.
    await client.query(`SET TIME ZONE INTERVAL '${sessionZone(zone)}' HOUR TO MINUTE`);
  } else {
    await client.query(`SELECT set_config('TimeZone', $1, false)`, [zone.name]);
  }
}

export async function closePostgres(client: pg.Client): Promise<void> {
  await client.end().catch(() => undefined);
}
