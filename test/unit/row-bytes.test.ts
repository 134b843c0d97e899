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

describe('rowBytes of numbers', () => {
  it('is the length of String(n) for integers and decimals of every size and sign', () => {
    let seed = 3;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const samples: number[] = [-0, 0.001, 0.0015, 0.1 + 0.2, 1.1, 2.675, 999999999.999, 1e9 + 0.5, 1e-7, 123456789012345.6, -1e15, 1e21, Number.MIN_VALUE, Number.MAX_VALUE, -1.005];
    for (let i = 0; i < 20000; i++) {
      const magnitude = 10 ** Math.floor(next() * 24 - 8);
      const places = Math.floor(next() * 6);
      const raw = (next() - 0.3) * magnitude;
      samples.push(raw, Math.round(raw * 10 ** places) / 10 ** places, Math.round(raw));
    }
    for (const n of samples) expect(rowBytes({ n }), String(n)).toBe(2 + 1 + 4 + String(n).length);
  });
});
