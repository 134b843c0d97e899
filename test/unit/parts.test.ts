/**
 * A part of a split full load in a worker thread: a thread that cannot start, or that dies without an outcome,
 * ends as a failed part (915 with the reason), so the run that split the load ends every other part too.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectorLogger } from '../../connectors/sdk/index.ts';
import { STATUS } from '../../core/status-codes.ts';
import { PartThread, type PartHooks, type PartInput } from '../../worker/parts.ts';
import { makeTask } from './engine-fixtures.ts';

const quiet: ConnectorLogger = { debug() {}, info() {}, warn() {}, error() {} };
const hooks: PartHooks = { onCounts: () => undefined, keepDirty: async () => undefined, log: quiet };

describe('a part in a worker thread', () => {
  it('that cannot be started (its input cannot cross threads) fails with 915 and the reason', async () => {
    const input = { task: makeTask(), datasources: [], runId: 'r', dispatchTime: 0, notCloneable: () => 1 } as unknown as PartInput;
    const outcome = await new PartThread().run(input, hooks).outcome;
    expect(outcome.status).toBe('ERROR');
    expect(outcome.failure).toMatchObject({ code: STATUS.RUN_ABNORMAL, stage: 'adapter' });
    expect(outcome.failure?.message).toMatch(/^a pipeline thread could not start: .*could not be cloned/);
  });

  it('whose thread throws before it has an outcome fails with 915 and the error', async () => {
    // No task at all: the execution cannot even be built, and the thread's top level rejects.
    const input = { datasources: [], runId: 'r', dispatchTime: 0 } as unknown as PartInput;
    const outcome = await new PartThread().run(input, hooks).outcome;
    expect(outcome.status).toBe('ERROR');
    expect(outcome.failure).toMatchObject({ code: STATUS.RUN_ABNORMAL, stage: 'adapter' });
    expect(outcome.failure?.message).toMatch(/^a pipeline thread failed: /);
  });

  it('ends with the outcome of its execution, counts included: a source that cannot be resolved is a start failure', async () => {
    const input: PartInput = { task: makeTask(), datasources: [], runId: 'r', dispatchTime: 0 };
    const outcome = await new PartThread().run(input, hooks).outcome;
    expect(outcome.status).toBe('ERROR');
    expect(outcome.failure?.code).toBe(STATUS.READER_START_FAILED);
    expect(outcome.failure?.message).toMatch(/does not exist/);
    expect(outcome.counts).toMatchObject({ read: 0, written: 0 });
  });
});
