import type { TargetSpec } from '../task-spec.ts';
import { bool, listItems, optBool, optEnum, optString, reqObject } from './coerce.ts';
import { checkCharset } from './charset.ts';
import { parseColumns, parseMetaFields } from './columns.ts';
import { invalid } from './errors.ts';
import { type Fields, foldKey, isPlainObject } from './fields.ts';
import { NAME_MAX, PATH_MAX, TEXT_MAX } from './limits.ts';

const FILE_CONTENT_TYPES = ['textFile', 'binaryFile'] as const;
const KAFKA_DATA_TYPES = ['json', 'text'] as const;

/** targetSelectedDatasource (spec 10-5 and the examples), flat: relational, file and Kafka keys. */
export function parseTarget(f: Fields): TargetSpec {
  const str = (name: string, max = NAME_MAX, ...aliases: string[]): string | undefined => {
    const at = f.get(name, ...aliases);
    return optString(at?.value, f.fieldOf(at, name), { max });
  };
  const flag = (name: string): boolean => {
    const at = f.get(name);
    return bool(at?.value, f.fieldOf(at, name), false);
  };
  const charset = (name: string): string | undefined => {
    const at = f.get(name);
    return checkCharset(optString(at?.value, f.fieldOf(at, name)), f.fieldOf(at, name));
  };

  const target: TargetSpec = {
    targetNeedCreateTable: flag('targetNeedCreateTable'),
    isSupportClearTab: flag('isSupportClearTab'),
    selectedColumns: parseColumns(f.get('targetSelectedColumnList')?.value, f.field('targetSelectedColumnList')),
    supportPartUpdate: flag('supportPartUpdate'),
    metaData: [],
    kafkaHeaders: [],
    extra: {},
  };
  const set = <K extends keyof TargetSpec>(key: K, value: TargetSpec[K] | undefined): void => {
    if (value !== undefined) target[key] = value;
  };
  set('targetTable', str('targetTable'));
  set('targetSchema', str('targetSchema'));
  set('batchNumber', str('batchNumber'));

  // file
  set('path', str('path', PATH_MAX));
  set('writeMode', str('write_mode')?.trim());
  set('fileNameCharset', charset('file_name_charset'));
  const contentTypeAt = f.get('file_content_type');
  set('fileContentType', optEnum(contentTypeAt?.value, f.fieldOf(contentTypeAt, 'file_content_type'), FILE_CONTENT_TYPES));
  set('fileType', str('file_type')?.trim().toLowerCase());
  set('fileNamePrefix', str('file_name_prefix', PATH_MAX));
  set('fileName', str('file_name', PATH_MAX));
  const nullFormatAt = f.get('null_format');
  set('nullFormat', optString(nullFormatAt?.value, f.fieldOf(nullFormatAt, 'null_format'), { max: 64, keepEmpty: true }));
  set('remarkDateFormat', str('remark_date_format', 64));
  const headerAt = f.get('add_header');
  set('addHeader', optBool(headerAt?.value, f.fieldOf(headerAt, 'add_header')));
  set('fileContentCharset', charset('file_content_charset'));
  const delimiterAt = f.get('field_delimiter');
  const delimiter = optString(delimiterAt?.value, f.fieldOf(delimiterAt, 'field_delimiter'), { max: 16, keepEmpty: true });
  if (delimiter !== undefined && delimiter !== '') target.fieldDelimiter = delimiter;
  const metaAt = f.get('meta_data', 'targetMetaData');
  target.metaData = parseMetaFields(metaAt?.value, f.fieldOf(metaAt, 'meta_data'));

  // kafka
  set('topic', str('topic', NAME_MAX, 'targetTopicName'));
  set('kafkaKey', str('targetKafkaKey', NAME_MAX, 'kafka_key'));
  const headersAt = f.get('taegetHeaders', 'targetHeaders', 'kafka_headers');
  target.kafkaHeaders = parseHeaders(headersAt?.value, f.fieldOf(headersAt, 'targetHeaders'));
  const dataTypeAt = f.get('kafka_data_type');
  set('kafkaDataType', optEnum(dataTypeAt?.value, f.fieldOf(dataTypeAt, 'kafka_data_type'), KAFKA_DATA_TYPES));

  target.extra = f.rest();
  return target;
}

/**
 * Kafka headers, `taegetHeaders` (sic, the only spelling in the spec) or `targetHeaders`: `{mode, dataSource:
 * [{key|keys|name, value}]}`, a list of such pairs, or a plain `{name: value}` map.
 */
function parseHeaders(value: unknown, field: string): { key: string; value: string }[] {
  if (value === undefined || value === null) return [];
  let pairs: { value: unknown; field: string }[];
  if (isPlainObject(value) && Object.keys(value).some((k) => foldKey(k) === 'datasource' || foldKey(k) === 'mode')) {
    const group = reqObject(value, field);
    const ds = group.get('dataSource');
    pairs = listItems(ds?.value, group.fieldOf(ds, 'dataSource'));
  } else if (isPlainObject(value)) {
    pairs = Object.entries(value).map(([key, v]) => ({ value: { key, value: v }, field: `${field}.${key}` }));
  } else {
    pairs = listItems(value, field);
  }
  const out = pairs.map((item) => {
    const p = reqObject(item.value, item.field);
    const keyAt = p.get('key', 'keys', 'name');
    const key = optString(keyAt?.value, p.fieldOf(keyAt, 'key'));
    if (key === undefined) throw invalid(p.fieldOf(keyAt, 'key'), 'a header needs a name');
    const valueAt = p.get('value');
    const v = optString(valueAt?.value, p.fieldOf(valueAt, 'value'), { max: TEXT_MAX, keepEmpty: true }) ?? '';
    return { key, value: v };
  });
  return out;
}
