/**
 * The embedded local-file connector (datasource_type `FILE`, beyond the spec): CSV, TXT and JSONL files under the
 * data source's `base_path`, as the source or the target of a timing task.
 */
import { defineConnector } from '../sdk/index.ts';
import { fileColumns, listFiles, testFileSource } from './catalog.ts';
import { parseFileOptions, type FileOptions } from './options.ts';
import { fileReader } from './reader.ts';
import { fileWriter } from './writer.ts';

export type { FileOptions } from './options.ts';

export const fileConnector = defineConnector<FileOptions>({
  type: 'file',
  serves: { source: ['TIMING'], target: ['TIMING'] },
  parseOptions: parseFileOptions,
  test: testFileSource,
  listTables: listFiles,
  listColumns: fileColumns,
  reader: fileReader,
  writer: fileWriter,
});

export default fileConnector;
