import { MAX_PAGE_LIMIT } from '../core/redis-store.ts';

/**
 * Paging as the spec's monitor APIs describe it: `offset` is the page number from 1 (0 behaves like 1),
 * `limit` the page size (0: the default; above the maximum: the maximum).
 */
export interface PageRule {
  defaultLimit: number;
  maxLimit: number;
}

export const MONITOR_PAGING: PageRule = { defaultLimit: 10, maxLimit: MAX_PAGE_LIMIT };
/** The task list allows 1000 a page (4.3.2). */
export const TASK_LIST_PAGING: PageRule = { defaultLimit: 10, maxLimit: 1000 };

export function effectiveLimit(limit: number | undefined, rule: PageRule = MONITOR_PAGING): number {
  return Math.min(rule.maxLimit, limit === undefined || limit === 0 ? rule.defaultLimit : limit);
}

export function pageOf<T>(items: readonly T[], offset: number | undefined, limit: number | undefined, rule: PageRule = MONITOR_PAGING): T[] {
  const size = effectiveLimit(limit, rule);
  const page = Math.max(1, offset ?? 1);
  return items.slice((page - 1) * size, page * size);
}
