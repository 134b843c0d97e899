import type { RuntimeOptions } from '../core/task-spec.ts';

/**
 * The dirty-data threshold (DataX's errorLimit, checked continuously): more than `dirtyMaxCount` dirty records,
 * or a dirty share above `dirtyMaxRatio` once `dirtyMinSample` records were processed. Returns the remark
 * naming the limit crossed, or undefined.
 */
export function dirtyLimitCrossed(
  runtime: Pick<RuntimeOptions, 'dirtyMaxCount' | 'dirtyMaxRatio' | 'dirtyMinSample'>,
  processed: number,
  dirty: number,
): string | undefined {
  if (runtime.dirtyMaxCount !== null && dirty > runtime.dirtyMaxCount) {
    return `dirty data limit crossed: ${dirty} dirty records > dirtyMaxCount ${runtime.dirtyMaxCount}`;
  }
  if (runtime.dirtyMaxRatio !== null && processed > 0 && processed >= runtime.dirtyMinSample) {
    const ratio = dirty / processed;
    if (ratio > runtime.dirtyMaxRatio) {
      return `dirty data limit crossed: ${dirty} of ${processed} records dirty (${round(ratio)}) > dirtyMaxRatio ${runtime.dirtyMaxRatio} (after dirtyMinSample ${runtime.dirtyMinSample})`;
    }
  }
  return undefined;
}

function round(n: number): number {
  return Math.round(n * 10000) / 10000;
}
