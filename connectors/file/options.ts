import { resolve } from 'node:path';
import { OptionsError, type DataSourceContent } from '../sdk/index.ts';

/** `content` of a FILE data source. */
export interface FileOptions {
  /** Absolute folder that every task path lives in (`base_path`, default: the working directory). */
  basePath: string;
}

export function parseFileOptions(content: DataSourceContent): FileOptions {
  const raw = content.base_path ?? content.basePath;
  if (raw === undefined || raw === null || raw === '') return { basePath: resolve('.') };
  if (typeof raw !== 'string') throw new OptionsError('base_path', `must be a folder path (a string), got ${JSON.stringify(raw)}`);
  if (raw.includes('\0')) throw new OptionsError('base_path', 'must not contain a NUL character');
  return { basePath: resolve(raw) };
}
