import { createReadStream } from 'node:fs';
import { access, constants, readdir, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ColumnInfo, ConnectorDataSource } from '../sdk/index.ts';
import { decodeTextFile, readFormatOf } from '../text-files/index.ts';
import type { FileOptions } from './options.ts';
import { resolveInside } from './paths.ts';

export async function testFileSource(ds: ConnectorDataSource<FileOptions>): Promise<void> {
  const { basePath } = ds.options;
  const info = await stat(basePath).catch(() => undefined);
  if (!info) throw new Error(`base_path ${basePath} does not exist`);
  if (!info.isDirectory()) throw new Error(`base_path ${basePath} is not a folder`);
  await access(basePath, constants.R_OK).catch(() => {
    throw new Error(`base_path ${basePath} is not readable`);
  });
}

/** The files in base_path (not hidden ones, not sub-folders), in name order. */
export async function listFiles(ds: ConnectorDataSource<FileOptions>): Promise<string[]> {
  const entries = await readdir(ds.options.basePath, { withFileTypes: true });
  return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

/** The columns of a file: the header of a CSV/TXT file (its first line), the keys of a JSONL file's first object. */
export async function fileColumns(ds: ConnectorDataSource<FileOptions>, table: string): Promise<ColumnInfo[]> {
  const path = resolveInside(ds.options.basePath, table, 'table');
  const fileType = extname(path).toLowerCase() === '.jsonl' ? 'jsonl' : 'csv';
  const format = readFormatOf({ isAddSql: false, selectedColumns: [], where: [], isParse: true, metaData: [], extra: {}, fileType });
  const input = createReadStream(path);
  try {
    for await (const batch of decodeTextFile(input, { file: table, format, batchSize: 1 })) {
      const first = batch.records[0];
      if (!first) continue;
      const names = fileType === 'jsonl' ? Object.keys(first) : Object.values(first).map((v, i) => (typeof v === 'string' && v.trim() ? v.trim() : `c${i}`));
      return names.map((field_name) => ({ field_name, field_type: 'STRING', field_length: '', null_able: '1', unique: '0', primary: '0' }));
    }
    return [];
  } finally {
    input.destroy();
  }
}
