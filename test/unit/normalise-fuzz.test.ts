import { describe, expect, it } from 'vitest';
import { FdiError } from '../../core/fdi-error.ts';
import { parseDataSourceBody, parseTaskBasic, parseTaskBody, parseTaskFile } from '../../core/normalise/index.ts';
import { incrementalBody, validBody, withPath, type Body } from '../fixtures/spec/bodies.ts';

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [
  null, undefined, true, false, 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, '', ' ', 'true', '0', '-1',
  'x'.repeat(300), '${{begin}}', '{', '[]', [], [null], [[]], {}, { a: 1 }, { dataSource: 5 }, { flag: 'x' },
  () => 0, Symbol('s'), 10n, new Date(0), new Map(), Object.create(null) as object,
];

function randomValue(next: () => number, depth = 0): unknown {
  const r = next();
  if (depth > 3 || r < 0.5) return ODD_VALUES[Math.floor(next() * ODD_VALUES.length)];
  if (r < 0.75) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  const keys = ['sourceSelectedDatasource', 'targetSelectedDatasource', 'mappingTable', 'task_name', 'dataSource', 'op', 'flag', 'runtime', 'content', 'x'];
  const out: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 4); i > 0; i--) out[keys[Math.floor(next() * keys.length)]!] = randomValue(next, depth + 1);
  return out;
}

/** Every path of leaves and containers in a JSON-ish object, as `a.b[0].c`. */
function pathsOf(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [`${prefix}[${i}]`, ...pathsOf(v, `${prefix}[${i}]`)]);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      const p = prefix ? `${prefix}.${k}` : k;
      return [p, ...pathsOf(v, p)];
    });
  }
  return [];
}

/** Calls `fn`; it may return or throw, but a throw must be an FdiError with a code and a message. */
function onlyFdiErrors(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof FdiError)) throw new Error(`${what}: threw ${String(e)}`, { cause: e });
    expect(e.code).toMatch(/^FDI\.\d{4}$/);
    expect(e.message.length).toBeLessThan(2_000);
  }
}

describe('whatever the input, only FdiError', () => {
  it('random shapes into every entry point', () => {
    const next = rng(20240501);
    for (let i = 0; i < 2_000; i++) {
      const v = randomValue(next);
      onlyFdiErrors(() => parseTaskBody(v), `parseTaskBody(#${i})`);
      onlyFdiErrors(() => parseTaskBody({ task: validBody().task, task_detail: v }), `task_detail #${i}`);
      onlyFdiErrors(() => parseTaskBasic(v), `parseTaskBasic #${i}`);
      onlyFdiErrors(() => parseDataSourceBody(v), `parseDataSourceBody #${i}`);
      onlyFdiErrors(() => parseTaskFile(v), `parseTaskFile #${i}`);
    }
  });

  it('every path of a valid body replaced by odd values', () => {
    const next = rng(7);
    for (const base of [validBody(), incrementalBody()]) {
      const paths = pathsOf(base);
      expect(paths.length).toBeGreaterThan(30);
      for (const path of paths) {
        for (let k = 0; k < 6; k++) {
          const body: Body = withPath(base, path, ODD_VALUES[Math.floor(next() * ODD_VALUES.length)]);
          onlyFdiErrors(() => parseTaskBody(body), `${path}`);
          onlyFdiErrors(() => parseTaskBody({ ...body, task_detail: safeStringify(body.task_detail) }), `${path} (string)`);
        }
      }
    }
  });

  it('a 10 MB task_detail string, valid and truncated', () => {
    const detail = validBody().task_detail as Record<string, unknown>;
    const big = JSON.stringify({ ...detail, padding: 'p'.repeat(10 * 1024 * 1024) });
    const spec = parseTaskBody({ task: validBody().task, task_detail: big });
    expect(spec.rawDetail.padding).toHaveLength(10 * 1024 * 1024);
    let err: unknown;
    try {
      parseTaskBody({ task: validBody().task, task_detail: big.slice(0, -3) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FdiError);
    expect((err as FdiError).code).toBe('FDI.3166');
    expect((err as FdiError).message.length).toBeLessThan(400);
    expect(() => parseTaskBody({ task: { ...(validBody().task as object), task_name: 'n'.repeat(10 * 1024 * 1024) }, task_detail: detail })).toThrow(FdiError);
  });

  it('deep nesting: in JSON text and in objects', () => {
    const deep = `{"sourceSelectedDatasource":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    onlyFdiErrors(() => parseTaskBody({ task: validBody().task, task_detail: deep }), 'deep JSON');
    const unbalanced = `{"a":${'['.repeat(200_000)}}`;
    expect(() => parseTaskBody({ task: validBody().task, task_detail: unbalanced })).toThrow(FdiError);
    let nested: unknown = 1;
    for (let i = 0; i < 10_000; i++) nested = { n: nested };
    expect(() => parseTaskBody(withPath(validBody(), 'task_detail.extra', nested))).toThrow(FdiError);
    expect(() => parseDataSourceBody({ datasource_name: 'n', datasource_type: 'MYSQL', content: { n: nested } })).toThrow(FdiError);
  });

  it('a cycle in an object task_detail', () => {
    const detail = validBody().task_detail as Record<string, unknown>;
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => parseTaskBody({ task: validBody().task, task_detail: { ...detail, loop } })).toThrow(FdiError);
  });

  it('huge lists are refused, not walked forever', () => {
    const many = Array.from({ length: 10_001 }, (_, i) => ({ field_name: `c${i}` }));
    expect(() => parseTaskBody(withPath(validBody(), 'task_detail.sourceSelectedDatasource.sourceSelectedColumnList', many))).toThrow(FdiError);
  });
});

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

describe('keys that name object internals stay data', () => {
  it('__proto__ and constructor in task_detail text are kept as plain keys', () => {
    const text = JSON.stringify(validBody().task_detail).replace(
      '"sourceSelectedDatasource":{',
      '"__proto__":{"polluted":true},"sourceSelectedDatasource":{"constructor":"c","__proto__":{"x":1},',
    );
    const spec = parseTaskBody({ task: validBody().task, task_detail: text });
    expect(Object.keys(spec.rawDetail)).toContain('__proto__');
    expect(Object.getPrototypeOf(spec.rawDetail)).toBe(Object.prototype);
    expect(spec.source.extra).toEqual(JSON.parse('{"constructor":"c","__proto__":{"x":1}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
