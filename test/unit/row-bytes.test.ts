import { describe, expect, it } from 'vitest';
import { rowBytes } from '../../connectors/sdk/index.ts';
import { parseJsonLossless } from '../../core/json.ts';
import type { FieldValue } from '../../core/values.ts';

describe('rowBytes', () => {
  it('counts a JSON document as the length of its JSON text, long numbers as the numbers they are', () => {
    for (const doc of [
      '{"a":1,"b":[1,2,{"c":"déjà 😀"}],"n":null,"t":true,"f":false,"x":-1.5,"big":12345678901234567890}',
      '[]',
      '{}',
      '{"k":[0,9,10,99,100,999999999999999,1000000000000000,1e300,0.1]}',
    ]) {
      const v = parseJsonLossless(doc) as FieldValue;
      // {"j":<doc>} plus rowBytes' separator allowance of one byte per field.
      const text = JSON.stringify(v).replace(/"(\d{16,})"/g, '$1');
      expect(rowBytes({ j: v })).toBe(2 + 1 + 4 + Buffer.byteLength(text, 'utf8'));
    }
  });

  it('counts numbers by their decimal text', () => {
    for (const n of [0, 7, 10, 12345, 999999999999999, 1e15, -1, 0.25, 1e-7, Number.MAX_SAFE_INTEGER]) {
      expect(rowBytes({ n })).toBe(2 + 1 + 4 + String(n).length);
    }
  });
});
