import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { createRequire } from 'node:module';
import type SftpClient from 'ssh2-sftp-client';
import type { SFTPWrapper } from 'ssh2';
import { TaskConfigError } from '../sdk/index.ts';
import type { SftpOptions } from './options.ts';

/** One SSH connection with its SFTP channel: the high-level client and the raw channel (streams, setstat). */
export interface SftpSession {
  client: SftpClient;
  channel: SFTPWrapper;
}

/**
 * Connects and authenticates. A refused password or key fails with ssh2's own message ("All configured
 * authentication methods failed"); a host key that does not match `host_key_sha256` fails naming both prints.
 */
export async function openSftp(options: SftpOptions): Promise<SftpSession> {
  // Loaded on first use: a run that touches no SFTP does not pay for loading ssh2.
  const Client = createRequire(import.meta.url)('ssh2-sftp-client') as typeof SftpClient;
  const client = new Client('fdi-sftp');
  let hostKeyMismatch: string | undefined;
  const config: SftpClient.ConnectOptions = {
    host: options.host,
    port: options.port,
    username: options.username,
    readyTimeout: options.connectionTimeoutMs,
  };
  if (options.password !== undefined) config.password = options.password;
  if (options.privateKey !== undefined) config.privateKey = options.privateKey;
  else if (options.privateKeyPath !== undefined) {
    config.privateKey = await readFile(options.privateKeyPath, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new Error(`private_key_path: cannot read ${options.privateKeyPath}: ${e.code ?? e.message}`);
    });
  }
  if (options.passphrase !== undefined) config.passphrase = options.passphrase;
  const pinned = options.hostKeySha256;
  if (pinned !== undefined) {
    config.hostVerifier = (key: Buffer): boolean => {
      const seen = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
      if (seen !== pinned) hostKeyMismatch = `host key ${seen} does not match host_key_sha256 ${pinned}`;
      return seen === pinned;
    };
  }
  try {
    const channel = await client.connect(config);
    return { client, channel };
  } catch (e) {
    await client.end().catch(() => undefined);
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(hostKeyMismatch ? `${message}: ${hostKeyMismatch}` : message, { cause: e });
  }
}

export async function closeSftp(session: SftpSession | undefined): Promise<void> {
  await session?.client.end().catch(() => undefined);
}

/** The task's remote folder, absolute or relative to the login folder; `..` segments are resolved, NUL refused. */
export function remoteDir(path: string | undefined, field: string): string {
  const given = path?.trim() ?? '';
  if (given.includes('\0')) throw new TaskConfigError(field, 'must not contain a NUL character');
  if (given === '') throw new TaskConfigError(field, 'is required: the folder on the SFTP server');
  return posix.normalize(given.replace(/\\/g, '/'));
}

export function checkPlainName(name: string, field: string): void {
  if (/[/\\\0]/.test(name) || name === '.' || name === '..') {
    throw new TaskConfigError(field, `"${name}" must be a file name inside path, without folders`);
  }
}
