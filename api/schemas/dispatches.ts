import { dispatchParams, taskParams } from './common.ts';
import { dispatchPlanRsp, responses } from './responses.ts';

/**
 * The dispatch-plan body (4.3.9/4.3.11; v1 spellings too). Every field is optional in the spec; the plan
 * validator (scheduler/plan) decides which combinations make a plan. Read-only fields echoed back by a client
 * (dispatch_id, task_id, created_date …) are ignored.
 */
export const dispatchBody = {
  type: 'object',
  properties: {
    use_quartz_cron: { type: ['boolean', 'string'], description: 'true: `cron` is a Quartz expression; false: `period` × `dispatch_interval`.' },
    cron: { type: 'string', maxLength: 255, description: 'Quartz cron: seconds first, optional year, day-of-week 1 = SUN.' },
    period: { type: 'string', maxLength: 36, description: 'MIN, HOUR, DAY, WEEK or MON (MONTH accepted).' },
    dispatch_interval: { type: ['integer', 'string'], description: 'Periods between fires.' },
    start_datetime: { type: ['integer', 'string'], description: 'Epoch ms or ISO-8601 (`2020-11-14T07:38:25.609Z`).' },
    remark: { type: 'string', maxLength: 1024 },
    time_zone: { type: 'string', maxLength: 64, description: 'Beyond the spec: IANA zone the plan is read in (default from config).' },
  },
} as const;

export const createDispatchSchema = { tags: ['dispatches'], summary: 'Create the dispatch plan of a timing task (4.3.9)', params: taskParams, body: dispatchBody, response: responses(200, 'The plan', dispatchPlanRsp) } as const;
export const getDispatchSchema = { tags: ['dispatches'], summary: 'Get the dispatch plan (4.3.10)', params: taskParams, response: responses(200, 'The plan', dispatchPlanRsp) } as const;
export const updateDispatchSchema = { tags: ['dispatches'], summary: 'Modify the dispatch plan (4.3.11)', params: dispatchParams, body: dispatchBody, response: responses(200, 'The plan', dispatchPlanRsp) } as const;
