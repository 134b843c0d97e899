import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { WriteStream } from 'ssh2';
import type { Row, WriteResult, Writer, WriterContext } from '../sdk/index.ts';
import { TextRecordEncoder, writeFormatOf } from '../text-files/index.ts';
import { targetLocation } from '../file/file-name.ts';
import { writeModeOf, type FileWriteMode } from '../file/writer.ts';
import type { SftpOptions } from './options.ts';
import { checkPlainName, closeSftp, openSftp, remoteDir, type SftpSession } from './session.ts';

/**
 * Writes one CSV or TXT file on the SFTP server. Rows go to a hidden part file in the target folder; `finish`
 * publishes it under its real name (posix-rename over an old file, a no-overwrite rename for `nonConflict`, or an
 * append), and `close` without `finish` deletes it: the target folder never shows half a file. Rows are durable
 * only through `finish`, so the engine commits the reader's checkpoints (Kafka offsets) only after it; a resumed
 * execution starts the part file afresh, as its reader starts the source afresh.
 */
export class SftpWriter implements Writer {
  readonly durableOnlyAfterFinish = true;
  private session: SftpSession | undefined;
  private encoder: TextRecordEncoder | undefined;
  private stream: WriteStream | undefined;
  private mode: FileWriteMode = 'truncate';
  private finalPath = '';
  private partPath = '';
  private published = false;

  constructor(private readonly ctx: WriterContext<SftpOptions>) {}

  async open(): Promise<void> {
    const { target, mapping, taskId } = this.ctx.task;
    const format = writeFormatOf(target);
    if (!format.columns && mapping.required && mapping.columns.length > 0) format.columns = mapping.columns.map((c) => c.target);
    this.mode = writeModeOf(target.writeMode);
    const location = targetLocation(target, format.fileType, this.ctx.dispatchTime);
    const dir = remoteDir(location.folder, 'path');
    const name = location.name;
    checkPlainName(name, target.fileName ? 'file_name' : 'file_name_prefix');
    this.finalPath = posix.join(dir, name);
    this.partPath = posix.join(dir, `.${name}.${taskId}.part`);

    const session = await openSftp(this.ctx.datasource.options);
    this.session = session;
    if ((await session.client.exists(dir)) !== 'd') await session.client.mkdir(dir, true);
    const existing = await session.client.exists(this.finalPath);
    if (existing && this.mode === 'nonConflict') {
      throw new Error(`target file already exists: ${this.finalPath} (write_mode nonConflict)`);
    }
    if (existing && this.mode === 'append' && (await session.client.stat(this.finalPath)).size > 0) format.addHeader = false;

    this.encoder = new TextRecordEncoder(format);
    // 'w' truncates: a part file a dead execution left behind is started over.
    const stream = session.channel.createWriteStream(this.partPath, { flags: 'w' });
    this.stream = stream;
    await new Promise<void>((resolve, reject) => {
      stream.once('ready', () => resolve());
      stream.once('error', reject);
    });
  }

  async write(records: Row[]): Promise<WriteResult> {
    if (!this.encoder) throw new Error('SftpWriter.write() before open()');
    const { bytes, rejected } = this.encoder.encode(records);
    await this.send(bytes);
    return { rejected };
  }

  /** Every `write` already waited for the server's acknowledgement; the rows become visible in `finish`. */
  async flush(): Promise<void> {}

  async finish(): Promise<void> {
    const session = this.session;
    const stream = this.stream;
    if (!session || !stream || !this.encoder) throw new Error('SftpWriter.finish() before open()');
    // A run without rows still publishes its header (when asked for and the columns are known).
    await this.send(this.encoder.header());
    await new Promise<void>((resolve, reject) => {
      stream.once('close', () => resolve());
      stream.once('error', reject);
      stream.end();
    });
    this.stream = undefined;
    await this.publish(session);
    this.published = true;
  }

  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream && !stream.destroyed) {
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.destroy();
      });
    }
    const session = this.session;
    if (session && !this.published && this.partPath) {
      await session.client.delete(this.partPath, true).catch(() => undefined);
    }
    await closeSftp(session);
    this.session = undefined;
  }

  private async send(bytes: Buffer): Promise<void> {
    const stream = this.stream;
    if (!stream) throw new Error('SftpWriter: no open part file');
    if (bytes.length === 0) return;
    await new Promise<void>((resolve, reject) => {
      stream.write(bytes, (e) => (e ? reject(e) : resolve()));
    });
  }

  private async publish(session: SftpSession): Promise<void> {
    const { client, channel } = session;
    if (this.mode === 'nonConflict') {
      // The plain SFTP rename refuses an existing name: a file that appeared meanwhile is not overwritten.
      await client.rename(this.partPath, this.finalPath);
      return;
    }
    if (this.mode === 'append' && (await client.exists(this.finalPath))) {
      await pipeline(channel.createReadStream(this.partPath), channel.createWriteStream(this.finalPath, { flags: 'a' }));
      await client.delete(this.partPath);
      return;
    }
    await client.posixRename(this.partPath, this.finalPath);
  }
}
