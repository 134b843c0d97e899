import { describe, expect, it } from 'vitest';
import { readBoolean, readPositiveInt, readString } from '../../connectors/sdk/content-fields.ts';
import { OptionsError } from '../../connectors/sdk/index.ts';

function optionsError(fn: () => unknown): OptionsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OptionsError) return err;
    throw err;
  }
  throw new Error('expected an OptionsError');
}

describe('connectors/sdk/content-fields', () => {
  it.each([undefined, null, ''])('%j counts as not given', (v) => {
    const content = { f: v };
    expect(readString(content, 'f')).toBeUndefined();
    expect(readBoolean(content, 'f', true)).toBe(true);
    expect(readPositiveInt(content, 'f', 7)).toBe(7);
  });

  it('a number is text only when the caller asks for it', () => {
    expect(readString({ f: 'abc' }, 'f')).toBe('abc');
    expect(readString({ f: 123456 }, 'f', { numbers: true })).toBe('123456');
    const err = optionsError(() => readString({ f: 123456 }, 'f'));
    expect(err.field).toBe('f');
    expect(err.message).toBe('f: must be a string');
    expect(optionsError(() => readString({ f: true }, 'f', { numbers: true })).field).toBe('f');
  });

  it('booleans in every spelling; anything else names the field', () => {
    for (const v of [true, 'true', '1', 1]) expect(readBoolean({ b: v }, 'b', false)).toBe(true);
    for (const v of [false, 'false', '0', 0]) expect(readBoolean({ b: v }, 'b', true)).toBe(false);
    expect(optionsError(() => readBoolean({ b: 'yes' }, 'b', false)).message).toBe('b: must be true or false, got "yes"');
  });

  it('positive integers, also as text; zero, fractions and words name the field', () => {
    expect(readPositiveInt({ n: 5 }, 'n', 1)).toBe(5);
    expect(readPositiveInt({ n: '250' }, 'n', 1)).toBe(250);
    for (const v of [0, -3, 1.5, 'ten', true]) {
      const err = optionsError(() => readPositiveInt({ n: v }, 'n', 1));
      expect(err.field).toBe('n');
      expect(err.message).toBe(`n: must be a positive integer, got ${JSON.stringify(v)}`);
    }
  });
});
