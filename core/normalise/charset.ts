import iconv from 'iconv-lite';
import { invalid } from './errors.ts';

/** A charset name iconv-lite can decode (`UTF-8`, `GBK`, `GB18030`, `ISO-8859-1` …), kept as given. */
export function checkCharset(name: string | undefined, field: string): string | undefined {
  if (name === undefined) return undefined;
  if (!iconv.encodingExists(name)) throw invalid(field, `"${name}" is not a known charset`);
  return name;
}
