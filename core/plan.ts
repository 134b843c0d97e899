/**
 * A dispatch plan (spec tasks.md §1.B/§3): when a timing task fires. Either a period plan
 * (`period` × `dispatch_interval` from `start_datetime`) or a Quartz cron expression.
 */
export type PlanPeriod = 'MIN' | 'HOUR' | 'DAY' | 'WEEK' | 'MON';

export interface DispatchPlan {
  dispatch_id: string;
  task_id: string;
  use_quartz_cron: boolean;
  /** Quartz expression when `use_quartz_cron`. */
  cron?: string;
  period?: PlanPeriod;
  dispatch_interval?: number;
  /** Anchor of a period plan, epoch ms. */
  start_datetime?: number;
  /** `remark`: free text (spec 4.3.9). */
  remark?: string;
  /** IANA zone the plan is read in (beyond the spec; default from config). */
  time_zone: string;
  create_time: number;
  update_time: number;
}
