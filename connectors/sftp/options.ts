import { readPositiveInt, readString } from '../sdk/content-fields.ts';
import { OptionsError, type DataSourceContent } from '../sdk/index.ts';

/**
 * An FTP data source with `ftp_protocol: "sftp"`, validated. The spec documents `host`, `port`, `user_name`,
 * `password`; key authentication (`private_key` PEM text or `private_key_path`, with `passphrase`) and the
 * host-key pin (`host_key_sha256`) go beyond it.
 */
export interface SftpOptions {
  host: string;
  port: number;
  username: string;
  password?: string;
  /** PEM text, from `private_key` or read from `private_key_path` at connect time. */
  privateKey?: string;
  privateKeyPath?: string;
  passphrase?: string;
  /** `host_key_sha256`: the server's host key fingerprint as `ssh-keygen -l` prints it (`SHA256:…`). */
  hostKeySha256?: string;
  /** `connection_timeout_ms`, default 10000. */
  connectionTimeoutMs: number;
}

export const SFTP_DEFAULT_PORT = 22;
export const SFTP_DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;

export function parseSftpOptions(content: DataSourceContent): SftpOptions {
  const protocol = readString(content, 'ftp_protocol');
  if (protocol !== undefined && protocol.toLowerCase() !== 'sftp') {
    throw new OptionsError('ftp_protocol', `must be "sftp" for this connector (plain FTP is not supported), got "${protocol}"`);
  }
  const host = readString(content, 'host');
  if (host === undefined) throw new OptionsError('host', 'is required');
  const username = readString(content, 'user_name') ?? readString(content, 'username');
  if (username === undefined) throw new OptionsError('user_name', 'is required');
  const options: SftpOptions = {
    host,
    port: readPort(content),
    username,
    connectionTimeoutMs: readPositiveInt(content, 'connection_timeout_ms', SFTP_DEFAULT_CONNECTION_TIMEOUT_MS),
  };
  const password = readString(content, 'password');
  const privateKey = readString(content, 'private_key');
  const privateKeyPath = readString(content, 'private_key_path');
  const passphrase = readString(content, 'passphrase');
  const hostKey = readString(content, 'host_key_sha256');
  if (password !== undefined) options.password = password;
  if (privateKey !== undefined) {
    if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(privateKey)) {
      throw new OptionsError('private_key', 'must be the PEM text of a private key (-----BEGIN … PRIVATE KEY-----)');
    }
    options.privateKey = privateKey;
  }
  if (privateKeyPath !== undefined) options.privateKeyPath = privateKeyPath;
  if (passphrase !== undefined) options.passphrase = passphrase;
  if (hostKey !== undefined) {
    if (!/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(hostKey)) {
      throw new OptionsError('host_key_sha256', 'must be a fingerprint as ssh-keygen -l prints it: SHA256:<43 base64 characters>');
    }
    options.hostKeySha256 = hostKey.replace(/=$/, '');
  }
  if (password === undefined && privateKey === undefined && privateKeyPath === undefined) {
    throw new OptionsError('password', 'is required unless private_key or private_key_path is given');
  }
  return options;
}

function readPort(content: DataSourceContent): number {
  const v = content['port'];
  if (v === undefined || v === null || v === '') return SFTP_DEFAULT_PORT;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new OptionsError('port', `must be a port number 1–65535, got ${JSON.stringify(v)}`);
  return n;
}
