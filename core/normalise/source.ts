import type { MetaField, SourceSpec, TaskType } from '../task-spec.ts';
import { bool, optBool, optEnum, optInt, optNumber, optString } from './coerce.ts';
import { checkCharset } from './charset.ts';
import { parseColumns, parseMetaFields } from './columns.ts';
import type { Fields } from './fields.ts';
import { parseIncremental } from './incremental.ts';
import { BATCH_NUM_MAX_PARSED, BATCH_NUM_MAX_PASS_THROUGH, PATH_MAX } from './limits.ts';
import { checkQuerySql } from './sql.ts';
import { parseWhere } from './where.ts';

const ORDER_TYPES = ['ASC', 'DESC'] as const;
const KAFKA_DATA_TYPES = ['json', 'text'] as const;
const OFFSET_RESETS = ['earliest', 'latest'] as const;
/** The spellings of the source metadata, in the order they are preferred; the first non-empty one is used. */
const SOURCE_META_KEYS = ['sourceMetaData', 'extend_meta_data', 'meta_data'] as const;

/** sourceSelectedDatasource (spec 10-7 and the examples), flat: relational, file, Kafka and parsing keys. */
export function parseSource(f: Fields, taskType: TaskType): SourceSpec {
  const str = (name: string, ...aliases: string[]): string | undefined => {
    const at = f.get(name, ...aliases);
    return optString(at?.value, f.fieldOf(at, name));
  };
  const path = (name: string): string | undefined => {
    const at = f.get(name);
    return optString(at?.value, f.fieldOf(at, name), { max: PATH_MAX });
  };
  const charset = (name: string): string | undefined => {
    const at = f.get(name);
    return checkCharset(optString(at?.value, f.fieldOf(at, name)), f.fieldOf(at, name));
  };

  const isAddSqlAt = f.get('isAddSql');
  const isAddSql = bool(isAddSqlAt?.value, f.fieldOf(isAddSqlAt, 'isAddSql'), false);
  const sqlAt = f.get('querySql');
  const sourceTable = str('sourceTable');
  const incremental = parseIncremental(f, taskType, !isAddSql && sourceTable !== undefined);
  const source: SourceSpec = {
    isAddSql,
    selectedColumns: parseColumns(f.get('sourceSelectedColumnList')?.value, f.field('sourceSelectedColumnList')),
    where: [],
    isParse: true,
    metaData: [],
    extra: {},
  };
  if (isAddSql) {
    const sql = optString(sqlAt?.value, f.fieldOf(sqlAt, 'querySql'), { max: Number.MAX_SAFE_INTEGER });
    source.querySql = checkQuerySql(sql, f.fieldOf(sqlAt, 'querySql'), incremental !== undefined);
  }
  if (sourceTable !== undefined) source.sourceTable = sourceTable;
  const schema = str('sourceSchema');
  if (schema !== undefined) source.sourceSchema = schema;
  const orderColumn = str('orderColumn');
  if (orderColumn !== undefined) source.orderColumn = orderColumn;
  const orderTypeAt = f.get('orderType');
  const orderType = optEnum(orderTypeAt?.value, f.fieldOf(orderTypeAt, 'orderType'), ORDER_TYPES);
  if (orderType !== undefined) source.orderType = orderType;
  const whereAt = f.get('where');
  source.where = parseWhere(whereAt?.value, f.fieldOf(whereAt, 'where'));
  if (incremental !== undefined) source.incremental = incremental;

  // file (FTP/SFTP/local)
  const filePath = path('path');
  if (filePath !== undefined) source.path = filePath;
  const fileName = path('file_name');
  if (fileName !== undefined) source.fileName = fileName;
  const nameCharset = charset('file_name_charset');
  if (nameCharset !== undefined) source.fileNameCharset = nameCharset;
  const contentCharset = charset('file_content_charset');
  if (contentCharset !== undefined) source.fileContentCharset = contentCharset;
  const maxSizeAt = f.get('max_file_size');
  const maxSize = optNumber(maxSizeAt?.value, f.fieldOf(maxSizeAt, 'max_file_size'), { min: 0 });
  if (maxSize !== undefined) source.maxFileSizeMb = maxSize;
  const delimiterAt = f.get('field_delimiter');
  const delimiter = optString(delimiterAt?.value, f.fieldOf(delimiterAt, 'field_delimiter'), { max: 16, keepEmpty: true });
  if (delimiter !== undefined && delimiter !== '') source.fieldDelimiter = delimiter;
  const nullFormatAt = f.get('null_format');
  const nullFormat = optString(nullFormatAt?.value, f.fieldOf(nullFormatAt, 'null_format'), { max: 64, keepEmpty: true });
  if (nullFormat !== undefined) source.nullFormat = nullFormat;
  const fileType = str('file_type');
  if (fileType !== undefined) source.fileType = fileType.trim().toLowerCase();

  // parsing
  const parseAt = f.get('isParse');
  source.isParse = bool(parseAt?.value, f.fieldOf(parseAt, 'isParse'), true);
  source.metaData = firstMetaData(f);

  const skipAt = f.get('skip_header');
  const skip = optBool(skipAt?.value, f.fieldOf(skipAt, 'skip_header'));
  const rowsAt = f.get('skip_header_rows');
  const rows = optInt(rowsAt?.value, f.fieldOf(rowsAt, 'skip_header_rows'), { min: 0 });
  const skipHeader = skip ?? (rows !== undefined && rows > 0 ? true : undefined);
  if (skipHeader !== undefined) source.skipHeader = skipHeader;
  if (rows !== undefined) source.skipHeaderRows = rows;
  else if (skipHeader) source.skipHeaderRows = 1;
  const batchAt = f.get('batch_num');
  const batchMax = source.isParse ? BATCH_NUM_MAX_PARSED : BATCH_NUM_MAX_PASS_THROUGH;
  const batchNum = optInt(batchAt?.value, f.fieldOf(batchAt, 'batch_num'), { min: 0, max: batchMax });
  if (batchNum !== undefined) source.batchNum = batchNum;

  // kafka
  const topic = str('sourceTopicName', 'topic');
  if (topic !== undefined) source.topic = topic;
  const dataTypeAt = f.get('kafka_data_type');
  const dataType = optEnum(dataTypeAt?.value, f.fieldOf(dataTypeAt, 'kafka_data_type'), KAFKA_DATA_TYPES);
  if (dataType !== undefined) source.kafkaDataType = dataType;
  const group = str('consumer_group', 'group_id');
  if (group !== undefined) source.consumerGroup = group;
  const resetAt = f.get('offset_reset', 'auto_offset_reset');
  const reset = optEnum(resetAt?.value, f.fieldOf(resetAt, 'offset_reset'), OFFSET_RESETS);
  if (reset !== undefined) source.offsetReset = reset;

  source.extra = f.rest();
  return source;
}

function firstMetaData(f: Fields): MetaField[] {
  let chosen: MetaField[] = [];
  for (const key of SOURCE_META_KEYS) {
    const at = f.get(key);
    const fields = parseMetaFields(at?.value, f.fieldOf(at, key));
    if (chosen.length === 0) chosen = fields;
  }
  return chosen;
}

