/** What the HTTP API needs to know; `cli/commands/serve-config.ts` builds it from the environment. */

export interface ApiToken {
  token: string;
  /** When set, the token may only use `/v2/{this project}/…`; other projects answer 404. */
  projectId?: string;
}

export type ApiAuth = { mode: 'tokens'; tokens: readonly ApiToken[] } | { mode: 'none' };

export interface RateLimitConfig {
  /** Sustained requests per second per token (per client address when auth is off). */
  perSecond: number;
  /** The bucket size: how many requests may come at once after a quiet spell. */
  burst: number;
}

export interface ApiConfig {
  auth: ApiAuth;
  /** null: no rate limit. */
  rateLimit: RateLimitConfig | null;
  /** Time zone of a dispatch plan that names none (IANA name). */
  defaultTimeZone: string;
  /** Largest accepted request body, bytes. */
  bodyLimitBytes: number;
}

export const DEFAULT_API_CONFIG: Readonly<ApiConfig> = {
  auth: { mode: 'none' },
  rateLimit: { perSecond: 50, burst: 100 },
  defaultTimeZone: 'UTC',
  bodyLimitBytes: 10 * 1024 * 1024,
};
