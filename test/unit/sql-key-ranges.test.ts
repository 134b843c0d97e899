/**
 * How a full load is split by its integer key (`runtime.parallelism`): ranges of equal width that together cover
 * every key, open at both ends (the read plan's side is in sql-read-plan.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { KeyRange } from '../../connectors/sdk/index.ts';
import { integerBound, splitKeyRange } from '../../connectors/sql/key-ranges.ts';

/** Which range of `ranges` holds `key` (each range is from ≤ key < to, a null end open). */
function rangeOf(ranges: KeyRange[], key: bigint): number[] {
  return ranges.flatMap((r, i) => ((r.from === null || key >= BigInt(r.from)) && (r.to === null || key < BigInt(r.to)) ? [i] : []));
}

describe('splitKeyRange', () => {
  it('cuts lo..hi into ranges of equal width, the first open below and the last open above', () => {
    expect(splitKeyRange('id', 1n, 100n, 4)).toEqual([
      { column: 'id', from: null, to: '26' },
      { column: 'id', from: '26', to: '51' },
      { column: 'id', from: '51', to: '76' },
      { column: 'id', from: '76', to: null },
    ]);
  });
  it('puts every key, inside the bounds or beyond them, in exactly one range', () => {
    const ranges = splitKeyRange('id', -50n, 49n, 3);
    for (let k = -200n; k <= 200n; k++) expect(rangeOf(ranges, k)).toHaveLength(1);
  });
  it('makes no more ranges than there are keys', () => {
    expect(splitKeyRange('id', 7n, 8n, 16)).toEqual([
      { column: 'id', from: null, to: '8' },
      { column: 'id', from: '8', to: null },
    ]);
    expect(splitKeyRange('id', 7n, 7n, 4)).toEqual([{ column: 'id', from: null, to: null }]);
    expect(splitKeyRange('id', 8n, 7n, 4)).toEqual([]);
  });
  it('keeps every digit of BIGINT keys near the ends of their range', () => {
    const lo = -(2n ** 63n);
    const hi = 2n ** 63n - 1n;
    const ranges = splitKeyRange('id', lo, hi, 2);
    expect(ranges).toEqual([
      { column: 'id', from: null, to: '0' },
      { column: 'id', from: '0', to: null },
    ]);
    expect(rangeOf(ranges, hi)).toEqual([1]);
    expect(rangeOf(ranges, lo)).toEqual([0]);
  });
  it('reads MIN/MAX results as drivers give them', () => {
    expect(integerBound('9223372036854775807')).toBe(9223372036854775807n);
    expect(integerBound(42)).toBe(42n);
    expect(integerBound(null)).toBeNull();
    expect(integerBound(2 ** 60)).toBeNull();
    expect(integerBound('1.5')).toBeNull();
  });
});
