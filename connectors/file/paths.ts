import { readdir } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { TaskConfigError } from '../sdk/index.ts';

/**
 * A task path inside the base folder, read as if the base folder were the root: `/in`, `in` and `./in` are all
 * `<base>/in`. A path that climbs out of the base folder (`..`) is refused, naming `field`.
 */
export function resolveInside(base: string, path: string | undefined, field: string): string {
  const given = path ?? '';
  if (given.includes('\0')) throw new TaskConfigError(field, 'must not contain a NUL character');
  const rel = normalize(given.replace(/^[/\\]+/, '') || '.');
  const full = join(base, rel);
  const back = relative(base, full);
  if (back === '..' || back.startsWith(`..${sep}`) || isAbsolute(back)) {
    throw new TaskConfigError(field, `"${given}" leads outside the data source's base_path`);
  }
  return full;
}

export function isGlob(name: string): boolean {
  return /[*?[]/.test(name);
}

/** A file-name glob (`*`, `?`, `[abc]`, `[!abc]`) as a regular expression over one name. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let set = glob.slice(i + 1, end);
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        re += `[${set.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The regular files of a folder whose names match the glob, in name order; hidden (dot) files only when asked by name. */
export async function matchingFiles(dir: string, glob: string): Promise<string[]> {
  const pattern = globToRegExp(glob);
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && pattern.test(e.name) && (!e.name.startsWith('.') || glob.startsWith('.')))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
