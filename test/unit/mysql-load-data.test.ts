import { describe, expect, it } from 'vitest';
import { mysqlDataError } from '../../connectors/mysql/errors.ts';
import { LoadDataRefused, loadDataText } from '../../connectors/mysql/load-data.ts';

describe('loadDataText (LOAD DATA default text format)', () => {
  it('one tab-separated line per row, \\N for NULL, numbers as text, booleans as 1/0', () => {
    expect(loadDataText([[1, 'a', true, null], [2.5, '', false, 12345678901234567890n]])).toBe('1\ta\t1\t\\N\n2.5\t\t0\t12345678901234567890\n');
  });

  it('escapes backslash, tab, newline, carriage return and NUL', () => {
    expect(loadDataText([['a\\b\tc\nd\re\0f ✓ "q" \'s\'']])).toBe('a\\\\b\\tc\\nd\\re\\0f ✓ "q" \'s\'\n');
    // The text \N (not a NULL) stays text.
    expect(loadDataText([['\\N']])).toBe('\\\\N\n');
  });

  it('gives up (null) on bytes and dates, which INSERT writes as binary/temporal literals', () => {
    expect(loadDataText([[1, Buffer.from('x')]])).toBeNull();
    expect(loadDataText([[1, new Date(0)]])).toBeNull();
  });
});

describe('LoadDataRefused', () => {
  it('is a data error; skipped rows are a key conflict, adjusted values are not', () => {
    expect(mysqlDataError(new LoadDataRefused(10, 9, 1))).toMatchObject({ keyConflict: true });
    const adjusted = mysqlDataError(new LoadDataRefused(10, 10, 2));
    expect(adjusted?.reason).toMatch(/^WARN_DATA_TRUNCATED \(1265\): LOAD DATA of 10 rows loaded 10 with 2 warnings/);
    expect(adjusted?.keyConflict).toBeUndefined();
  });
});
