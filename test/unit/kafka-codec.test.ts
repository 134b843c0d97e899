import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isKafkaCheckpoint, kafkaCheckpoint } from '../../connectors/kafka/checkpoint.ts';
import { decodeMessage, kafkaDataTypeOf, type DecodeSettings } from '../../connectors/kafka/decode.ts';
import { expandTemplate, fieldText, rowToJson, rowToText } from '../../connectors/kafka/encode.ts';
import { HandoffQueue } from '../../connectors/kafka/handoff-queue.ts';
import { JsonNumberText, parseJsonLossless, stringifyJson, toPlainJson, topLevelFields } from '../../core/json.ts';
import type { DocumentValue } from '../../core/values.ts';
import { parseKafkaOptions } from '../../connectors/kafka/options.ts';
import { OptionsError, TaskConfigError } from '../../connectors/sdk/index.ts';

function message(value: string | null, offset = '5'): KafkaMessage {
  return {
    key: Buffer.from('k'),
    value: value === null ? null : Buffer.from(value),
    timestamp: '1767322800000',
    attributes: 0,
    offset,
    headers: { a: Buffer.from('1'), b: [Buffer.from('x'), Buffer.from('y')] },
  };
}

const json: DecodeSettings = { dataType: 'json', parse: true, metaData: [], delimiter: ',' };

describe('parseJsonLossless', () => {
  it('keeps integers beyond 2^53 and over-precise decimals as their literal text', () => {
    const doc = parseJsonLossless('{"id": 9007199254740993, "a": [12345678901234.5678, 1.5, -3], "ok": true}');
    expect(doc).toEqual({
      id: new JsonNumberText('9007199254740993'),
      a: [new JsonNumberText('12345678901234.5678'), 1.5, -3],
      ok: true,
    });
    // As a record's fields, a long number is its text; inside a document it is written back as the same number.
    expect(topLevelFields(doc as { [key: string]: DocumentValue })).toEqual({ id: '9007199254740993', a: (doc as { a: unknown }).a, ok: true });
    expect(stringifyJson(doc)).toBe('{"id":9007199254740993,"a":[12345678901234.5678,1.5,-3],"ok":true}');
    expect(stringifyJson({ nested: (doc as { a: unknown }).a, plain: 'x' })).toBe('{"nested":[12345678901234.5678,1.5,-3],"plain":"x"}');
    expect(JSON.stringify(doc)).toBe('{"id":"9007199254740993","a":["12345678901234.5678",1.5,-3],"ok":true}');
    expect(toPlainJson(doc)).toEqual({ id: '9007199254740993', a: ['12345678901234.5678', 1.5, -3], ok: true });
    expect(parseJsonLossless('12345678901234567890')).toBe('12345678901234567890');
    expect(stringifyJson({ a: 1, b: [2, { c: 'd' }] })).toBe('{"a":1,"b":[2,{"c":"d"}]}');
  });

  it('a "__proto__" key is an own field, as JSON.parse makes it, also on the lossless path', () => {
    const doc = parseJsonLossless('{"__proto__": {"polluted": 12345678901234567890}, "id": 1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.keys(doc)).toEqual(['__proto__', 'id']);
    expect(stringifyJson(doc)).toBe('{"__proto__":{"polluted":12345678901234567890},"id":1}');
    const fields = topLevelFields(doc as { [key: string]: DocumentValue });
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.keys(fields)).toEqual(['__proto__', 'id']);
    expect(Object.getPrototypeOf(toPlainJson(doc as DocumentValue))).toBe(Object.prototype);
  });

  it('a long number deep inside a document survives the Kafka and SQL writers', () => {
    const doc = parseJsonLossless('{"doc": {"big": 12345678901234567890, "list": [{"x": 0.12345678901234567890}]}}') as { [key: string]: DocumentValue };
    const row = topLevelFields(doc);
    expect(rowToJson(row)).toBe('{"doc":{"big":12345678901234567890,"list":[{"x":0.12345678901234567890}]}}');
  });

  it('keeps numbers a double holds exactly as numbers, also on the slow path', () => {
    expect(parseJsonLossless('{"big": 1234567890123456, "small": 0.1, "e": 1e-7, "s": "\\u00e9"}')).toEqual({
      big: 1234567890123456,
      small: 0.1,
      e: 1e-7,
      s: 'é',
    });
  });

  it('rejects what JSON.parse rejects, on both paths', () => {
    expect(() => parseJsonLossless('{"a": 1,}')).toThrow(SyntaxError);
    expect(() => parseJsonLossless('{"a": 12345678901234567,}')).toThrow(/expected a property name/);
    expect(() => parseJsonLossless('[12345678901234567] x')).toThrow(/unexpected text/);
    expect(() => parseJsonLossless('"12345678901234567')).toThrow(/unterminated/);
  });
});

describe('decodeMessage', () => {
  it('takes a JSON object whole when no metadata is given', () => {
    expect(decodeMessage(message('{"a":1,"b":{"c":2}}'), 0, json)).toEqual({ row: { a: 1, b: { c: 2 } }, bytes: 20 });
  });

  it('extracts metadata paths; a missing path is null', () => {
    const settings: DecodeSettings = {
      ...json,
      metaData: [
        { index: 0, name: 'sku', path: 'items[1].sku' },
        { index: 1, name: 'city', path: 'customer.address.city' },
        { index: 2, name: 'id' },
      ],
    };
    const decoded = decodeMessage(message('{"id":3,"items":[{"sku":"A"},{"sku":"B"}],"customer":{}}'), 0, settings);
    expect(decoded).toMatchObject({ row: { sku: 'B', city: null, id: 3 } });
  });

  it('reports invalid JSON, a non-object value and a tombstone as unreadable with partition and offset', () => {
    expect(decodeMessage(message('{oops'), 2, json)).toMatchObject({
      unreadable: { raw: '{oops', reason: expect.stringMatching(/^partition 2 offset 5: not valid JSON/) },
    });
    expect(decodeMessage(message('[1,2]'), 0, json)).toMatchObject({
      unreadable: { reason: expect.stringContaining('is an array, not an object') },
    });
    expect(decodeMessage(message(null), 1, json)).toMatchObject({
      unreadable: { raw: '', reason: 'partition 1 offset 5: the message has no value (tombstone)' },
    });
  });

  it('passes the message through whole when isParse is false, invalid JSON included', () => {
    const decoded = decodeMessage(message('{oops', '42'), 3, { ...json, parse: false });
    expect(decoded).toEqual({
      row: {
        key: 'k',
        value: '{oops',
        partition: 3,
        offset: '42',
        timestamp: new Date(1767322800000),
        headers: { a: '1', b: ['x', 'y'] },
      },
      bytes: 6,
    });
  });

  it('splits text values by the delimiter when metadata names fields by index', () => {
    const settings: DecodeSettings = { dataType: 'text', parse: true, delimiter: '|', metaData: [{ index: 0, name: 'a' }, { index: 2, name: 'c' }, { index: 5, name: 'f' }] };
    expect(decodeMessage(message('1|2|3'), 0, settings)).toMatchObject({ row: { a: '1', c: '3', f: null } });
    expect(decodeMessage(message('1|2|3'), 0, { ...settings, metaData: [] })).toMatchObject({ row: { value: '1|2|3' } });
  });

  it('names kafka_data_type in the error for an unknown type', () => {
    expect(() => kafkaDataTypeOf('kafka_data_type', 'avro')).toThrow(TaskConfigError);
    expect(() => kafkaDataTypeOf('kafka_data_type', 'avro')).toThrow(/kafka_data_type: must be json or text/);
    expect(kafkaDataTypeOf('kafka_data_type', undefined)).toBe('json');
    expect(kafkaDataTypeOf('kafka_data_type', 'TEXT')).toBe('text');
  });
});

describe('encode', () => {
  it('writes exact values exactly: bigint and decimals as strings, dates as ISO, binary as base64', () => {
    const text = rowToJson({
      n: 1,
      big: 12345678901234567890n,
      dec: '0.10',
      at: new Date('2026-01-01T00:00:00.000Z'),
      bin: new Uint8Array([1, 2, 255]),
      obj: { a: [1] },
      nil: null,
      inf: Number.POSITIVE_INFINITY,
    });
    expect(JSON.parse(text)).toEqual({
      n: 1,
      big: '12345678901234567890',
      dec: '0.10',
      at: '2026-01-01T00:00:00.000Z',
      bin: 'AQL/',
      obj: { a: [1] },
      nil: null,
      inf: 'Infinity',
    });
  });

  it('renders text messages, keys and header templates', () => {
    expect(rowToText({ a: 1, b: null, c: 'x' }, ['c', 'a', 'b'], ';', 'NULL')).toBe('x;1;NULL');
    expect(fieldText(undefined)).toBeNull();
    expect(fieldText(5n)).toBe('5');
    expect(fieldText({ a: 1 })).toBe('{"a":1}');
    expect(expandTemplate('order-${id}/${ missing }', { id: 9 })).toBe('order-9/');
  });
});

describe('kafka checkpoint', () => {
  it('lists partitions in order and validates its shape', () => {
    const cp = kafkaCheckpoint('t', new Map([[2, 5], [0, 3]]));
    expect(cp).toEqual({ topic: 't', partitions: { '0': 3, '2': 5 } });
    expect(isKafkaCheckpoint({ ...cp })).toBe(true);
    expect(isKafkaCheckpoint({ topic: 't', partitions: { x: 1 } })).toBe(false);
    expect(isKafkaCheckpoint({ topic: 't', partitions: { '0': -1 } })).toBe(false);
    expect(isKafkaCheckpoint({ file: 'a', line: 1 })).toBe(false);
  });
});

describe('parseKafkaOptions', () => {
  it('reads the spec fields and the defaults', () => {
    expect(parseKafkaOptions({ broker: 'h1:9092, h2:9093', ssl_enable: 'false' })).toMatchObject({
      brokers: ['h1:9092', 'h2:9093'],
      ssl: false,
      idempotent: true,
      sessionTimeoutMs: 30000,
    });
    expect(parseKafkaOptions({ broker: 'h:9092', ssl_enable: true, ssl_username: 'u', ssl_password: 'p' })).toMatchObject({
      ssl: true,
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
    });
    expect(parseKafkaOptions({ broker: 'h:9092', ssl: true, idempotent: 'false' })).toMatchObject({ ssl: true, idempotent: false });
  });

  it('names the field in every refusal', () => {
    const cases: [Record<string, string | number | boolean>, string][] = [
      [{}, 'broker'],
      [{ broker: 'nohost' }, 'broker'],
      [{ broker: 'h:70000' }, 'broker'],
      [{ broker: 'h:1', ssl_enable: 'maybe' }, 'ssl_enable'],
      [{ broker: 'h:1', ssl_enable: true, ssl_username: 'u' }, 'ssl_password'],
      [{ broker: 'h:1', ssl_enable: true, ssl_username: 'u', ssl_password: 'p', sasl_mechanism: 'gssapi' }, 'sasl_mechanism'],
      [{ broker: 'h:1', session_timeout_ms: -5 }, 'session_timeout_ms'],
      [{ broker: 'h:1', session_timeout_ms: 3000, heartbeat_interval_ms: 3000 }, 'heartbeat_interval_ms'],
    ];
    for (const [content, field] of cases) {
      let error: unknown;
      try {
        parseKafkaOptions(content);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(content)).toBeInstanceOf(OptionsError);
      expect((error as OptionsError).field).toBe(field);
    }
  });
});

describe('HandoffQueue', () => {
  it('makes push wait for room and runs the waiting callback meanwhile', async () => {
    const q = new HandoffQueue<number>(1);
    expect(await q.push(1)).toBe(true);
    let taken = false;
    let beat!: () => void;
    const beaten = new Promise<void>((resolve) => {
      beat = resolve;
    });
    const second = q.push(2, async () => {
      beat();
    }, 5);
    void second.then(() => expect(taken).toBe(true));
    await beaten; // the queue is still full: push is waiting and heartbeating
    taken = true;
    expect(await q.take()).toBe(1);
    expect(await second).toBe(true);
    expect(await q.take()).toBe(2);
  });

  it('end hands over what is queued, then undefined; close drops it and releases a waiting push', async () => {
    const q = new HandoffQueue<number>(1);
    await q.push(1);
    q.end();
    expect(await q.push(2)).toBe(false);
    expect(await q.take()).toBe(1);
    expect(await q.take()).toBeUndefined();

    const c = new HandoffQueue<number>(1);
    await c.push(1);
    const waiting = c.push(2);
    c.close();
    expect(await waiting).toBe(false);
    expect(await c.take()).toBeUndefined();
  });

  it('fail delivers the queued items, then throws', async () => {
    const q = new HandoffQueue<number>(2);
    await q.push(1);
    q.fail(new Error('broker gone'));
    expect(await q.take()).toBe(1);
    await expect(q.take()).rejects.toThrow('broker gone');
  });
});
