import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { Row, SourceBatch, SourceSpec } from '../../connectors/sdk/index.ts';
import { TaskConfigError } from '../../connectors/sdk/index.ts';
import { decodeTextFile, readFormatOf, TextRecordEncoder, writeFormatOf } from '../../connectors/text-files/index.ts';
import { sourceSpec, targetSpec } from '../support/task-spec.ts';

/** Feeds the bytes in small pieces so multi-byte characters and records are split across chunks. */
function chunked(bytes: Buffer, size = 7): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function decode(bytes: Buffer, spec: Partial<SourceSpec>, batchSize = 1000, afterLine?: number): Promise<SourceBatch[]> {
  const out: SourceBatch[] = [];
  const opts = { file: 'in.dat', format: readFormatOf(sourceSpec(spec)), batchSize, ...(afterLine === undefined ? {} : { afterLine }) };
  for await (const b of decodeTextFile(chunked(bytes), opts)) out.push(b);
  return out;
}

const rows = (batches: SourceBatch[]): Row[] => batches.flatMap((b) => b.records);
const unreadable = (batches: SourceBatch[]) => batches.flatMap((b) => b.unreadable ?? []);

describe('text-files: CSV decoding', () => {
  it('takes column names from the header and follows RFC 4180 quoting (delimiters, quotes, line breaks in fields)', async () => {
    const csv = 'id,name,note\r\n1,"Zhang, San","she said ""hi"""\r\n2,Li,"two\r\nlines"\r\n';
    const b = await decode(Buffer.from(csv), { skipHeader: true });
    expect(rows(b)).toEqual([
      { id: '1', name: 'Zhang, San', note: 'she said "hi"' },
      { id: '2', name: 'Li', note: 'two\r\nlines' },
    ]);
    expect(unreadable(b)).toEqual([]);
  });

  it('keeps a column named __proto__ (a hostile header) as a field, without touching the prototype', async () => {
    const b = await decode(Buffer.from('id,__proto__\n1,x\n'), { skipHeader: true });
    const [row] = rows(b);
    expect(Object.keys(row ?? {})).toEqual(['id', '__proto__']);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('x');
  });

  it('names columns c0..cn without a header, and by metadata index when metadata is given', async () => {
    const csv = 'a,b,c\nd,e,f\n';
    expect(rows(await decode(Buffer.from(csv), {}))).toEqual([{ c0: 'a', c1: 'b', c2: 'c' }, { c0: 'd', c1: 'e', c2: 'f' }]);
    const meta = [{ index: 2, name: 'third' }, { index: 0, name: 'first' }];
    expect(rows(await decode(Buffer.from(csv), { metaData: meta }))).toEqual([{ first: 'a', third: 'c' }, { first: 'd', third: 'f' }]);
    // With metadata the header is skipped but its names are not used.
    expect(rows(await decode(Buffer.from('x,y,z\n' + csv), { skipHeader: true, metaData: meta }))).toHaveLength(2);
  });

  it('skips several header rows and takes the names from the last of them', async () => {
    const csv = 'Customer export 2024-01-01\nid,name\n1,Ann\n';
    expect(rows(await decode(Buffer.from(csv), { skipHeader: true, skipHeaderRows: 2 }))).toEqual([{ id: '1', name: 'Ann' }]);
    expect(rows(await decode(Buffer.from('id,name\n1,Ann\n'), { skipHeader: false, skipHeaderRows: 1 }))).toEqual([
      { c0: 'id', c1: 'name' }, { c0: '1', c1: 'Ann' },
    ]);
  });

  it('turns a field equal to null_format into null, and leaves empty fields as text without one', async () => {
    const csv = 'id,name,age\n1,,\\N\n';
    expect(rows(await decode(Buffer.from(csv), { skipHeader: true, nullFormat: '\\N' }))).toEqual([{ id: '1', name: '', age: null }]);
    expect(rows(await decode(Buffer.from(csv), { skipHeader: true, nullFormat: '' }))).toEqual([{ id: '1', name: null, age: '\\N' }]);
    expect(rows(await decode(Buffer.from(csv), { skipHeader: true }))).toEqual([{ id: '1', name: '', age: '\\N' }]);
  });

  it.each([
    ['|', 'a|b|c\n1|x,y|3\n'],
    ['\t', 'a\tb\tc\n1\tx,y\t3\n'],
    ['||', 'a||b||c\n1||x,y||3\n'],
    [';;;', 'a;;;b;;;c\n1;;;x,y;;;3\n'],
  ])('splits on the delimiter %j', async (delimiter, text) => {
    expect(rows(await decode(Buffer.from(text), { skipHeader: true, fieldDelimiter: delimiter }))).toEqual([{ a: '1', b: 'x,y', c: '3' }]);
  });

  it.each([
    ['GBK', '编号,姓名,城市\n1,张三,北京\n2,李四,上海\n'],
    ['GB2312', '编号,姓名\n1,王五\n'],
    ['ISO-8859-1', 'id,name\n1,Müller\n2,Ångström\n'],
    ['UTF-16LE', 'id,name\n1,Zoë\n2,東京\n'],
    ['UTF-8', 'id,name\n1,Zoë 😀\n'],
  ])('decodes %s content', async (charset, text) => {
    const decoded = rows(await decode(iconv.encode(text, charset), { skipHeader: true, fileContentCharset: charset }));
    const expected = text.trim().split('\n').slice(1).map((line) => {
      const header = text.split('\n')[0]?.split(',') ?? [];
      return Object.fromEntries(line.split(',').map((v, i) => [header[i] ?? '', v]));
    });
    expect(decoded).toEqual(expected);
  });

  it('strips a UTF-8 byte-order mark so the first column name is clean', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,name\n1,A\n')]);
    expect(rows(await decode(bytes, { skipHeader: true }))).toEqual([{ id: '1', name: 'A' }]);
  });

  it('reports lines it cannot read as unreadable with their line numbers, and keeps reading', async () => {
    const csv = [
      'id,name,note', // 1
      '1,Ann,ok', // 2
      '2,Bob', // 3: too few fields
      '', // 4: blank, skipped
      '3,"Cy\nline two",ok', // 5-6
      '4,Dee,ok,extra', // 7: too many
      '5,Eve,"not closed', // 8: quote never closed
      '6,Fay,ok', // 9 (swallowed by the open quote)
    ].join('\n');
    const b = await decode(Buffer.from(csv), { skipHeader: true }, 2);
    expect(rows(b).map((r) => r.id)).toEqual(['1', '3']);
    const bad = unreadable(b);
    expect(bad.map((u) => u.reason.split(':')[0])).toEqual(['line 3', 'line 7', 'line 8']);
    expect(bad[0]).toEqual({ raw: '2,Bob', reason: 'line 3: expected 3 fields, found 2' });
    expect(bad[1]?.reason).toBe('line 7: expected 3 fields, found 4');
    expect(bad[2]?.raw).toBe('5,Eve,"not closed\n6,Fay,ok');
    expect(bad[2]?.reason).toMatch(/Quote Not Closed/);
  });

  it('names the metadata field that a short line lacks', async () => {
    const b = await decode(Buffer.from('a,b\n'), { metaData: [{ index: 0, name: 'x' }, { index: 5, name: 'far' }] });
    expect(unreadable(b)).toEqual([{ raw: 'a,b', reason: 'line 1: no field at index 5 for "far" (the line has 2)' }]);
  });

  it('reads txt as plain delimited text: quotes are ordinary characters', async () => {
    const b = await decode(Buffer.from('a|b\n"x|y"|z\n'), { fileType: 'txt', fieldDelimiter: '|', skipHeader: true }, 10);
    expect(unreadable(b)).toEqual([{ raw: '"x|y"|z', reason: 'line 2: expected 2 fields, found 3' }]);
    expect(rows(await decode(Buffer.from('a|b\n"x"|z\n'), { fileType: 'txt', fieldDelimiter: '|', skipHeader: true }))).toEqual([{ a: '"x"', b: 'z' }]);
  });

  it('cuts batches of batchSize with a {file, line} checkpoint and the bytes of their lines', async () => {
    const lines = Array.from({ length: 7 }, (_, i) => `${i},name${i}`);
    const text = 'id,name\n' + lines.join('\n') + '\n';
    const b = await decode(Buffer.from(text), { skipHeader: true }, 3);
    expect(b.map((x) => x.records.length)).toEqual([3, 3, 1]);
    expect(b.map((x) => x.checkpoint)).toEqual([{ file: 'in.dat', line: 4 }, { file: 'in.dat', line: 7 }, { file: 'in.dat', line: 8 }]);
    expect(b.reduce((n, x) => n + x.bytes, 0)).toBe(Buffer.byteLength(text) - 'id,name\n'.length);
  });

  it('resumes after a checkpoint line without re-reading the records before it', async () => {
    const text = 'id,name\n1,a\n2,b\n3,"c\nc"\n4,d\n';
    expect(rows(await decode(Buffer.from(text), { skipHeader: true }, 10, 3)).map((r) => r.id)).toEqual(['3', '4']);
    expect(rows(await decode(Buffer.from(text), { skipHeader: true }, 10, 5))).toEqual([{ id: '4', name: 'd' }]);
  });

  it('refuses bad settings naming the field', () => {
    expect(() => readFormatOf(sourceSpec({ fileContentCharset: 'KLINGON-8' }))).toThrow(TaskConfigError);
    expect(() => readFormatOf(sourceSpec({ fileContentCharset: 'KLINGON-8' }))).toThrow(/file_content_charset/);
    expect(() => readFormatOf(sourceSpec({ fileType: 'xlsx' }))).toThrow(/file_type/);
    expect(() => readFormatOf(sourceSpec({ skipHeaderRows: -1 }))).toThrow(/skip_header_rows/);
    expect(() => readFormatOf(sourceSpec({ fieldDelimiter: '"' }))).toThrow(/field_delimiter/);
    expect(() => writeFormatOf(targetSpec({ fileContentType: 'binaryFile', fileType: 'xlsx' }))).toThrow(/file_type|file_content_type/);
  });
});

describe('text-files: JSONL decoding', () => {
  it('reads one object per line, skips blank lines, and reports bad lines with their numbers', async () => {
    const text = '{"id":1,"tags":["a"],"who":{"name":"Ann"}}\r\nnot json\n[1,2]\n\n{"id":2}';
    const b = await decode(Buffer.from(text), { fileType: 'jsonl' });
    expect(rows(b)).toEqual([{ id: 1, tags: ['a'], who: { name: 'Ann' } }, { id: 2 }]);
    expect(unreadable(b).map((u) => [u.raw, u.reason.split(':')[0]])).toEqual([['not json', 'line 2'], ['[1,2]', 'line 3']]);
    expect(b.at(-1)?.checkpoint).toEqual({ file: 'in.dat', line: 5 });
  });

  it('extracts metadata fields by path', async () => {
    const text = '{"id":1,"who":{"name":"Ann","tags":["x","y"]}}\n';
    const meta = [{ index: 0, name: 'id' }, { index: 1, name: 'name', path: 'who.name' }, { index: 2, name: 'tag', path: 'who.tags[1]' }, { index: 3, name: 'gone', path: 'who.age' }];
    expect(rows(await decode(Buffer.from(text), { fileType: 'jsonl', metaData: meta }))).toEqual([{ id: 1, name: 'Ann', tag: 'y', gone: null }]);
  });

  it('decodes a GBK JSONL file', async () => {
    const b = await decode(iconv.encode('{"城市":"北京"}\n', 'GBK'), { fileType: 'jsonl', fileContentCharset: 'GBK' });
    expect(rows(b)).toEqual([{ 城市: '北京' }]);
  });
});

describe('text-files: encoding', () => {
  it('writes CSV with a header, quoting only where RFC 4180 needs it, and null_format for nulls', () => {
    const enc = new TextRecordEncoder(writeFormatOf(targetSpec({ fileType: 'csv', addHeader: true, nullFormat: '\\N' })));
    const out = enc.encode([
      { id: 1, name: 'Zhang, San', note: 'say "hi"', at: new Date('2024-01-02T03:04:05.000Z') },
      { id: 2n, name: null, note: 'two\nlines', at: null },
    ]);
    expect(out.rejected).toEqual([]);
    expect(out.bytes.toString('utf8')).toBe('id,name,note,at\n1,"Zhang, San","say ""hi""",2024-01-02T03:04:05.000Z\n2,\\N,"two\nlines",\\N\n');
    // The header comes once.
    expect(enc.encode([{ id: 3, name: 'c', note: '', at: null }]).bytes.toString()).toBe('3,c,,\\N\n');
  });

  it('writes columns in metadata order, with multi-char delimiters and a charset', () => {
    const format = writeFormatOf(targetSpec({
      fileType: 'txt', fieldDelimiter: '||', fileContentCharset: 'GBK', addHeader: true,
      metaData: [{ index: 1, name: 'city' }, { index: 0, name: 'id' }],
    }));
    const out = new TextRecordEncoder(format).encode([{ city: '北京', id: 7 }]);
    expect(iconv.decode(out.bytes, 'GBK')).toBe('id||city\n7||北京\n');
  });

  it('refuses, per row, what the file cannot hold faithfully', () => {
    const txt = new TextRecordEncoder(writeFormatOf(targetSpec({ fileType: 'txt', fieldDelimiter: '|' })));
    const out = txt.encode([{ a: 'ok', b: 'x' }, { a: 'has|pipe', b: 'x' }, { a: 'ok', b: 'x', c: 'extra' }, { a: 'line\nbreak', b: 'y' }]);
    expect(out.bytes.toString()).toBe('ok|x\n');
    expect(out.rejected.map((r) => [r.index, r.column])).toEqual([[1, 'a'], [2, 'c'], [3, 'a']]);

    const latin = new TextRecordEncoder(writeFormatOf(targetSpec({ fileContentCharset: 'ISO-8859-1' })));
    const l = latin.encode([{ n: 'Müller' }, { n: '东京' }]);
    expect(iconv.decode(l.bytes, 'latin1')).toBe('Müller\n');
    expect(l.rejected).toEqual([{ index: 1, reason: 'a value cannot be represented in ISO-8859-1' }]);
  });

  it('writes JSONL: dates as ISO text, big integers exactly, binary as base64', () => {
    const enc = new TextRecordEncoder(writeFormatOf(targetSpec({ fileType: 'jsonl' })));
    const out = enc.encode([{ a: 1, big: 9007199254740993n, small: 5n, at: new Date(0), bin: Buffer.from('hi'), obj: { x: [1] }, n: null }]);
    expect(out.bytes.toString()).toBe('{"a":1,"big":"9007199254740993","small":5,"at":"1970-01-01T00:00:00.000Z","bin":"aGk=","obj":{"x":[1]},"n":null}\n');
  });

  it('round-trips CSV through the encoder and the decoder', async () => {
    const original: Row[] = [
      { id: '1', name: 'Zhang, San', note: 'x "y"\nz' },
      { id: '2', name: null, note: '' },
    ];
    const enc = new TextRecordEncoder(writeFormatOf(targetSpec({ addHeader: true, nullFormat: '\\N', fieldDelimiter: ';' })));
    const bytes = enc.encode(original).bytes;
    expect(rows(await decode(bytes, { skipHeader: true, nullFormat: '\\N', fieldDelimiter: ';' }))).toEqual(original);
  });
});
