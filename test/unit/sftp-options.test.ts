import { describe, expect, it } from 'vitest';
import { parseSftpOptions } from '../../connectors/sftp/options.ts';
import { checkPlainName, remoteDir } from '../../connectors/sftp/session.ts';
import { OptionsError, TaskConfigError, type DataSourceContent } from '../../connectors/sdk/index.ts';

const PEM = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';

function fieldOf(content: DataSourceContent): string | undefined {
  try {
    parseSftpOptions(content);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(OptionsError);
    return (e as OptionsError).field;
  }
}

describe('parseSftpOptions', () => {
  it('reads the spec fields (port as a string) and the defaults', () => {
    expect(parseSftpOptions({ ftp_protocol: 'sftp', host: 'h', port: '2222', user_name: 'u', password: 'p', ftp_connect_mode: 'passive' })).toEqual({
      host: 'h', port: 2222, username: 'u', password: 'p', connectionTimeoutMs: 10000,
    });
    expect(parseSftpOptions({ host: 'h', user_name: 'u', private_key: PEM, passphrase: 'x' })).toMatchObject({
      port: 22, privateKey: PEM, passphrase: 'x',
    });
    expect(parseSftpOptions({ host: 'h', user_name: 'u', private_key_path: '/k', host_key_sha256: `SHA256:${'a'.repeat(43)}=` })).toMatchObject({
      privateKeyPath: '/k', hostKeySha256: `SHA256:${'a'.repeat(43)}`,
    });
  });

  it('names the field in every refusal', () => {
    expect(fieldOf({ ftp_protocol: 'ftp', host: 'h', user_name: 'u', password: 'p' })).toBe('ftp_protocol');
    expect(fieldOf({ user_name: 'u', password: 'p' })).toBe('host');
    expect(fieldOf({ host: 'h', password: 'p' })).toBe('user_name');
    expect(fieldOf({ host: 'h', user_name: 'u' })).toBe('password');
    expect(fieldOf({ host: 'h', user_name: 'u', password: 'p', port: '70000' })).toBe('port');
    expect(fieldOf({ host: 'h', user_name: 'u', private_key: 'not a key' })).toBe('private_key');
    expect(fieldOf({ host: 'h', user_name: 'u', password: 'p', host_key_sha256: 'md5:aa' })).toBe('host_key_sha256');
    expect(fieldOf({ host: 'h', user_name: 'u', password: 'p', connection_timeout_ms: 0 })).toBe('connection_timeout_ms');
    expect(fieldOf({ host: 'h', user_name: 'u', password: 42 })).toBe('password');
  });
});

describe('remote paths', () => {
  it('normalises the folder and refuses an empty one or a NUL', () => {
    expect(remoteDir('/data//in/../out/', 'path')).toBe('/data/out/');
    expect(remoteDir('in\\sub', 'path')).toBe('in/sub');
    expect(() => remoteDir('', 'path')).toThrow(TaskConfigError);
    expect(() => remoteDir('/a\0b', 'path')).toThrow(/path: must not contain a NUL/);
  });

  it('takes file names without folders only', () => {
    expect(() => checkPlainName('a.csv', 'file_name')).not.toThrow();
    expect(() => checkPlainName('../a.csv', 'file_name')).toThrow(/file_name: .* without folders/);
    expect(() => checkPlainName('..', 'file_name')).toThrow(TaskConfigError);
  });
});
