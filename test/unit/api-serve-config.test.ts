import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadServeConfig, parseTokens, ServeConfigError } from '../../cli/commands/serve-config.ts';

const KEY = randomBytes(32).toString('hex');
const TOKEN = 'a-token-of-enough-length';
const base = { FDI_SECRET_KEY: KEY, FDI_API_TOKENS: TOKEN };

function failure(env: Record<string, string>, flags = {}): ServeConfigError {
  try {
    loadServeConfig(env, flags);
  } catch (e) {
    if (e instanceof ServeConfigError) return e;
    throw e;
  }
  throw new Error('expected a ServeConfigError');
}

describe('loadServeConfig', () => {
  it('has documented defaults', () => {
    const c = loadServeConfig(base);
    expect(c).toMatchObject({ host: '0.0.0.0', port: 8080, redisUrl: 'redis://127.0.0.1:6379', keyPrefix: 'fdi:', warnings: [] });
    expect(c.api).toMatchObject({ auth: { mode: 'tokens', tokens: [{ token: TOKEN }] }, rateLimit: { perSecond: 50, burst: 100 }, defaultTimeZone: 'UTC', bodyLimitBytes: 10 * 1024 * 1024 });
    expect(c.retention).toEqual({ maxLogsPerTask: 1000, maxAgeDays: 30 });
  });

  it('reads every variable; --port wins over PORT', () => {
    const c = loadServeConfig(
      {
        ...base,
        PORT: '9000',
        HOST: '127.0.0.1',
        REDIS_URL: 'redis://redis:6380/2',
        FDI_KEY_PREFIX: 'acme:fdi:',
        FDI_RATE_LIMIT: '5',
        FDI_RATE_LIMIT_BURST: '7',
        FDI_TIME_ZONE: 'Asia/Shanghai',
        FDI_BODY_LIMIT: '2048',
        FDI_LOG_RETENTION_COUNT: '50',
        FDI_LOG_RETENTION_DAYS: '0',
      },
      { port: '9100' },
    );
    expect(c).toMatchObject({ host: '127.0.0.1', port: 9100, redisUrl: 'redis://redis:6380/2', keyPrefix: 'acme:fdi:' });
    expect(c.api).toMatchObject({ rateLimit: { perSecond: 5, burst: 7 }, defaultTimeZone: 'Asia/Shanghai', bodyLimitBytes: 2048 });
    expect(c.retention).toEqual({ maxLogsPerTask: 50, maxAgeDays: 0 });
    expect(loadServeConfig({ ...base, PORT: '9000' }).port).toBe(9000);
    expect(loadServeConfig({ ...base, FDI_RATE_LIMIT: 'off' }).api.rateLimit).toBeNull();
  });

  it('requires a secret key and tokens, except in --dev (with warnings)', () => {
    expect(failure({ FDI_API_TOKENS: TOKEN }).variable).toBe('FDI_SECRET_KEY');
    expect(failure({ FDI_SECRET_KEY: KEY }).variable).toBe('FDI_API_TOKENS');
    const dev = loadServeConfig({}, { dev: true });
    expect(dev.api.auth).toEqual({ mode: 'none' });
    expect(dev.warnings).toHaveLength(2);
    const open = loadServeConfig({ FDI_SECRET_KEY: KEY, FDI_API_AUTH: 'none' });
    expect(open.api.auth).toEqual({ mode: 'none' });
    expect(open.warnings.join(' ')).toContain('without a token');
  });

  it('names the variable of a bad value', () => {
    expect(failure({ ...base, PORT: 'http' }).variable).toBe('PORT');
    expect(failure({ ...base }, { port: 70000 }).variable).toBe('--port');
    expect(failure({ ...base, REDIS_URL: 'localhost:6379' }).variable).toBe('REDIS_URL');
    expect(failure({ ...base, FDI_KEY_PREFIX: 'fdi:*' }).variable).toBe('FDI_KEY_PREFIX');
    expect(failure({ ...base, FDI_SECRET_KEY: 'short' }).variable).toBe('FDI_SECRET_KEY');
    expect(failure({ ...base, FDI_RATE_LIMIT: '-1' }).variable).toBe('FDI_RATE_LIMIT');
    expect(failure({ ...base, FDI_TIME_ZONE: 'Mars/Base' }).variable).toBe('FDI_TIME_ZONE');
    expect(failure({ ...base, FDI_LOG_RETENTION_DAYS: 'a week' }).variable).toBe('FDI_LOG_RETENTION_DAYS');
    expect(failure({ ...base, FDI_API_TOKENS: 'short' }).variable).toBe('FDI_API_TOKENS');
  });
});

describe('parseTokens', () => {
  it('reads token and token@project entries', () => {
    expect(parseTokens(` ${TOKEN} , second-token-0123456789@c53626012ba84727b938ca8bf03108ef ,`)).toEqual([
      { token: TOKEN },
      { token: 'second-token-0123456789', projectId: 'c53626012ba84727b938ca8bf03108ef' },
    ]);
    expect(() => parseTokens(`${TOKEN}@bad project`)).toThrow(ServeConfigError);
  });
});
