/**
 * Where a task's checkpoint (watermark, file position …) lives between runs. The engine saves it only after the
 * writer has made the rows durable and the run succeeded.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Checkpoint } from '../connectors/sdk/index.ts';
import type { Store } from '../core/store.ts';
import type { JsonValue } from '../core/values.ts';

export interface CheckpointStore {
  load(taskId: string): Promise<Checkpoint | null>;
  save(taskId: string, cp: Checkpoint): Promise<void>;
}

/** Checkpoints in memory (tests, and runs whose state need not outlive the process). */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly map = new Map<string, string>();
  async load(taskId: string): Promise<Checkpoint | null> {
    const text = this.map.get(taskId);
    return text === undefined ? null : (JSON.parse(text) as Checkpoint);
  }
  async save(taskId: string, cp: Checkpoint): Promise<void> {
    this.map.set(taskId, JSON.stringify(cp));
  }
}

/** Checkpoints of served tasks, in the store (Redis). */
export class StoreCheckpointStore implements CheckpointStore {
  constructor(private readonly store: Pick<Store, 'getCheckpoint' | 'putCheckpoint'>) {}
  load(taskId: string): Promise<Checkpoint | null> {
    return this.store.getCheckpoint(taskId);
  }
  save(taskId: string, cp: Checkpoint): Promise<void> {
    return this.store.putCheckpoint(taskId, cp);
  }
}

interface StateFile {
  version: 1;
  checkpoints: { [taskId: string]: JsonValue };
}

/**
 * The `fdi run --state <file>` state: one JSON file `{ "version": 1, "checkpoints": { "<task id>": … } }`,
 * rewritten atomically (temporary file, fsync, rename) so a crash leaves the old state or the new one.
 * A file that exists but cannot be read as such is an error naming the file, never a silent fresh start.
 */
export class FileCheckpointStore implements CheckpointStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  async load(taskId: string): Promise<Checkpoint | null> {
    const state = await this.read();
    return state.checkpoints[taskId] ?? null;
  }

  save(taskId: string, cp: Checkpoint): Promise<void> {
    const next = this.queue.then(async () => {
      const state = await this.read();
      state.checkpoints[taskId] = cp;
      await this.write(state);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<StateFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, checkpoints: {} };
      throw new Error(`state file ${this.path} cannot be read: ${(err as Error).message}`, { cause: err });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new Error(`state file ${this.path} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    if (
      typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) ||
      (parsed as { version?: unknown }).version !== 1 ||
      typeof (parsed as { checkpoints?: unknown }).checkpoints !== 'object' ||
      (parsed as { checkpoints?: unknown }).checkpoints === null ||
      Array.isArray((parsed as { checkpoints?: unknown }).checkpoints)
    ) {
      throw new Error(`state file ${this.path} is not an fdi state file (expected {"version":1,"checkpoints":{…}})`);
    }
    return parsed as StateFile;
  }

  private async write(state: StateFile): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(state, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}
