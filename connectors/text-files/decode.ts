import type { Readable } from 'node:stream';
import type { SourceBatch } from '../sdk/index.ts';
import { decodeDelimited, type DecodeOptions } from './decode-delimited.ts';
import { decodeJsonl } from './decode-jsonl.ts';

export type { DecodeOptions } from './decode-delimited.ts';

/**
 * Decodes a byte stream of one text file into batches: rows, the lines that could not be read (with their line
 * numbers; they count as read and dirty), the bytes they took, and a checkpoint {file, line} after each batch.
 */
export function decodeTextFile(input: Readable, opts: DecodeOptions): AsyncGenerator<SourceBatch> {
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new RangeError(`batchSize must be ≥ 1, got ${opts.batchSize}`);
  return opts.format.fileType === 'jsonl' ? decodeJsonl(input, opts) : decodeDelimited(input, opts);
}
