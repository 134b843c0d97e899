import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { link, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { TaskConfigError, type Row, type WriteResult, type Writer, type WriterContext } from '../sdk/index.ts';
import { TextRecordEncoder, writeFormatOf } from '../text-files/index.ts';
import { targetLocation } from './file-name.ts';
import type { FileOptions } from './options.ts';
import { resolveInside } from './paths.ts';

/** `write_mode` (no values in the spec; DataX's txtfilewriter names): replace the file, append to it, or refuse an existing one. */
export type FileWriteMode = 'truncate' | 'append' | 'nonConflict';

const WRITE_MODES: Record<string, FileWriteMode> = {
  truncate: 'truncate', overwrite: 'truncate', append: 'append', nonconflict: 'nonConflict', error: 'nonConflict',
};

export function writeModeOf(mode: string | undefined): FileWriteMode {
  if (mode === undefined || mode.trim() === '') return 'truncate';
  const found = WRITE_MODES[mode.trim().toLowerCase()];
  if (!found) throw new TaskConfigError('write_mode', `unknown write mode "${mode}" (expected truncate, append or nonConflict)`);
  return found;
}

async function exists(path: string): Promise<{ size: number } | undefined> {
  return stat(path).then((s) => ({ size: s.size }), () => undefined);
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/**
 * Writes a CSV, TXT or JSONL file. Rows go to a hidden part file next to the target; `finish` publishes it (rename,
 * append or exclusive link), `close` without `finish` removes it, so the target never holds half a run. Rows are
 * durable only once published (`durableOnlyAfterFinish`): the engine commits reader checkpoints (Kafka offsets)
 * after `finish`, and a resumed execution starts the part file over, as its reader starts over too.
 */
export function fileWriter(ctx: WriterContext<FileOptions>): Writer {
  const { target, taskId, mapping } = ctx.task;
  let stream: WriteStream | undefined;
  let encoder: TextRecordEncoder | undefined;
  let finalPath = '';
  let partPath = '';
  let mode: FileWriteMode = 'truncate';
  let published = false;

  const writeBytes = async (bytes: Buffer): Promise<void> => {
    if (!stream) throw new Error('writer not opened');
    if (bytes.length === 0) return;
    // events.once rejects when the stream emits 'error' while waiting.
    if (!stream.write(bytes)) await once(stream, 'drain');
  };

  const settle = async (): Promise<void> => {
    const s = stream;
    if (!s) return;
    await new Promise<void>((resolve, reject) => s.write(Buffer.alloc(0), (e) => (e ? reject(e) : resolve())));
  };

  return {
    durableOnlyAfterFinish: true,

    async open() {
      const format = writeFormatOf(target);
      if (!format.columns && mapping.required && mapping.columns.length > 0) format.columns = mapping.columns.map((c) => c.target);
      mode = writeModeOf(target.writeMode);
      const { folder, name } = targetLocation(target, format.fileType, ctx.dispatchTime);
      const dir = resolveInside(ctx.datasource.options.basePath, folder, 'path');
      finalPath = join(dir, name);
      partPath = join(dir, `.${name}.${taskId}.part`);
      await mkdir(dir, { recursive: true });
      const existing = await exists(finalPath);
      if (mode === 'nonConflict' && existing) throw new Error(`target file already exists: ${join(folder, name)} (write_mode nonConflict)`);
      if (mode === 'append' && existing && existing.size > 0) format.addHeader = false;

      encoder = new TextRecordEncoder(format);
      // 'w' also empties a part file that a dead execution of this task left behind.
      stream = createWriteStream(partPath, { flags: 'w' });
      await once(stream, 'open');
    },

    async write(records: Row[]): Promise<WriteResult> {
      if (!encoder) throw new Error('writer not opened');
      const { bytes, rejected } = encoder.encode(records);
      await writeBytes(bytes);
      return { rejected };
    },

    async flush() {
      await settle();
    },

    async finish() {
      if (!stream || !encoder) throw new Error('writer not opened');
      await writeBytes(encoder.header());
      const s = stream;
      s.end();
      await once(s, 'finish');
      await syncFile(partPath);
      if (mode === 'truncate') {
        await rename(partPath, finalPath);
      } else if (mode === 'nonConflict') {
        // link fails when the name exists: no run overwrites a file that appeared while it was writing.
        await link(partPath, finalPath);
        await removeQuietly(partPath);
      } else {
        await pipeline(createReadStream(partPath), createWriteStream(finalPath, { flags: 'a' }));
        // The part file goes next: what it held must be on disk in the target first.
        await syncFile(finalPath);
        await removeQuietly(partPath);
      }
      published = true;
    },

    async close() {
      if (stream && !stream.destroyed && !stream.writableFinished) {
        // Writes still queued fail with ERR_STREAM_DESTROYED; the part file is being thrown away, so that is expected.
        stream.on('error', () => undefined);
        stream.destroy();
      }
      stream = undefined;
      if (!published && partPath) {
        await removeQuietly(partPath);
      }
    },
  };
}
