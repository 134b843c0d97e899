/**
 * The command-line tools the contenders need, installed from Debian when missing (`apt-get install`, as root).
 * A tool that cannot be had is reported with the reason, and its contenders are skipped.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function findExecutable(name: string): string | null {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, name);
    if (isExecutable(path)) return path;
  }
  return null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** null when `command` is there (or was just installed from `debianPackage`), else why it is not. */
export function ensureTool(command: string, debianPackage: string, log: (line: string) => void): string | null {
  if (findExecutable(command)) return null;
  if (process.getuid?.() !== 0) return `${command} is not installed (apt-get install ${debianPackage} needs root)`;
  if (!findExecutable('apt-get')) return `${command} is not installed and there is no apt-get`;
  log(`installing ${debianPackage} (apt-get) for ${command}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', debianPackage], { env, encoding: 'utf8' });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { env, encoding: 'utf8' });
    r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', debianPackage], { env, encoding: 'utf8' });
  }
  if (r.status !== 0 || !findExecutable(command)) {
    const reason = (r.stderr || r.stdout || '').trim().split('\n').at(-1) ?? '';
    return `${command} could not be installed (apt-get install ${debianPackage}: ${reason || `exit ${r.status}`})`;
  }
  return null;
}

/** First line of `command --version` (or the given flag), for the machine description. */
export function toolVersion(command: string, flag = '--version'): string {
  const r = spawnSync(command, [flag], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'not available';
  return (r.stdout || r.stderr).trim().split('\n')[0] ?? '';
}
