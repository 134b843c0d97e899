import type { KeyRange } from '../sdk/index.ts';
import { TaskConfigError } from '../sdk/index.ts';

const INTEGER_TEXT = /^-?\d{1,20}$/;

/**
 * `parts` ranges of equal width over the keys `lo..hi` (DataX's splitPk): the first open below, the last open above,
 * so rows outside the bounds measured at the start still belong to a range. Fewer when the keys are fewer.
 */
export function splitKeyRange(column: string, lo: bigint, hi: bigint, parts: number): KeyRange[] {
  if (hi < lo) return [];
  const span = hi - lo + 1n;
  const n = BigInt(Math.max(1, Math.floor(parts))) < span ? BigInt(Math.max(1, Math.floor(parts))) : span;
  const width = (span + n - 1n) / n;
  const ranges: KeyRange[] = [];
  let from: string | null = null;
  for (let i = 1n; i < n; i++) {
    const to = (lo + i * width).toString();
    ranges.push({ column, from, to });
    from = to;
  }
  ranges.push({ column, from, to: null });
  return ranges;
}

/** A key bound as SQL: integer text only (it becomes a literal, so the read keeps its text protocol). */
export function keyBoundLiteral(bound: string, field: string): string {
  if (!INTEGER_TEXT.test(bound)) throw new TaskConfigError(field, `must be an integer, got ${JSON.stringify(bound)}`);
  return bound;
}

/** A MIN/MAX result as a bigint; null for an empty table or a value that is not an integer. */
export function integerBound(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : null;
  if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) return BigInt(value.trim());
  return null;
}
