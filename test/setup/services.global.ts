/**
 * Global setup of the `integration` project: makes sure every real test service answers before any test runs.
 *
 * - A service whose settings the user gave through FDI_TEST_* is the user's: it is probed, never started; if it
 *   does not answer, the run stops with an error naming the variable.
 * - Every other service that does not answer is started by `scripts/test-services.sh up <service…>` (the
 *   project's private instances), and the settings it writes to `.test-services/env` are copied into
 *   process.env (test/support/services.ts also reads that file, so workers see them either way).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SERVICES_ENV_FILE, testServices } from '../support/services.ts';
import {
  brokerEndpoint,
  kafkaAnswers,
  mysqlAnswers,
  postgresAnswers,
  redisAnswers,
  sshAnswers,
  urlEndpoint,
  type Endpoint,
} from './probe.ts';

const SCRIPT = resolve(import.meta.dirname, '../../scripts/test-services.sh');
/** Long enough for a first run that installs the Debian packages. */
const STARTUP_TIMEOUT_MS = 15 * 60_000;

type ServiceName = 'mysql' | 'pg' | 'redis' | 'sftp' | 'kafka';

interface ServiceCheck {
  name: ServiceName;
  /** The variables that, when set by the user, make this service theirs. */
  envKeys: string[];
  describe: () => string;
  answers: () => Promise<boolean>;
}

function checks(): ServiceCheck[] {
  const at = (e: Endpoint): string => `${e.host}:${e.port}`;
  return [
    {
      name: 'mysql',
      envKeys: ['FDI_TEST_MYSQL_URL'],
      describe: () => at(urlEndpoint(testServices().mysqlUrl, 3306)),
      answers: () => mysqlAnswers(urlEndpoint(testServices().mysqlUrl, 3306)),
    },
    {
      name: 'pg',
      envKeys: ['FDI_TEST_PG_URL'],
      describe: () => at(urlEndpoint(testServices().pgUrl, 5432)),
      answers: () => postgresAnswers(urlEndpoint(testServices().pgUrl, 5432)),
    },
    {
      name: 'redis',
      envKeys: ['FDI_TEST_REDIS_URL'],
      describe: () => at(urlEndpoint(testServices().redisUrl, 6379)),
      answers: () => redisAnswers(urlEndpoint(testServices().redisUrl, 6379)),
    },
    {
      name: 'sftp',
      envKeys: ['FDI_TEST_SFTP_HOST', 'FDI_TEST_SFTP_PORT'],
      describe: () => {
        const { host, port, privateKeyFile } = testServices().sftp;
        return `${host}:${port}${existsSync(privateKeyFile) ? '' : ` (no client key at ${privateKeyFile}: set FDI_TEST_SFTP_KEY_FILE)`}`;
      },
      // Key auth needs the client key too: a fresh checkout next to a running instance has none yet.
      answers: async () =>
        existsSync(testServices().sftp.privateKeyFile) &&
        (await sshAnswers({ host: testServices().sftp.host, port: testServices().sftp.port })),
    },
    {
      name: 'kafka',
      envKeys: ['FDI_TEST_KAFKA_BROKERS'],
      describe: () => testServices().kafkaBrokers.join(','),
      answers: async () => {
        const answers = await Promise.all(testServices().kafkaBrokers.map((b) => kafkaAnswers(brokerEndpoint(b))));
        return answers.some(Boolean);
      },
    },
  ];
}

async function silent(all: ServiceCheck[]): Promise<ServiceCheck[]> {
  const answers = await Promise.all(all.map((c) => c.answers()));
  return all.filter((_, i) => !answers[i]);
}

function runScript(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(SCRIPT, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n(test-services.sh killed after ${STARTUP_TIMEOUT_MS / 1000}s)`;
      child.kill('SIGTERM');
    }, STARTUP_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${SCRIPT}: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

function loadEnvFile(): void {
  for (const line of readFileSync(SERVICES_ENV_FILE, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined && process.env[m[1]] === undefined) process.env[m[1]] = m[2];
  }
}

export default async function setup(): Promise<void> {
  const all = checks();
  const down = await silent(all);
  if (down.length === 0) return;

  const users = down.filter((c) => c.envKeys.some((k) => process.env[k] !== undefined));
  if (users.length > 0) {
    const lines = users.map((c) => `  ${c.name}: ${c.envKeys.filter((k) => process.env[k] !== undefined).join(', ')} → ${c.describe()}`);
    throw new Error(
      `These test services were set through the environment but do not answer:\n${lines.join('\n')}\n` +
        'Start them, or unset the variables to let scripts/test-services.sh start private instances.',
    );
  }

  const names = down.map((c) => c.name);
  console.log(`[integration setup] not answering: ${names.join(', ')}; running scripts/test-services.sh up ${names.join(' ')}`);
  const { code, output } = await runScript(['up', ...names]);
  if (code !== 0) {
    throw new Error(`scripts/test-services.sh up ${names.join(' ')} failed (exit ${code}):\n${output}`);
  }
  loadEnvFile();

  const stillDown = await silent(all);
  if (stillDown.length > 0) {
    throw new Error(
      `scripts/test-services.sh up reported success, but these still do not answer: ` +
        `${stillDown.map((c) => `${c.name} (${c.describe()})`).join(', ')}\n${output}`,
    );
  }
}
