import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskConfigError, type Reader, type ReaderContext, type SourceBatch } from '../sdk/index.ts';
import { decodeTextFile, readFormatOf, type TextReadFormat } from '../text-files/index.ts';
import type { FileOptions } from './options.ts';
import { isGlob, matchingFiles, resolveInside } from './paths.ts';

const MB = 1024 * 1024;

/**
 * Reads the files a task names (one name, or a glob read in name order) as CSV, TXT or JSONL.
 * Every execution, a resumed one too, reads the files whole: the stored checkpoint of a timing task is the end of
 * its last successful run, not where a dead execution stood, so skipping to it could lose the lines of a file that
 * was replaced under the same name. The writer publishes all-or-nothing, so reading again duplicates nothing.
 */
export function fileReader(ctx: ReaderContext<FileOptions>): Reader {
  const { source } = ctx.task;
  let dir = '';
  let files: string[] = [];
  let format: TextReadFormat | undefined;
  let current: ReadStream | undefined;

  return {
    async open() {
      if (!source.isParse) throw new TaskConfigError('isParse', 'the file connector reads records; pass-through (isParse false) is not supported');
      format = readFormatOf(source);
      const name = source.fileName?.trim();
      if (!name) throw new TaskConfigError('file_name', 'a file source needs a file name or a glob such as *.csv');
      dir = resolveInside(ctx.datasource.options.basePath, source.path, 'path');
      if (name.includes('/') || name.includes('\\')) throw new TaskConfigError('file_name', 'must be a name inside path, without folders');
      if (isGlob(name)) {
        files = await matchingFiles(dir, name);
        if (files.length === 0) ctx.log.warn('no file matches the glob', { dir, file_name: name });
      } else {
        const info = await stat(join(dir, name)).catch((e: NodeJS.ErrnoException) => {
          throw new Error(e.code === 'ENOENT' ? `file not found: ${join(source.path ?? '', name)}` : e.message);
        });
        if (!info.isFile()) throw new Error(`not a regular file: ${join(source.path ?? '', name)}`);
        files = [name];
      }
    },

    async *batches(): AsyncGenerator<SourceBatch> {
      if (!format) throw new Error('reader not opened');
      const limit = source.maxFileSizeMb;
      // Every size is checked before the first row is read, so a too-big file stops the run with nothing half done.
      if (limit !== undefined && limit > 0) {
        for (const name of files) {
          const { size } = await stat(join(dir, name));
          if (size > limit * MB) {
            throw new Error(`file ${name} is ${(size / MB).toFixed(2)} MB, more than max_file_size ${limit} MB`);
          }
        }
      }
      const batchSize = ctx.task.runtime.batchSize;
      for (const name of files) {
        if (ctx.signal.aborted) return;
        current = createReadStream(join(dir, name));
        try {
          for await (const batch of decodeTextFile(current, { file: name, format, batchSize })) {
            yield batch;
            if (ctx.signal.aborted) return;
          }
        } finally {
          current.destroy();
          current = undefined;
        }
      }
    },

    async close() {
      current?.destroy();
      current = undefined;
    },
  };
}
