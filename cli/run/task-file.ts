import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { FdiError } from '../../core/fdi-error.ts';
import { parseTaskFile, type TaskFile } from '../../core/normalise/index.ts';
import type { DataSourceRecord } from '../../core/datasource.ts';

/** The local-file connector's data-source type; its `base_path` is read relative to the task file. */
const FILE_DATASOURCE_TYPE = 'FILE';

export interface LoadedTaskFile extends TaskFile {
  /** Absolute path of the task file. */
  path: string;
  /** Its folder: relative paths in the file (base_path, state, dirty file) start here. */
  dir: string;
}

/** Reads and checks an `fdi run` task file; every problem is an FdiError naming the file or the field. */
export async function loadTaskFile(file: string): Promise<LoadedTaskFile> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new FdiError('FDI.3002', `Cannot read the task file ${file}: ${(err as Error).message}`, 'task file');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FdiError('FDI.3002', `The task file ${file} is not valid JSON: ${(err as Error).message}`, 'task file');
  }
  const dir = dirname(path);
  const parsed = parseTaskFile(json);
  return { ...parsed, datasources: parsed.datasources.map((ds) => anchorFileDatasource(ds, dir)), path, dir };
}

/** A FILE data source's base_path, relative or absent, is taken from the task file's folder, wherever fdi runs. */
function anchorFileDatasource(ds: DataSourceRecord, dir: string): DataSourceRecord {
  if (ds.datasource_type.toUpperCase() !== FILE_DATASOURCE_TYPE) return ds;
  const key = ds.content.base_path === undefined && ds.content.basePath !== undefined ? 'basePath' : 'base_path';
  const base = ds.content[key];
  if (base !== undefined && base !== null && base !== '' && typeof base !== 'string') return ds; // the connector names the error
  if (typeof base === 'string' && base !== '' && isAbsolute(base)) return ds;
  return { ...ds, content: { ...ds.content, [key]: resolve(dir, typeof base === 'string' ? base : '.') } };
}
