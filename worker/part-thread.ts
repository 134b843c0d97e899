/**
 * One part of a split full load, in its own worker thread (see `parts.ts`). The thread is started before its part is
 * known and waits for it: a `start` message with the input.
 */
import { parentPort } from 'node:worker_threads';
import { createDefaultRegistry } from '../connectors/builtins.ts';
import { runExecution } from './execution.ts';
import { executePart, threadHooks, type FromPartThread, type PartInput, type ToPartThread } from './parts.ts';

const port = parentPort;
if (!port) throw new Error('part-thread.ts runs only as a worker thread');
const stop = new AbortController();
const keptDirty = new Map<number, (error?: string) => void>();
const input = await new Promise<PartInput>((resolve) => {
  port.on('message', (m: ToPartThread) => {
    if (m.type === 'start') resolve(m.input);
    else if (m.type === 'terminate') stop.abort('terminated with the run');
    else keptDirty.get(m.id)?.(m.error);
  });
});
const post = (m: FromPartThread): void => port.postMessage(m);
const hooks = threadHooks(post, keptDirty);
const outcome = await executePart(input, hooks, createDefaultRegistry(), stop.signal, runExecution);
hooks.flushCounts();
post({ type: 'done', outcome });
