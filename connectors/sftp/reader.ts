import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { TaskConfigError, type Reader, type ReaderContext, type SourceBatch } from '../sdk/index.ts';
import { decodeTextFile, readFormatOf, type TextReadFormat } from '../text-files/index.ts';
import { globToRegExp, isGlob } from '../file/paths.ts';
import type { SftpOptions } from './options.ts';
import { checkPlainName, closeSftp, openSftp, remoteDir, type SftpSession } from './session.ts';

const MB = 1024 * 1024;

interface RemoteFile {
  name: string;
  size: number;
}

/**
 * Reads the remote files a task names (`path` + `file_name`, a name or a glob read in name order) as CSV or TXT,
 * streaming each file through the shared text codecs. Every file's size is checked against `max_file_size`
 * before the first row is read, so a too-big file stops the run with nothing half done. Every run, a resumed one
 * included, reads the files whole: a checkpoint of an earlier run says nothing about what the files hold now, and
 * the SFTP and file writers publish only whole runs, so starting over never duplicates a row.
 */
export class SftpReader implements Reader {
  private session: SftpSession | undefined;
  private format: TextReadFormat | undefined;
  private dir = '';
  private files: RemoteFile[] = [];
  private current: Readable | undefined;

  constructor(private readonly ctx: ReaderContext<SftpOptions>) {}

  async open(): Promise<void> {
    const { source } = this.ctx.task;
    if (!source.isParse) {
      throw new TaskConfigError('isParse', 'the SFTP connector reads records; pass-through (isParse false) is not supported');
    }
    this.format = readFormatOf(source);
    const name = source.fileName?.trim();
    if (!name) throw new TaskConfigError('file_name', 'an SFTP source needs a file name or a glob such as *.csv');
    checkPlainName(name, 'file_name');
    this.dir = remoteDir(source.path, 'path');
    this.session = await openSftp(this.ctx.datasource.options);
    this.files = isGlob(name) ? await this.matching(name) : [await this.single(name)];
    if (this.files.length === 0) this.ctx.log.warn('sftp reader: no file matches the glob', { path: this.dir, file_name: name });
  }

  async *batches(): AsyncGenerator<SourceBatch> {
    const session = this.session;
    const format = this.format;
    if (!session || !format) throw new Error('SftpReader.batches() before open()');
    const limit = this.ctx.task.source.maxFileSizeMb;
    if (limit !== undefined && limit > 0) {
      for (const f of this.files) {
        if (f.size > limit * MB) {
          throw new Error(`file ${posix.join(this.dir, f.name)} is ${(f.size / MB).toFixed(2)} MB, more than max_file_size ${limit} MB`);
        }
      }
    }
    const batchSize = this.ctx.task.runtime.batchSize;
    for (const { name } of this.files) {
      if (this.ctx.signal.aborted) return;
      const stream = session.channel.createReadStream(posix.join(this.dir, name));
      this.current = stream;
      try {
        for await (const batch of decodeTextFile(stream, { file: name, format, batchSize })) {
          yield batch;
          if (this.ctx.signal.aborted) return;
        }
      } finally {
        stream.destroy();
        this.current = undefined;
      }
    }
  }

  async close(): Promise<void> {
    this.current?.destroy();
    this.current = undefined;
    await closeSftp(this.session);
    this.session = undefined;
  }

  private async single(name: string): Promise<RemoteFile> {
    const full = posix.join(this.dir, name);
    const stats = await this.session!.client.stat(full).catch((e: Error & { code?: unknown }) => {
      throw new Error(e.code === 2 || e.code === 'ENOENT' ? `file not found: ${full}` : e.message);
    });
    if (!stats.isFile) throw new Error(`not a regular file: ${full}`);
    return { name, size: stats.size };
  }

  /** Regular files of the folder whose names match; dot files only when the glob itself starts with a dot. */
  private async matching(glob: string): Promise<RemoteFile[]> {
    const pattern = globToRegExp(glob);
    const entries = await this.session!.client.list(this.dir).catch((e: Error & { code?: unknown }) => {
      throw new Error(e.code === 2 || e.code === 'ENOENT' ? `folder not found: ${this.dir}` : e.message);
    });
    const files: RemoteFile[] = [];
    for (const e of entries) {
      if (!pattern.test(e.name) || (e.name.startsWith('.') && !glob.startsWith('.'))) continue;
      if (e.type === '-') files.push({ name: e.name, size: e.size });
      else if (e.type === 'l') {
        const target = await this.session!.client.stat(posix.join(this.dir, e.name)).catch(() => undefined);
        if (target?.isFile) files.push({ name: e.name, size: target.size });
      }
    }
    return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
