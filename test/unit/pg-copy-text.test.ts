import { describe, expect, it } from 'vitest';
import { copyText } from '../../connectors/postgresql/copy-text.ts';
import type { ColumnMeta } from '../../connectors/sql/catalog.ts';

const col = (name: string, dataType: string): ColumnMeta => ({
  name,
  dataType,
  columnType: dataType,
  length: null,
  precision: null,
  scale: null,
  nullable: true,
  json: dataType === 'jsonb',
});

describe('copyText (PostgreSQL COPY text format)', () => {
  const cols = [col('id', 'bigint'), col('name', 'text'), col('flag', 'boolean'), col('data', 'bytea')];

  it('writes one tab-separated line per row, \\N for NULL, numbers and booleans as text', () => {
    expect(copyText([[1, 'a', true, null], [2.5, null, false, null]], cols)).toBe('1\ta\ttrue\t\\N\n2.5\t\\N\tfalse\t\\N\n');
    expect(copyText([[9007199254740993n, '', true, null]], cols)).toBe('9007199254740993\t\ttrue\t\\N\n');
  });

  it('escapes backslash, tab, newline and carriage return, and nothing else', () => {
    expect(copyText([[1, 'a\\b\tc\nd\re "q" \'s\' ✓ 中文', true, null]], cols)).toBe('1\ta\\\\b\\tc\\nd\\re "q" \'s\' ✓ 中文\ttrue\t\\N\n');
    // The literal text \N (not a NULL) survives as \\N.
    expect(copyText([[1, '\\N', true, null]], cols)).toBe('1\t\\\\N\ttrue\t\\N\n');
  });

  it('writes bytes for a bytea column in the hex form, its backslash escaped', () => {
    expect(copyText([[1, 'x', true, Buffer.from([0, 1, 0xfe])]], cols)).toBe('1\tx\ttrue\t\\\\x0001fe\n');
  });

  it('gives up (null) on values without an exact text form: bytes for another type, dates, lists', () => {
    expect(copyText([[1, Buffer.from('x'), true, null]], cols)).toBeNull();
    expect(copyText([[1, new Date(0), true, null]], cols)).toBeNull();
    expect(copyText([[1, ['a', 'b'] as unknown as string, true, null]], cols)).toBeNull();
  });

  it('an empty batch is empty text', () => {
    expect(copyText([], cols)).toBe('');
  });
});
