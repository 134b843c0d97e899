/**
 * Where JSON text goes wrong, for a message that names the position whatever the engine's own wording (V8's
 * messages sometimes carry no position and sometimes quote the input). Iterative, so deep nesting cannot overflow.
 */
export interface JsonSyntaxError {
  position: number;
  line: number;
  column: number;
  reason: string;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
const LITERALS = ['true', 'false', 'null'];

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const n = text.length;
  const stack: ('{' | '[')[] = [];
  let i = 0;
  let state: 'value' | 'firstValue' | 'key' | 'firstKey' | 'after' = 'value';

  const fail = (reason: string): JsonSyntaxError => {
    let line = 1;
    let lineStart = 0;
    for (let k = text.indexOf('\n'); k !== -1 && k < i; k = text.indexOf('\n', k + 1)) {
      line++;
      lineStart = k + 1;
    }
    return { position: i, line, column: i - lineStart + 1, reason };
  };
  const skipWhitespace = (): void => {
    while (i < n && WHITESPACE.has(text[i]!)) i++;
  };
  const scanString = (): string | undefined => {
    i++; // the opening quote
    for (;;) {
      if (i >= n) return 'unterminated string';
      const c = text[i]!;
      if (c === '"') {
        i++;
        return undefined;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) return 'bad \\u escape in a string';
          i += 6;
          continue;
        }
        if (e === undefined || !ESCAPES.has(e)) return 'bad escape in a string';
        i += 2;
        continue;
      }
      if (c.charCodeAt(0) < 0x20) return 'control character in a string (escape it)';
      i++;
    }
  };

  for (;;) {
    skipWhitespace();
    if (state === 'after') {
      const top = stack[stack.length - 1];
      if (top === undefined) return i < n ? fail('unexpected text after the JSON value') : undefined;
      const closer = top === '{' ? '}' : ']';
      if (i >= n) return fail(`unexpected end of input, expected ',' or '${closer}'`);
      const c = text[i];
      if (c === ',') {
        i++;
        state = top === '{' ? 'key' : 'value';
      } else if (c === closer) {
        stack.pop();
        i++;
      } else {
        return fail(`expected ',' or '${closer}'`);
      }
      continue;
    }
    if (i >= n) return fail('unexpected end of input');
    const c = text[i]!;
    if (state === 'key' || state === 'firstKey') {
      if (state === 'firstKey' && c === '}') {
        stack.pop();
        i++;
        state = 'after';
        continue;
      }
      if (c !== '"') return fail('expected a double-quoted property name');
      const bad = scanString();
      if (bad) return fail(bad);
      skipWhitespace();
      if (text[i] !== ':') return fail("expected ':' after the property name");
      i++;
      state = 'value';
      continue;
    }
    if (state === 'firstValue' && c === ']') {
      stack.pop();
      i++;
      state = 'after';
      continue;
    }
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      state = c === '{' ? 'firstKey' : 'firstValue';
      continue;
    }
    state = 'after';
    if (c === '"') {
      const bad = scanString();
      if (bad) return fail(bad);
      continue;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) return fail('invalid number');
      i = NUMBER.lastIndex;
      continue;
    }
    const literal = LITERALS.find((l) => text.startsWith(l, i));
    if (literal === undefined) return fail(`unexpected character ${JSON.stringify(c)}`);
    i += literal.length;
  }
}
