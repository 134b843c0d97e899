/** Text-file codecs shared by the file and SFTP connectors: CSV, TXT and JSONL, streaming both ways. */
export {
  type TextFileType,
  type TextReadFormat,
  type TextWriteFormat,
  TEXT_FILE_TYPES,
  DEFAULT_FILE_TYPE,
  DEFAULT_FIELD_DELIMITER,
  DEFAULT_CHARSET,
  readFormatOf,
  writeFormatOf,
  checkCharset,
  checkFileType,
} from './format.ts';
export { decodeTextFile, type DecodeOptions } from './decode.ts';
export { headerNames } from './decode-delimited.ts';
export { TextRecordEncoder, type EncodedBatch } from './encode.ts';
export { type FileCheckpoint, isFileCheckpoint } from './batch-builder.ts';
export { valueAtPath } from './json-path.ts';
