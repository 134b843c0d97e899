import iconv from 'iconv-lite';
import { TaskConfigError } from '../sdk/index.ts';
import type { MetaField, SourceSpec, TargetSpec } from '../sdk/index.ts';

/** The text layouts the codecs know. `csv` quotes per RFC 4180; `txt` is plain delimited text without quoting. */
export type TextFileType = 'csv' | 'txt' | 'jsonl';

export const TEXT_FILE_TYPES: readonly TextFileType[] = ['csv', 'txt', 'jsonl'];
export const DEFAULT_FILE_TYPE: TextFileType = 'csv';
export const DEFAULT_FIELD_DELIMITER = ',';
export const DEFAULT_CHARSET = 'UTF-8';

/** How to read one text file into records. */
export interface TextReadFormat {
  fileType: TextFileType;
  charset: string;
  fieldDelimiter: string;
  /** A field equal to this text becomes null. Absent: no field is null. */
  nullFormat?: string;
  /** Records at the top that are not data (csv/txt). */
  headerRows: number;
  /** Take column names from the last header record (when header rows are skipped and no metadata is given). */
  namesFromHeader: boolean;
  /** Fields to extract: csv/txt by `index`, jsonl by `path` (or `name`). Empty: every field. */
  metaData: MetaField[];
}

/** How to write records as text. */
export interface TextWriteFormat {
  fileType: TextFileType;
  charset: string;
  fieldDelimiter: string;
  /** Written for null values (csv/txt). Default: the empty string. */
  nullFormat: string;
  addHeader: boolean;
  /** File columns in order; absent: the keys of the first record written. */
  columns?: string[];
}

export function checkCharset(field: string, charset: string | undefined): string {
  const name = charset?.trim() || DEFAULT_CHARSET;
  if (!iconv.encodingExists(name)) throw new TaskConfigError(field, `unknown charset "${name}"`);
  return name;
}

export function checkFileType(field: string, fileType: string | undefined): TextFileType {
  const name = (fileType?.trim() || DEFAULT_FILE_TYPE).toLowerCase();
  if (!(TEXT_FILE_TYPES as readonly string[]).includes(name)) {
    throw new TaskConfigError(field, `unsupported file type "${fileType}" (expected one of ${TEXT_FILE_TYPES.join(', ')})`);
  }
  return name as TextFileType;
}

function checkDelimiter(field: string, delimiter: string | undefined): string {
  if (delimiter === undefined || delimiter === '') return DEFAULT_FIELD_DELIMITER;
  if (/[\r\n"]/.test(delimiter)) throw new TaskConfigError(field, 'must not contain a quote or a line break');
  return delimiter;
}

/** The read format a task's source asks for; throws TaskConfigError naming the spec field. */
export function readFormatOf(source: SourceSpec): TextReadFormat {
  const skip = source.skipHeader;
  const rows = source.skipHeaderRows;
  if (rows !== undefined && (!Number.isInteger(rows) || rows < 0)) {
    throw new TaskConfigError('skip_header_rows', `must be a whole number ≥ 0, got ${rows}`);
  }
  // skip_header alone skips one line; skip_header_rows alone is taken as a wish to skip that many.
  const headerRows = skip === false ? 0 : skip === true ? (rows ?? 1) : (rows ?? 0);
  const metaData = [...source.metaData].sort((a, b) => a.index - b.index);
  for (const m of metaData) {
    if (!Number.isInteger(m.index) || m.index < 0) {
      throw new TaskConfigError('extend_meta_data.index', `field "${m.name}" has index ${m.index}; expected a whole number ≥ 0`);
    }
  }
  const format: TextReadFormat = {
    fileType: checkFileType('file_type', source.fileType),
    charset: checkCharset('file_content_charset', source.fileContentCharset),
    fieldDelimiter: checkDelimiter('field_delimiter', source.fieldDelimiter),
    headerRows,
    namesFromHeader: headerRows > 0 && metaData.length === 0,
    metaData,
  };
  if (source.nullFormat !== undefined) format.nullFormat = source.nullFormat;
  return format;
}

/** The write format a task's target asks for; throws TaskConfigError naming the spec field. */
export function writeFormatOf(target: TargetSpec): TextWriteFormat {
  const format: TextWriteFormat = {
    fileType: checkFileType('file_type', target.fileType),
    charset: checkCharset('file_content_charset', target.fileContentCharset),
    fieldDelimiter: checkDelimiter('field_delimiter', target.fieldDelimiter),
    nullFormat: target.nullFormat ?? '',
    addHeader: target.addHeader ?? false,
  };
  if (target.fileContentType === 'binaryFile') {
    throw new TaskConfigError('file_content_type', 'binaryFile (xls/xlsx) is not supported; use textFile');
  }
  const columns = target.metaData.length > 0
    ? [...target.metaData].sort((a, b) => a.index - b.index).map((m) => m.name)
    : target.selectedColumns.map((c) => c.name);
  if (columns.length > 0) format.columns = columns;
  return format;
}
