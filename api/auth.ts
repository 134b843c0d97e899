import { createHash, timingSafeEqual } from 'node:crypto';
import { FdiError } from '../core/fdi-error.ts';
import type { ApiAuth } from './config.ts';

/** Who is calling: a key for rate limiting and the project the token is bound to (if any). */
export interface Principal {
  /** A hash of the token (never the token itself), or `anonymous`. */
  key: string;
  projectId?: string;
}

type HeaderValue = string | string[] | undefined;

/** The token from `X-Auth-Token` or `Authorization: Bearer …`; undefined when neither is sent. */
export function presentedToken(headers: { [name: string]: HeaderValue }): string | undefined {
  const direct = first(headers['x-auth-token'])?.trim();
  if (direct) return direct;
  const authorization = first(headers['authorization'])?.trim();
  if (!authorization) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  // Any other scheme (AK/SK signatures, Basic) is not supported: treat it as a wrong token.
  return m?.[1] ?? authorization;
}

function first(v: HeaderValue): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Checks tokens in constant time (hashes of equal length, compared with timingSafeEqual). */
export class Authenticator {
  readonly #tokens: { hash: Buffer; projectId?: string }[];
  readonly #enabled: boolean;

  constructor(auth: ApiAuth) {
    this.#enabled = auth.mode === 'tokens';
    this.#tokens =
      auth.mode === 'tokens'
        ? auth.tokens.map((t) => (t.projectId ? { hash: digest(t.token), projectId: t.projectId } : { hash: digest(t.token) }))
        : [];
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** The caller, or FdiError FDI.1000 (no token) / FDI.1002 (wrong token). */
  authenticate(headers: { [name: string]: HeaderValue }): Principal {
    if (!this.#enabled) return { key: 'anonymous' };
    const token = presentedToken(headers);
    if (!token) throw new FdiError('FDI.1000');
    const hash = digest(token);
    let match: { hash: Buffer; projectId?: string } | undefined;
    for (const t of this.#tokens) if (timingSafeEqual(t.hash, hash) && !match) match = t;
    if (!match) throw new FdiError('FDI.1002');
    const key = `token:${hash.toString('hex').slice(0, 16)}`;
    return match.projectId ? { key, projectId: match.projectId } : { key };
  }
}

/** A token bound to a project sees only that project; unbound tokens (and no auth) see every project. */
export function mayUseProject(principal: Principal, projectId: string): boolean {
  return principal.projectId === undefined || principal.projectId === projectId;
}
