/**
 * Connection settings of the real test services, for integration tests. Each comes from the environment
 * (so a user can point the suite at their own servers), else from the file that `scripts/test-services.sh up`
 * writes (`.test-services/env`), else the script's defaults.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const SERVICES_ENV_FILE = resolve(import.meta.dirname, '../../.test-services/env');

function fromFile(): Record<string, string> {
  if (!existsSync(SERVICES_ENV_FILE)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(SERVICES_ENV_FILE, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m && m[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

function setting(name: string, fallback: string): string {
  return process.env[name] ?? fromFile()[name] ?? fallback;
}

export interface TestServices {
  mysqlUrl: string;
  pgUrl: string;
  redisUrl: string;
  kafkaBrokers: string[];
  sftp: { host: string; port: number; user: string; password: string; privateKeyFile: string; root: string };
}

export function testServices(): TestServices {
  return {
    mysqlUrl: setting('FDI_TEST_MYSQL_URL', 'mysql://app:app@127.0.0.1:33306/app'),
    pgUrl: setting('FDI_TEST_PG_URL', 'postgres://postgres@127.0.0.1:55432/app'),
    redisUrl: setting('FDI_TEST_REDIS_URL', 'redis://127.0.0.1:56379'),
    kafkaBrokers: setting('FDI_TEST_KAFKA_BROKERS', '127.0.0.1:19092').split(','),
    sftp: {
      host: setting('FDI_TEST_SFTP_HOST', '127.0.0.1'),
      port: Number(setting('FDI_TEST_SFTP_PORT', '2222')),
      user: setting('FDI_TEST_SFTP_USER', 'sftptest'),
      password: setting('FDI_TEST_SFTP_PASSWORD', 'sftppass'),
      privateKeyFile: setting('FDI_TEST_SFTP_KEY_FILE', resolve(import.meta.dirname, '../../.test-services/sftp/client_key')),
      /** A folder the SFTP user may write, as the user sees it. */
      root: setting('FDI_TEST_SFTP_ROOT', '/upload'),
    },
  };
}

/**
 * True when `scripts/test-services.sh restart redis` really restarts the suite's Redis: the script started it
 * from this checkout (not reused from another one, not a user's own server named by FDI_TEST_REDIS_URL).
 */
export function redisRestartable(): boolean {
  const file = fromFile();
  return file['FDI_TEST_REDIS_RESTARTABLE'] === '1' && file['FDI_TEST_REDIS_URL'] === testServices().redisUrl;
}

/** A PostgreSQL role of the test server whose password the server really checks (scram-sha-256). */
export interface PgPasswordRole {
  user: string;
  password: string;
}

/**
 * The password-checked role (`fdi_pw`) that `scripts/test-services.sh` creates on the PostgreSQL it runs itself
 * (every other role there has trust auth, so a wrong password is never refused). From the environment
 * (FDI_TEST_PG_PASSWORD_USER, FDI_TEST_PG_PASSWORD_USER_PASSWORD: a role on a server of one's own), else from
 * `.test-services/env`, but only while that file describes the PostgreSQL the tests use (the integration setup
 * copies the file into the environment, so a value equal to the file's counts as the file's). Undefined when the
 * server has no such role.
 */
export function pgPasswordRole(): PgPasswordRole | undefined {
  const USER = 'FDI_TEST_PG_PASSWORD_USER';
  const PASSWORD = 'FDI_TEST_PG_PASSWORD_USER_PASSWORD';
  const file = fromFile();
  const fileIsOurs = file['FDI_TEST_PG_URL'] === testServices().pgUrl;
  const envUser = process.env[USER];
  if (envUser && (envUser !== file[USER] || fileIsOurs)) return { user: envUser, password: process.env[PASSWORD] ?? '' };
  const user = file[USER];
  if (!user || !fileIsOurs) return undefined;
  return { user, password: file[PASSWORD] ?? '' };
}
