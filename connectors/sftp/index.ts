import { defineConnector } from '../sdk/index.ts';
import { parseSftpOptions, type SftpOptions } from './options.ts';
import { SftpReader } from './reader.ts';
import { closeSftp, openSftp } from './session.ts';
import { SftpWriter } from './writer.ts';

export type { SftpOptions } from './options.ts';
export { SftpReader } from './reader.ts';
export { SftpWriter } from './writer.ts';

/**
 * CSV/TXT files on an SFTP server (an FTP data source with `ftp_protocol: "sftp"`; the registry maps it to
 * type `sftp`). Files are finite, so it serves timing tasks only.
 */
export const sftpConnector = defineConnector<SftpOptions>({
  type: 'sftp',
  serves: { source: ['TIMING'], target: ['TIMING'] },
  readerStage: 'sftpreader',
  writerStage: 'sftpwriter',
  parseOptions: parseSftpOptions,
  async test(ds) {
    const session = await openSftp(ds.options);
    try {
      await session.client.cwd();
    } finally {
      await closeSftp(session);
    }
  },
  reader: (ctx) => new SftpReader(ctx),
  writer: (ctx) => new SftpWriter(ctx),
});

export default sftpConnector;
