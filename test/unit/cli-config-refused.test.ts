import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.ts';

const BIN = resolve(import.meta.dirname, '../../bin/fdi.mjs');

/** `fdi <args>` with the secrets removed from the environment unless `env` gives them. */
function fdi(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env, FDI_PLUGINS: '' };
  delete base['FDI_SECRET_KEY'];
  delete base['FDI_API_TOKENS'];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stderr }));
  });
}

describe('fdi serve / fdi worker refuse a bad configuration before connecting to anything', () => {
  it.each<[string, string[], NodeJS.ProcessEnv, RegExp]>([
    ['serve without a secret key', ['serve'], {}, /^fdi serve: FDI_SECRET_KEY: is required/],
    ['serve with a port that is no number', ['serve', '--dev', '--port', 'abc'], {}, /^fdi serve: --port: must be an integer from 0 to 65535, got "abc"/],
    ['serve with a bad runtime setting', ['serve', '--dev'], { FDI_WORKER_CONCURRENCY: '0' }, /^fdi serve: .*FDI_WORKER_CONCURRENCY="0" must be an integer ≥ 1/],
    ['worker with a concurrency that is no number', ['worker', '--concurrency', 'abc'], {}, /^fdi worker: .*FDI_WORKER_CONCURRENCY="abc" must be an integer ≥ 1/],
    ['worker without a secret key', ['worker'], {}, /^fdi worker: FDI_SECRET_KEY: is required/],
    ['serve with an unknown log level', ['serve', '--dev'], { FDI_LOG_LEVEL: 'verbose' }, /^fdi serve: .*FDI_LOG_LEVEL="verbose" must be one of fatal, error, warn, info, debug, trace, silent/],
    ['worker with an unknown log level', ['worker'], { FDI_LOG_LEVEL: 'loud' }, /^fdi worker: .*FDI_LOG_LEVEL="loud" must be one of/],
    ['worker with a metrics port that is no number', ['worker', '--metrics-port', 'x1'], { FDI_SECRET_KEY: 'a passphrase of sixteen+ chars' }, /^fdi worker: --metrics-port: must be a port number from 0 to 65535, got "x1"/],
    ['worker with a metrics port out of range', ['worker'], { FDI_SECRET_KEY: 'a passphrase of sixteen+ chars', FDI_METRICS_PORT: '65536' }, /^fdi worker: FDI_METRICS_PORT: must be a port number from 0 to 65535, got "65536"/],
  ])('%s: invalid input (exit 2) with the reason on stderr', async (_case, args, env, message) => {
    const { code, stderr } = await fdi(args, env);
    expect(code).toBe(EXIT.INVALID_INPUT);
    expect(stderr).toMatch(message);
  });
});
