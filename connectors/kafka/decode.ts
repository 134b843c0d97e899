import type { IHeaders, KafkaMessage } from 'kafkajs';
import {
  jsonFieldValue,
  parseJsonLossless,
  TaskConfigError,
  topLevelFields,
  type JsonValue,
  type MetaField,
  type ParsedDocument,
  type Row,
  type SourceSpec,
  type UnreadableRecord,
} from '../sdk/index.ts';
import { valueAtPath } from '../text-files/json-path.ts';

export type KafkaDataType = 'json' | 'text';
export const KAFKA_DATA_TYPES: readonly KafkaDataType[] = ['json', 'text'];
export const DEFAULT_TEXT_DELIMITER = ',';

/** How the reader turns a message into a record, from the task's source side. */
export interface DecodeSettings {
  dataType: KafkaDataType;
  /** false: pass-through, the message whole (key, value, partition, offset, timestamp, headers). */
  parse: boolean;
  metaData: MetaField[];
  delimiter: string;
}

export function kafkaDataTypeOf(field: string, value: string | undefined): KafkaDataType {
  const name = (value?.trim() || 'json').toLowerCase();
  if (!(KAFKA_DATA_TYPES as readonly string[]).includes(name)) {
    throw new TaskConfigError(field, `must be json or text, got "${value}"`);
  }
  return name as KafkaDataType;
}

export function decodeSettingsOf(source: SourceSpec): DecodeSettings {
  return {
    dataType: kafkaDataTypeOf('kafka_data_type', source.kafkaDataType),
    parse: source.isParse,
    metaData: [...source.metaData].sort((a, b) => a.index - b.index),
    delimiter: source.fieldDelimiter || DEFAULT_TEXT_DELIMITER,
  };
}

export type Decoded = { row: Row; bytes: number } | { unreadable: UnreadableRecord; bytes: number };

export function decodeMessage(message: KafkaMessage, partition: number, settings: DecodeSettings): Decoded {
  const value = message.value === null ? null : message.value.toString('utf8');
  const bytes = (message.value?.byteLength ?? 0) + (message.key?.byteLength ?? 0);
  const where = `partition ${partition} offset ${message.offset}`;
  if (!settings.parse) return { row: passThroughRow(message, partition, value), bytes };
  if (value === null) {
    return { unreadable: { raw: '', reason: `${where}: the message has no value (tombstone)` }, bytes };
  }
  if (settings.dataType === 'text') return { row: textRow(value, settings), bytes };
  let parsed: ParsedDocument;
  try {
    parsed = parseJsonLossless(value);
  } catch (e) {
    return { unreadable: { raw: value, reason: `${where}: not valid JSON: ${(e as Error).message}` }, bytes };
  }
  if (settings.metaData.length === 0) {
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      const kind = Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`;
      return {
        unreadable: { raw: value, reason: `${where}: the JSON value is ${kind}, not an object; name its fields with sourceMetaData paths` },
        bytes,
      };
    }
    return { row: topLevelFields(parsed), bytes };
  }
  const row: Row = {};
  for (const field of settings.metaData) {
    row[field.name] = jsonFieldValue(valueAtPath(parsed, field.path || field.name) ?? null);
  }
  return { row, bytes };
}

function passThroughRow(message: KafkaMessage, partition: number, value: string | null): Row {
  return {
    key: message.key === null || message.key === undefined ? null : message.key.toString('utf8'),
    value,
    partition,
    offset: message.offset,
    timestamp: new Date(Number(message.timestamp)),
    headers: headersObject(message.headers),
  };
}

function textRow(value: string, settings: DecodeSettings): Row {
  if (settings.metaData.length === 0) return { value };
  const parts = value.split(settings.delimiter);
  const row: Row = {};
  for (const field of settings.metaData) row[field.name] = parts[field.index] ?? null;
  return row;
}

/** Headers as an object of strings; a repeated header keeps its values as a list. */
export function headersObject(headers: IHeaders | undefined): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  if (!headers) return out;
  for (const [name, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[name] = Array.isArray(v) ? v.map((x) => x.toString()) : v.toString();
  }
  return out;
}
