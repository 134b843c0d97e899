import type { JsonValue } from './values.ts';

/**
 * The normalised task: an FDI create-task body (`task` + `task_detail`) after every documented spelling has been
 * accepted (camelCase and snake_case, "true" and true, numbers as strings, list-or-object) and validated.
 * Produced by `core/normalise`; consumed by the engine and by connectors. Field names follow the spec's
 * request names in camelCase; each comment names the spec key(s) it comes from.
 */
export type TaskType = 'TIMING' | 'REALTIME';

export interface TaskSpec {
  taskId: string;
  taskName: string;
  taskType: TaskType;
  description?: string;
  taskTag?: string;
  sourceDatasourceId: string;
  targetDatasourceId: string;
  source: SourceSpec;
  target: TargetSpec;
  mapping: MappingSpec;
  /** `error_handler`: where dirty records go. Absent: the runtime's default dirty sink. */
  errorHandler?: ErrorHandlerSpec;
  /** `afterImplementation`: a message to publish after a run. */
  afterImplementation?: AfterImplementationSpec;
  /** Runtime options beyond the spec (`runtime` key in task_detail, or defaults). */
  runtime: RuntimeOptions;
  /** The task_detail object as received (decoded from its JSON string), echoed back by the API. */
  rawDetail: { [key: string]: JsonValue };
}

/** Column (spec 10-11), with the `unique` flag read the way every spec example uses it: "1" = part of the key. */
export interface ColumnSpec {
  name: string;
  type?: string;
  length?: string;
  nullable?: boolean;
  unique?: boolean;
  primary?: boolean;
}

export type WhereOp =
  | 'equal'
  | 'notEqual'
  | 'less'
  | 'lessEqual'
  | 'more'
  | 'moreEqual'
  | 'isNull'
  | 'notNull'
  | 'between'
  | 'notBetween'
  | 'inList'
  | 'notInList';

export const WHERE_OPS: readonly WhereOp[] = [
  'equal', 'notEqual', 'less', 'lessEqual', 'more', 'moreEqual',
  'isNull', 'notNull', 'between', 'notBetween', 'inList', 'notInList',
];

/** Where (spec 10-23). `value` for inList/notInList is a comma-separated list; between uses minValue/maxValue. */
export interface WhereCondition {
  andOr: 'AND' | 'OR';
  field: string;
  fieldType?: string;
  op: WhereOp;
  value?: string;
  minValue?: string;
  maxValue?: string;
}

/** MetaData/Datasource (spec 10-9/10-10): a field to extract from a parsed message, file line or API response. */
export interface MetaField {
  index: number;
  name: string;
  type?: string;
  format?: string;
  /** JSON path into a parsed value (`a.b[0].c`); empty for file columns, which go by `index`. */
  path?: string;
}

export interface IncrementalSpec {
  /** `sourceDateColumn` */
  dateColumn: string;
  /** `dataTimestamp`: the first run's window start, epoch ms. */
  dataTimestamp: number;
  /** `timeZone`, e.g. `GMT+08:00`: the zone of the source's timestamp values. */
  timeZone: string;
  /** `compensation_time` in milliseconds: window end = source now − compensation. */
  compensationMs: number;
  /** `reset_incr_begin_time`: forget the stored watermark and start again from `dataTimestamp`. */
  resetBeginTime: boolean;
}

/**
 * One part of a full load split by an integer key: `from ≤ key < to`, either end open when null. Decimal integer
 * text, so a BIGINT key keeps every digit.
 */
export interface KeyRange {
  column: string;
  from: string | null;
  to: string | null;
}

/** sourceSelectedDatasource (spec 10-7), flat as the spec has it; each connector reads the fields it serves. */
export interface SourceSpec {
  // relational
  isAddSql: boolean;
  querySql?: string;
  sourceTable?: string;
  sourceSchema?: string;
  selectedColumns: ColumnSpec[];
  orderColumn?: string;
  orderType?: 'ASC' | 'DESC';
  where: WhereCondition[];
  /** Set by the engine only (never read from a task body): this run reads one part of a split full load. */
  keyRange?: KeyRange;
  incremental?: IncrementalSpec;
  // file (FTP/SFTP/local)
  path?: string;
  fileName?: string;
  fileNameCharset?: string;
  fileContentCharset?: string;
  /** `max_file_size` in MB */
  maxFileSizeMb?: number;
  fieldDelimiter?: string;
  nullFormat?: string;
  skipHeader?: boolean;
  skipHeaderRows?: number;
  batchNum?: number;
  /** Beyond the spec (the source side has no file_type): `csv` (default) or `jsonl` for the local file connector. */
  fileType?: string;
  // kafka
  /** `sourceTopicName` */
  topic?: string;
  /** `kafka_data_type`: `json` (default) or `text` */
  kafkaDataType?: string;
  /** Beyond the spec: consumer group (default `fdi-<task_id>`). */
  consumerGroup?: string;
  /** Beyond the spec: where a new consumer group starts, `earliest` (default) or `latest`. */
  offsetReset?: 'earliest' | 'latest';
  // parsing
  /** `isParse` / `is_parse`: false = pass-through (the value is taken whole). Default true. */
  isParse: boolean;
  /** `sourceMetaData` / `source_meta_data` / `extend_meta_data` / `meta_data`: the fields to extract. */
  metaData: MetaField[];
  /** Keys this model does not know, kept for plugins. */
  extra: { [key: string]: JsonValue };
}

/** targetSelectedDatasource (spec 10-5), flat. */
export interface TargetSpec {
  // relational
  targetTable?: string;
  targetSchema?: string;
  targetNeedCreateTable: boolean;
  isSupportClearTab: boolean;
  /** `batchNumber`: a string column that receives one random id per run. */
  batchNumber?: string;
  selectedColumns: ColumnSpec[];
  supportPartUpdate: boolean;
  // file
  path?: string;
  writeMode?: string;
  fileNameCharset?: string;
  fileContentType?: 'textFile' | 'binaryFile';
  /** `csv` | `txt` (| `jsonl` for the local file connector) */
  fileType?: string;
  fileNamePrefix?: string;
  /** Beyond the spec: the whole file name (the local file connector); wins over prefix + date suffix. */
  fileName?: string;
  nullFormat?: string;
  remarkDateFormat?: string;
  addHeader?: boolean;
  fileContentCharset?: string;
  fieldDelimiter?: string;
  /** `meta_data`: for file targets, the fields in file column order. */
  metaData: MetaField[];
  // kafka
  topic?: string;
  /** `targetKafkaKey`: the field whose value becomes the message key. */
  kafkaKey?: string;
  /** `taegetHeaders` (sic) / `targetHeaders`: header name → value (or `${field}`). */
  kafkaHeaders: { key: string; value: string }[];
  kafkaDataType?: string;
  extra: { [key: string]: JsonValue };
}

/** One source → target column pair (MappingTable 10-3, or a MappingInput pair 10-13). */
export interface ColumnMapping {
  /** The source column, metadata name or path; a literal when `constant` is set. */
  source: string;
  target: string;
  sourceType?: string;
  sourceLength?: string;
  targetType?: string;
  targetLength?: string;
  /** `mappingSourceTextOrNot[i].flag`: the source is a literal text value, not a column. */
  constant: boolean;
  targetNullable?: boolean;
  /** `targetUnique` ("1" in every spec example for key columns): used as the upsert key. */
  targetUnique?: boolean;
}

export interface MappingSpec {
  /** `mappingRequired`: false = pass-through, records go to the target with their own field names. */
  required: boolean;
  columns: ColumnMapping[];
}

export interface ErrorHandlerSpec {
  /** Data source that receives dirty records (a file, table or topic of it). */
  datasourceId?: string;
  /** `path`: folder/file (file sources), table (relational) or topic (Kafka). */
  path?: string;
  mode?: string;
  appId?: string;
  stopTaskWhenFailure: boolean;
}

export interface AfterImplementationSpec {
  actionType: string;
  datasourceId: string;
  topic: string;
  messageContent: string;
  appId?: string;
  projectId?: string;
}

/** Runtime knobs beyond the spec. Defaults live in `core/defaults.ts`. */
export interface RuntimeOptions {
  /** Records per batch between reader and writer. */
  batchSize: number;
  /** Batches the channel holds before the reader waits (backpressure). */
  channelCapacity: number;
  /** End the run with an error once more than this many records are dirty (null: no count limit). */
  dirtyMaxCount: number | null;
  /** End the run once dirty/read exceeds this ratio, checked after `dirtyMinSample` records (null: no ratio). */
  dirtyMaxRatio: number | null;
  dirtyMinSample: number;
  /** Run the 902–905 integrity check (and compensation) after a timing run. */
  integrityCheck: boolean;
  /** Pipelines of a full load split by key range (DataX's channels); 1: one pipeline. */
  parallelism: number;
  /** How often the running counts (102/502) are written, ms. */
  progressIntervalMs: number;
  /**
   * Rows per batch when rows travel as the source's own text (`textTransfer`): a text batch is its bytes, not a
   * record per row, so it can be larger for the same memory, and each one is one bulk load.
   */
  textBatchSize: number;
  /** Let rows travel from reader to writer as the source's text where both sides can and the mapping keeps them as read. */
  textTransfer: boolean;
}
