import type { Row, SourceBatch, UnreadableRecord } from '../sdk/index.ts';

/** Where a text reader stands: the file and the last line whose records are in a batch. */
export interface FileCheckpoint {
  file: string;
  line: number;
}

export function isFileCheckpoint(value: unknown): value is FileCheckpoint {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.file === 'string' && typeof v.line === 'number' && Number.isInteger(v.line) && v.line >= 0;
}

/** Collects records and unreadable lines until a batch is full; both count toward the batch size. */
export class BatchBuilder {
  private records: Row[] = [];
  private unreadable: UnreadableRecord[] = [];
  private bytes = 0;

  constructor(
    private readonly file: string,
    private readonly batchSize: number,
  ) {}

  addRecord(row: Row, bytes: number): void {
    this.records.push(row);
    this.bytes += bytes;
  }

  addUnreadable(record: UnreadableRecord, bytes: number): void {
    this.unreadable.push(record);
    this.bytes += bytes;
  }

  get size(): number {
    return this.records.length + this.unreadable.length;
  }

  full(): boolean {
    return this.size >= this.batchSize;
  }

  /** The batch so far, with a checkpoint at `line`; resets the builder. */
  take(line: number): SourceBatch {
    const checkpoint: FileCheckpoint = { file: this.file, line };
    const batch: SourceBatch = { records: this.records, bytes: this.bytes, checkpoint: { ...checkpoint } };
    if (this.unreadable.length > 0) batch.unreadable = this.unreadable;
    this.records = [];
    this.unreadable = [];
    this.bytes = 0;
    return batch;
  }
}

/** A reason that names the line, so a dirty record can be found in the file. */
export function lineReason(line: number, reason: string): string {
  return `line ${line}: ${reason}`;
}
