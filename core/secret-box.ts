import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { SECRET_CONTENT_FIELDS, type DataSourceContent } from './datasource.ts';
import type { JsonValue } from './values.ts';

/**
 * Encrypts data-source secrets at rest (AES-256-GCM). A sealed value is a string
 * `fdi:enc:v1:<iv>:<tag>:<ciphertext>` (base64url parts) holding the JSON text of the original value,
 * so numbers and objects survive the round trip.
 */
const SEALED_PREFIX = 'fdi:enc:v1:';
const IV_BYTES = 12;
/** The salt of passphrase-derived keys: fixed, so the same passphrase opens the same data on every node. */
const PASSPHRASE_SALT = 'fdi-worker/secret-box/v1';

export class SecretKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

/**
 * Reads `FDI_SECRET_KEY`: 64 hex characters or the base64 of 32 bytes is used as the key itself; anything
 * else of at least 16 characters is a passphrase stretched with scrypt.
 */
export function parseSecretKey(text: string): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const raw = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (raw.length === 32) return raw;
  }
  if (value.length < 16) {
    throw new SecretKeyError(
      'FDI_SECRET_KEY must be 32 bytes (64 hex characters or base64) or a passphrase of at least 16 characters',
    );
  }
  return scryptSync(value, PASSPHRASE_SALT, 32);
}

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new SecretKeyError(`secret key must be 32 bytes, got ${key.length}`);
    this.#key = Buffer.from(key);
  }

  static fromText(text: string): SecretBox {
    return new SecretBox(parseSecretKey(text));
  }

  /** A random key for `fdi serve --dev`: what it encrypts cannot be read after a restart. */
  static ephemeral(): SecretBox {
    return new SecretBox(randomBytes(32));
  }

  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
  }

  seal(value: JsonValue): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${SEALED_PREFIX}${iv.toString('base64url')}:${tag.toString('base64url')}:${body.toString('base64url')}`;
  }

  open(sealed: string): JsonValue {
    if (!SecretBox.isSealed(sealed)) throw new SecretKeyError('value is not sealed');
    const parts = sealed.slice(SEALED_PREFIX.length).split(':');
    const [ivText, tagText, bodyText] = parts;
    if (parts.length !== 3 || ivText === undefined || tagText === undefined || bodyText === undefined) {
      throw new SecretKeyError('sealed value is malformed');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(ivText, 'base64url'));
      decipher.setAuthTag(Buffer.from(tagText, 'base64url'));
      const text = Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64url')), decipher.final()]).toString('utf8');
      return JSON.parse(text) as JsonValue;
    } catch {
      throw new SecretKeyError('cannot decrypt a stored secret: FDI_SECRET_KEY differs from the key it was written with');
    }
  }

  /** Seals every secret field (at any depth: `api_auth_detail.password` too). */
  sealContent(content: DataSourceContent): DataSourceContent {
    return mapSecrets(content, (v) => (SecretBox.isSealed(v) ? v : this.seal(v))) as DataSourceContent;
  }

  openContent(content: DataSourceContent): DataSourceContent {
    return mapSecrets(content, (v) => (SecretBox.isSealed(v) ? this.open(v) : v)) as DataSourceContent;
  }
}

const SECRET_SET = new Set(SECRET_CONTENT_FIELDS);

export function isSecretField(name: string): boolean {
  return SECRET_SET.has(name);
}

/** A copy of `content` where each secret value (not null/undefined) is replaced by `fn(value)`. */
export function mapSecrets(
  content: { [key: string]: JsonValue | undefined },
  fn: (value: JsonValue) => JsonValue,
): { [key: string]: JsonValue | undefined } {
  const out: { [key: string]: JsonValue | undefined } = {};
  for (const [key, value] of Object.entries(content)) {
    if (value === undefined || value === null) out[key] = value;
    else if (isSecretField(key)) out[key] = fn(value);
    else out[key] = mapNested(value, fn);
  }
  return out;
}

function mapNested(value: JsonValue, fn: (value: JsonValue) => JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map((v) => mapNested(v, fn));
  if (value !== null && typeof value === 'object') return mapSecrets(value, fn) as { [key: string]: JsonValue };
  return value;
}
