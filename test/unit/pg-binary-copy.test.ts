/**
 * The binary COPY encoder's layout (the server's reading of each value is tested against PostgreSQL in
 * test/integration/postgres-binary-copy.test.ts): header, field counts, lengths, NULLs, the trailer; a batch with one
 * value that is not canonical goes whole as text; a reused buffer is used only when it is large enough.
 */
import { describe, expect, it } from 'vitest';
import { copyBinaryOfText, isBinaryCopy, type BinaryCopyField } from '../../connectors/postgresql/binary-copy.ts';
import { copyBufferOfText } from '../../connectors/postgresql/text-copy.ts';
import type { TextColumn } from '../../connectors/sdk/index.ts';
import { textRows } from '../support/text-rows.ts';

const HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const TRAILER = Buffer.from([0xff, 0xff]);
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int16s = (...ns: number[]): Buffer => {
  const b = Buffer.alloc(2 * ns.length);
  ns.forEach((n, i) => b.writeInt16BE(n, 2 * i));
  return b;
};
const field = (bytes: Buffer): Buffer => Buffer.concat([int32(bytes.length), bytes]);

const columns: TextColumn[] = [
  { name: 'id', kind: 'integer' },
  { name: 'price', kind: 'decimal' },
  { name: 'name', kind: 'text' },
  { name: 'at', kind: 'datetime' },
  { name: 'doc', kind: 'json' },
];
const fields: BinaryCopyField[] = [
  { codec: 'int8', offsetMinutes: 0 },
  { codec: 'numeric', offsetMinutes: 0 },
  { codec: 'bytes', offsetMinutes: 0 },
  { codec: 'timestamp', offsetMinutes: 480 },
  { codec: 'jsonb', offsetMinutes: 0 },
];

describe('copyBinaryOfText', () => {
  it('writes the header, each row as its field count and length-prefixed values, −1 for NULL, and the trailer', () => {
    const rows = textRows(columns, [
      ['-2', '-12345.50', 'é\tx', '2000-01-01 08:00:00.000001', '{"a": 1}'],
      ['4294967296', null, '', null, null],
    ]);
    const int8 = (hi: number, lo: number): Buffer => Buffer.concat([int32(hi), int32(lo)]);
    const expected = Buffer.concat([
      HEADER,
      int16s(5),
      field(int8(-1, -2)),
      // -12345.50: groups 1|2345|5000, weight 1, negative, display scale 2.
      field(int16s(3, 1, 0x4000, 2, 1, 2345, 5000)),
      field(Buffer.from('é\tx')),
      // 08:00:00.000001 at +08:00 is one microsecond after PostgreSQL's epoch.
      field(int8(0, 1)),
      field(Buffer.from('\x01{"a": 1}', 'latin1')),
      int16s(5),
      field(int8(1, 0)),
      int32(-1),
      field(Buffer.alloc(0)),
      int32(-1),
      int32(-1),
      TRAILER,
    ]);
    const out = copyBinaryOfText(rows, fields);
    expect(out?.equals(expected)).toBe(true);
    expect(isBinaryCopy(out as Buffer)).toBe(true);
    // Into a reused buffer large enough (the same bytes in it), and into a fresh one when it is not.
    const reuse = Buffer.alloc(4096);
    const inReuse = copyBinaryOfText(rows, fields, reuse) as Buffer;
    expect(inReuse.buffer).toBe(reuse.buffer);
    expect(inReuse.equals(expected)).toBe(true);
    const small = Buffer.alloc(16);
    const fresh = copyBinaryOfText(rows, fields, small) as Buffer;
    expect(fresh.buffer).not.toBe(small.buffer);
    expect(fresh.equals(expected)).toBe(true);
  });

  it('zero is a numeric of no digits, positive whatever its sign, keeping its display scale', () => {
    const rows = textRows([{ name: 'd', kind: 'decimal' }], [['-0.00'], ['0'], ['0.0001']]);
    const expected = Buffer.concat([
      HEADER,
      int16s(1), field(int16s(0, 0, 0, 2)),
      int16s(1), field(int16s(0, 0, 0, 0)),
      int16s(1), field(int16s(1, -1, 0, 4, 1)),
      TRAILER,
    ]);
    expect(copyBinaryOfText(rows, [{ codec: 'numeric', offsetMinutes: 0 }])?.equals(expected)).toBe(true);
  });

  it('gives null for a batch with one value that is not its type\'s canonical spelling; copyBufferOfText then sends text', () => {
    const rows = textRows(columns, [
      ['1', '2.5', 'a', '2024-01-02 03:04:05', '{}'],
      ['2', '2.5', 'b', '0000-00-00 00:00:00', '{}'],
    ]);
    expect(copyBinaryOfText(rows, fields)).toBeNull();
    const how = [
      { escape: false, suffix: '' },
      { escape: false, suffix: '' },
      { escape: true, suffix: '' },
      { escape: false, suffix: '+08:00' },
      { escape: true, suffix: '' },
    ];
    const withBinary = how.map((h, i) => ({ ...h, binary: fields[i] as BinaryCopyField }));
    const sent = copyBufferOfText(rows, withBinary);
    expect(isBinaryCopy(sent)).toBe(false);
    expect(sent.toString('utf8')).toBe('1\t2.5\ta\t2024-01-02 03:04:05+08:00\t{}\n2\t2.5\tb\t0000-00-00 00:00:00+08:00\t{}\n');
    // Without that row the same columns go binary; a column without a binary form keeps the batch text.
    const canonical = textRows(columns, [['1', '2.5', 'a', '2024-01-02 03:04:05', '{}']]);
    expect(isBinaryCopy(copyBufferOfText(canonical, withBinary))).toBe(true);
    expect(isBinaryCopy(copyBufferOfText(canonical, [...withBinary.slice(0, 4), how[4] as (typeof how)[number]]))).toBe(false);
  });

  it('text data is never taken for binary, even when it spells the signature (a carriage return is escaped)', () => {
    const rows = textRows([{ name: 's', kind: 'text' }], [['PGCOPY\n\xff\r\n\0']]);
    expect(isBinaryCopy(copyBufferOfText(rows, [{ escape: true, suffix: '' }]))).toBe(false);
    expect(isBinaryCopy(Buffer.from('PGCOPY'))).toBe(false);
  });
});
