import { posix } from 'node:path';
import { TaskConfigError, type TargetSpec } from '../sdk/index.ts';
import { TEXT_FILE_TYPES, type TextFileType } from '../text-files/index.ts';

export const DEFAULT_REMARK_DATE_FORMAT = 'yyyyMMddHHmmss';

const TOKENS: Record<string, (d: Date) => string> = {
  yyyy: (d) => String(d.getFullYear()).padStart(4, '0'),
  yy: (d) => String(d.getFullYear() % 100).padStart(2, '0'),
  MM: (d) => String(d.getMonth() + 1).padStart(2, '0'),
  dd: (d) => String(d.getDate()).padStart(2, '0'),
  HH: (d) => String(d.getHours()).padStart(2, '0'),
  mm: (d) => String(d.getMinutes()).padStart(2, '0'),
  ss: (d) => String(d.getSeconds()).padStart(2, '0'),
  SSS: (d) => String(d.getMilliseconds()).padStart(3, '0'),
};
const TOKEN = /yyyy|yy|MM|dd|HH|mm|ss|SSS|'[^']*'/g;

/** A Java-style date pattern (`yyyyMMddHHmmss`, `yyyy-MM-dd_HH'h'`) in the process's time zone. */
export function formatRemarkDate(pattern: string, at: Date): string {
  return pattern.replace(TOKEN, (t) => (t.startsWith("'") ? t.slice(1, -1) : (TOKENS[t]?.(at) ?? t)));
}

/**
 * Where the target file goes: the folder `path` and the name `file_name`, else `file_name_prefix` + the dispatch
 * time in `remark_date_format` + the file type's extension (the dispatch time, so a retried fire writes the same
 * name). With neither, a `path` that ends in a text-file name (`dirty/orders.jsonl`, as an error_handler path
 * is) names the file itself.
 */
export function targetLocation(target: TargetSpec, fileType: TextFileType, dispatchTime: number): { folder: string; name: string } {
  const path = target.path ?? '';
  const last = posix.basename(path.replaceAll('\\', '/'));
  const ext = posix.extname(last).slice(1).toLowerCase();
  if (!target.fileName?.trim() && target.fileNamePrefix === undefined && (TEXT_FILE_TYPES as readonly string[]).includes(ext)) {
    return { folder: path.slice(0, path.length - last.length), name: last };
  }
  return { folder: path, name: targetFileName(target, fileType, dispatchTime) };
}

function targetFileName(target: TargetSpec, fileType: TextFileType, dispatchTime: number): string {
  const name = target.fileName?.trim()
    || (target.fileNamePrefix !== undefined
      ? `${target.fileNamePrefix}${formatRemarkDate(target.remarkDateFormat || DEFAULT_REMARK_DATE_FORMAT, new Date(dispatchTime))}.${fileType}`
      : undefined);
  const field = target.fileName ? 'file_name' : 'file_name_prefix';
  if (!name) throw new TaskConfigError('file_name_prefix', 'a file target needs file_name or file_name_prefix');
  if (/[/\\\0]/.test(name) || name === '.' || name === '..') throw new TaskConfigError(field, `"${name}" must be a plain file name without folders`);
  return name;
}
