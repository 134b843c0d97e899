import type { JsonValue } from '../sdk/index.ts';

/**
 * JSON.parse that keeps numbers a double cannot hold exactly (64-bit ids, long decimals) as their literal text,
 * so an order id 9007199254740993 or an amount 12345678901234.5678 reaches the target unchanged.
 * Texts without a long digit run take the native parser.
 */
export function parseJsonLossless(text: string): JsonValue {
  if (!/\d{16}/.test(text)) return JSON.parse(text) as JsonValue;
  return new LosslessParser(text).parseDocument();
}

/** True when Number(literal) prints back to a different digit sequence than the literal has. */
function losesPrecision(literal: string): boolean {
  const n = Number(literal);
  if (!Number.isFinite(n)) return true;
  if (/^-?\d+$/.test(literal)) return !Number.isSafeInteger(n);
  return significantDigits(literal) !== significantDigits(String(n));
}

function significantDigits(literal: string): string {
  const [mantissa = ''] = literal.toLowerCase().split('e');
  const digits = mantissa.replace(/[-+.]/g, '').replace(/^0+/, '');
  return digits.replace(/0+$/, '');
}

class LosslessParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    this.skipSpace();
    const value = this.parseValue();
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail('unexpected text after the JSON value');
    return value;
  }

  private parseValue(): JsonValue {
    const c = this.text[this.pos];
    if (c === '{') return this.parseObject();
    if (c === '[') return this.parseArray();
    if (c === '"') return this.parseString();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber();
    if (this.text.startsWith('true', this.pos)) return this.literal(4, true);
    if (this.text.startsWith('false', this.pos)) return this.literal(5, false);
    if (this.text.startsWith('null', this.pos)) return this.literal(4, null);
    return this.fail(c === undefined ? 'unexpected end of JSON input' : `unexpected token ${c}`);
  }

  private literal<T extends JsonValue>(length: number, value: T): T {
    this.pos += length;
    return value;
  }

  private parseObject(): JsonValue {
    const out: { [key: string]: JsonValue } = {};
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('expected a property name');
      const key = this.parseString();
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      out[key] = this.parseValue();
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect('}');
      return out;
    }
  }

  private parseArray(): JsonValue {
    const out: JsonValue[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.parseValue());
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(']');
      return out;
    }
  }

  private parseString(): string {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === '\\') this.pos += 2;
      else if (c === '"') {
        this.pos++;
        // The native parser validates escapes and control characters of the one string.
        return JSON.parse(this.text.slice(start, this.pos)) as string;
      } else this.pos++;
    }
    return this.fail('unterminated string');
  }

  private parseNumber(): JsonValue {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!m) return this.fail('invalid number');
    const literal = m[0];
    this.pos += literal.length;
    return losesPrecision(literal) ? literal : Number(literal);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos] as string)) this.pos++;
  }

  private expect(c: string): void {
    if (this.text[this.pos] !== c) this.fail(`expected ${c}`);
    this.pos++;
  }

  private fail(reason: string): never {
    throw new SyntaxError(`${reason} at position ${this.pos}`);
  }
}
