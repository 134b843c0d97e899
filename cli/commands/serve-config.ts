/**
 * `fdi serve` configuration from the environment (and the `--port` / `--dev` flags). Every variable has a
 * documented default except the secrets: FDI_SECRET_KEY and FDI_API_TOKENS are required unless `--dev`.
 * docs/api.md lists them all.
 */
import { DEFAULT_API_CONFIG, type ApiConfig, type ApiToken, type RateLimitConfig } from '../../api/config.ts';
import { DEFAULT_KEY_PREFIX, DEFAULT_RETENTION, type RetentionPolicy } from '../../core/redis-store.ts';
import { SecretBox, SecretKeyError } from '../../core/secret-box.ts';
import { defaultPlanTimeZone } from '../../scheduler/plan/index.ts';

export const SERVE_DEFAULTS = {
  host: '0.0.0.0',
  port: 8080,
  redisUrl: 'redis://127.0.0.1:6379',
  keyPrefix: DEFAULT_KEY_PREFIX,
} as const;

export interface ServeConfig {
  host: string;
  port: number;
  redisUrl: string;
  /** Prefix of every key the store writes (`FDI_KEY_PREFIX`). */
  keyPrefix: string;
  secrets: SecretBox;
  api: ApiConfig;
  retention: RetentionPolicy;
  /** Things the operator should know (dev mode, no auth); print them at start. */
  warnings: string[];
}

export interface ServeFlags {
  port?: string | number;
  dev?: boolean;
}

/** Bad configuration: the message names the variable. */
export class ServeConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ServeConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function text(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function integer(value: string | number, name: string, min: number, max: number): number {
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new ServeConfigError(name, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** `FDI_API_TOKENS`: comma-separated; `token` may use every project, `token@project_id` only that one. */
export function parseTokens(value: string): ApiToken[] {
  const tokens: ApiToken[] = [];
  for (const entry of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf('@');
    const token = at === -1 ? entry : entry.slice(0, at);
    const projectId = at === -1 ? undefined : entry.slice(at + 1);
    if (token.length < 16) throw new ServeConfigError('FDI_API_TOKENS', 'each token must have at least 16 characters');
    if (projectId !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(projectId)) {
      throw new ServeConfigError('FDI_API_TOKENS', `"${projectId}" is not a project id (letters, digits, . _ -)`);
    }
    tokens.push(projectId === undefined ? { token } : { token, projectId });
  }
  return tokens;
}

/** `FDI_RATE_LIMIT`: requests per second per token, `off` or `0` for none; `FDI_RATE_LIMIT_BURST` the bucket. */
function rateLimit(env: Env): RateLimitConfig | null {
  const fallback = DEFAULT_API_CONFIG.rateLimit;
  const rate = text(env, 'FDI_RATE_LIMIT');
  if (rate !== undefined && /^(off|0)$/i.test(rate)) return null;
  const perSecond = rate === undefined ? (fallback?.perSecond ?? 50) : Number(rate);
  if (!Number.isFinite(perSecond) || perSecond <= 0) throw new ServeConfigError('FDI_RATE_LIMIT', `must be a positive number or "off", got "${rate}"`);
  const burstText = text(env, 'FDI_RATE_LIMIT_BURST');
  const burst = burstText === undefined ? Math.max(1, Math.ceil(perSecond * 2)) : integer(burstText, 'FDI_RATE_LIMIT_BURST', 1, 1_000_000);
  return { perSecond, burst };
}

export function loadServeConfig(env: Env = process.env, flags: ServeFlags = {}): ServeConfig {
  const warnings: string[] = [];
  const dev = flags.dev === true;

  const portSource = flags.port !== undefined ? { v: flags.port, name: '--port' } : text(env, 'PORT') !== undefined ? { v: text(env, 'PORT')!, name: 'PORT' } : null;
  const port = portSource ? integer(portSource.v, portSource.name, 0, 65535) : SERVE_DEFAULTS.port;

  const redisUrl = text(env, 'REDIS_URL') ?? SERVE_DEFAULTS.redisUrl;
  if (!/^rediss?:\/\//.test(redisUrl)) throw new ServeConfigError('REDIS_URL', `must start with redis:// or rediss://, got "${redisUrl}"`);

  const keyPrefix = text(env, 'FDI_KEY_PREFIX') ?? SERVE_DEFAULTS.keyPrefix;
  if (!/^[A-Za-z0-9._:{}-]{1,64}$/.test(keyPrefix)) throw new ServeConfigError('FDI_KEY_PREFIX', 'use 1–64 letters, digits, . _ : - { }');

  let secrets: SecretBox;
  const key = text(env, 'FDI_SECRET_KEY');
  if (key !== undefined) {
    try {
      secrets = SecretBox.fromText(key);
    } catch (e) {
      throw new ServeConfigError('FDI_SECRET_KEY', e instanceof SecretKeyError ? e.message : String(e));
    }
  } else if (dev) {
    secrets = SecretBox.ephemeral();
    warnings.push('FDI_SECRET_KEY is not set: --dev uses a random key, so data-source secrets saved now cannot be read after a restart.');
  } else {
    throw new ServeConfigError('FDI_SECRET_KEY', 'is required (32 bytes as 64 hex characters or base64, or a passphrase of 16+ characters); `fdi serve --dev` runs with a throw-away key');
  }

  const tokensText = text(env, 'FDI_API_TOKENS');
  const authOff = text(env, 'FDI_API_AUTH')?.toLowerCase() === 'none';
  let auth: ApiConfig['auth'];
  if (tokensText !== undefined) {
    const tokens = parseTokens(tokensText);
    if (tokens.length === 0) throw new ServeConfigError('FDI_API_TOKENS', 'names no token');
    auth = { mode: 'tokens', tokens };
  } else if (authOff || dev) {
    auth = { mode: 'none' };
    warnings.push('The API accepts requests without a token (FDI_API_TOKENS is not set).');
  } else {
    throw new ServeConfigError('FDI_API_TOKENS', 'is required (comma-separated tokens, each optionally token@project_id); set FDI_API_AUTH=none to serve without authentication');
  }

  let defaultTimeZone: string;
  try {
    defaultTimeZone = defaultPlanTimeZone(env as NodeJS.ProcessEnv);
  } catch (e) {
    throw new ServeConfigError('FDI_TIME_ZONE', e instanceof Error ? e.message : String(e));
  }

  const bodyLimit = text(env, 'FDI_BODY_LIMIT');
  const retentionCount = text(env, 'FDI_LOG_RETENTION_COUNT');
  const retentionDays = text(env, 'FDI_LOG_RETENTION_DAYS');

  return {
    host: text(env, 'HOST') ?? SERVE_DEFAULTS.host,
    port,
    redisUrl,
    keyPrefix,
    secrets,
    api: {
      auth,
      rateLimit: rateLimit(env),
      defaultTimeZone,
      bodyLimitBytes: bodyLimit === undefined ? DEFAULT_API_CONFIG.bodyLimitBytes : integer(bodyLimit, 'FDI_BODY_LIMIT', 1024, 1024 ** 3),
    },
    retention: {
      maxLogsPerTask: retentionCount === undefined ? DEFAULT_RETENTION.maxLogsPerTask : integer(retentionCount, 'FDI_LOG_RETENTION_COUNT', 0, 10_000_000),
      maxAgeDays: retentionDays === undefined ? DEFAULT_RETENTION.maxAgeDays : integer(retentionDays, 'FDI_LOG_RETENTION_DAYS', 0, 36_500),
    },
    warnings,
  };
}
