import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MASKED_SECRET } from '../../core/datasource.ts';
import { mapSecrets, parseSecretKey, SecretBox, SecretKeyError } from '../../core/secret-box.ts';

describe('parseSecretKey', () => {
  it('takes 64 hex characters as the key itself', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('hex')).equals(key)).toBe(true);
  });

  it('takes base64 and base64url of 32 bytes as the key itself', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('base64')).equals(key)).toBe(true);
    expect(parseSecretKey(key.toString('base64url')).equals(key)).toBe(true);
  });

  it('stretches a passphrase, the same way every time', () => {
    const a = parseSecretKey('correct horse battery staple');
    expect(a).toHaveLength(32);
    expect(parseSecretKey('correct horse battery staple').equals(a)).toBe(true);
    expect(parseSecretKey('correct horse battery stable').equals(a)).toBe(false);
  });

  it('refuses a short passphrase', () => {
    expect(() => parseSecretKey('short')).toThrow(SecretKeyError);
  });
});

describe('SecretBox', () => {
  const box = SecretBox.ephemeral();

  it('round-trips any JSON value and never leaves the clear text in the sealed form', () => {
    for (const v of ['p@ss', 12345, { a: [1, 'x'] }, true]) {
      const sealed = box.seal(v);
      expect(SecretBox.isSealed(sealed)).toBe(true);
      expect(sealed).not.toContain(JSON.stringify(v));
      expect(box.open(sealed)).toEqual(v);
    }
  });

  it('uses a fresh IV for each seal', () => {
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('detects a wrong key and a tampered value', () => {
    const sealed = box.seal('secret');
    expect(() => SecretBox.ephemeral().open(sealed)).toThrow(/FDI_SECRET_KEY/);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    expect(() => box.open(tampered)).toThrow(SecretKeyError);
  });

  it('seals only secret fields, at any depth, and does not seal twice', () => {
    const content = { host: 'h', password: 'pw', api_auth_detail: { client_secret: 'cs', client_id: 'id' }, sk: null };
    const sealed = box.sealContent(content);
    expect(sealed.host).toBe('h');
    expect(sealed.sk).toBeNull();
    expect(SecretBox.isSealed(sealed.password)).toBe(true);
    expect(box.sealContent(sealed).password).toBe(sealed.password);
    expect(box.openContent(sealed)).toEqual(content);
  });

  it('mapSecrets masks for display', () => {
    expect(mapSecrets({ user_name: 'u', password: 'p', ssl_password: 'x' }, () => MASKED_SECRET)).toEqual({
      user_name: 'u',
      password: MASKED_SECRET,
      ssl_password: MASKED_SECRET,
    });
  });
});
