import { describe, expect, it } from 'vitest';
import { Authenticator, mayUseProject, presentedToken } from '../../api/auth.ts';
import { RateLimiter } from '../../api/rate-limit.ts';
import { validatorCompiler } from '../../api/validation.ts';
import { isFdiError } from '../../core/fdi-error.ts';

describe('RateLimiter', () => {
  it('lets a burst through, then refills at the rate, with Retry-After rounded up', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('k').allowed)).toEqual([true, true, true]);
    const denied = limiter.take('k');
    expect(denied).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('other').allowed).toBe(true);
    now = 500; // half a second: one token back
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(false);
    now = 10_000; // never more than the burst
    expect([1, 2, 3, 4].map(() => limiter.take('k').allowed)).toEqual([true, true, true, false]);
  });

  it('slow rates ask for a longer wait', () => {
    const limiter = new RateLimiter({ perSecond: 0.1, burst: 1 }, () => 0);
    limiter.take('k');
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });
});

describe('Authenticator', () => {
  const auth = new Authenticator({ mode: 'tokens', tokens: [{ token: 'tok-all-0123456789' }, { token: 'tok-p1-0123456789', projectId: 'p1' }] });

  it('reads X-Auth-Token first, then Authorization: Bearer', () => {
    expect(presentedToken({ 'x-auth-token': ' a ', authorization: 'Bearer b' })).toBe('a');
    expect(presentedToken({ authorization: 'bearer   b ' })).toBe('b');
    expect(presentedToken({ authorization: 'Basic xyz' })).toBe('Basic xyz');
    expect(presentedToken({})).toBeUndefined();
  });

  it('answers FDI.1000 / FDI.1002 and binds projects', () => {
    const codeOf = (headers: Record<string, string>) => {
      try {
        auth.authenticate(headers);
        return 'ok';
      } catch (e) {
        return isFdiError(e) ? e.code : 'other';
      }
    };
    expect(codeOf({})).toBe('FDI.1000');
    expect(codeOf({ 'x-auth-token': 'nope' })).toBe('FDI.1002');
    const p1 = auth.authenticate({ 'x-auth-token': 'tok-p1-0123456789' });
    expect(p1.projectId).toBe('p1');
    expect(p1.key).not.toContain('tok-p1');
    expect(mayUseProject(p1, 'p1')).toBe(true);
    expect(mayUseProject(p1, 'p2')).toBe(false);
    expect(mayUseProject(auth.authenticate({ authorization: 'Bearer tok-all-0123456789' }), 'p2')).toBe(true);
    expect(new Authenticator({ mode: 'none' }).authenticate({}).key).toBe('anonymous');
  });
});

describe('validatorCompiler', () => {
  const schema = {
    type: 'object',
    required: ['a', 'list'],
    properties: {
      a: { type: 'string', maxLength: 3, 'x-fdi-code': 'FDI.3157' },
      b: { type: 'integer' },
      list: { type: 'array', minItems: 1, 'x-fdi-code': { minItems: 'FDI.3150', '*': 'FDI.3033' }, items: { type: 'object', properties: { id: { type: 'string', minLength: 1, 'x-fdi-code': 'FDI.3022' } } } },
    },
  };
  const body = validatorCompiler({ schema, method: 'POST', url: '/', httpPart: 'body' });
  const query = validatorCompiler({ schema: { type: 'object', properties: { n: { type: 'integer', default: 1, 'x-fdi-code': 'FDI.3048' } } }, method: 'GET', url: '/', httpPart: 'querystring' });

  const errorOf = (fn: typeof body, data: unknown) => {
    const r = fn(data) as { error?: unknown; value?: unknown };
    if (!isFdiError(r.error)) throw new Error(`expected an FdiError, got ${JSON.stringify(r)}`);
    return { code: r.error.code, field: r.error.field, message: r.error.message };
  };

  it('maps failures to the annotated code, naming the field', () => {
    expect(errorOf(body, { list: [{}] })).toMatchObject({ code: 'FDI.3157', field: 'a' });
    expect(errorOf(body, { a: 'toolong', list: [{}] })).toMatchObject({ code: 'FDI.3157', field: 'a' });
    expect(errorOf(body, { a: 'x', list: [] })).toMatchObject({ code: 'FDI.3150', field: 'list' });
    expect(errorOf(body, { a: 'x', list: 'no' })).toMatchObject({ code: 'FDI.3033', field: 'list' });
    expect(errorOf(body, { a: 'x', list: [{ id: '' }] })).toMatchObject({ code: 'FDI.3022', field: 'list[0].id' });
    expect(errorOf(body, { a: 'x', b: '5', list: [{}] })).toMatchObject({ code: 'FDI.3033', field: 'b' });
    expect(errorOf(body, null)).toMatchObject({ code: 'FDI.3002' });
    expect(errorOf(body, [1])).toMatchObject({ code: 'FDI.3002' });
  });

  it('coerces query strings and applies defaults, but never bodies', () => {
    expect(query({ n: '42' })).toEqual({ value: { n: 42 } });
    expect(query({})).toEqual({ value: { n: 1 } });
    expect(errorOf(query, { n: 'x' })).toMatchObject({ code: 'FDI.3048', field: 'n' });
  });

  it('an empty query value is a value not given (the default applies); an empty body field is not', () => {
    expect(query({ n: '' })).toEqual({ value: { n: 1 } });
    expect(query({ n: '', other: '' })).toEqual({ value: { n: 1 } });
    expect(query({ n: ' ' })).toEqual({ value: { n: 1 } });
    expect(errorOf(query, { n: ' 1x' })).toMatchObject({ code: 'FDI.3048', field: 'n' });
    expect(errorOf(body, { a: 'x', list: [{ id: '' }] })).toMatchObject({ code: 'FDI.3022', field: 'list[0].id' });
  });
});
