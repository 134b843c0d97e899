import { setOwn } from './normalise/json.ts';
import type { DocumentValue, JsonValue } from './values.ts';

/**
 * A JSON number literal that a double cannot hold exactly (a 64-bit id, a long decimal), kept as its text inside a
 * parsed JSON document, so that `stringifyJson` writes it back as the same number. Code that knows nothing of it
 * sees its text through `toJSON` (a JSON string).
 */
export class JsonNumberText {
  constructor(readonly text: string) {}

  toJSON(): string {
    return this.text;
  }
}

/** The objects and arrays, made by `parseJsonLossless`, that hold a `JsonNumberText` at any depth. */
const NUMBER_TEXT_HOLDERS = new WeakSet<object>();

/**
 * JSON.parse that keeps numbers a double cannot hold exactly (64-bit ids, long decimals), so an order id
 * 9007199254740993 or an amount 12345678901234.5678 reaches the target unchanged: inside objects and arrays as a
 * `JsonNumberText`, a document that is one such number as its literal text. Texts without a long digit run take
 * the native parser.
 */
export function parseJsonLossless(text: string): ParsedDocument {
  if (!/\d{16}/.test(text)) return JSON.parse(text) as ParsedDocument;
  return jsonFieldValue(new LosslessParser(text).parseDocument());
}

/** A whole parsed document: any JSON value but a bare `JsonNumberText` (a document that is one is its text). */
export type ParsedDocument = Exclude<DocumentValue, JsonNumberText>;

/** A value taken out of a parsed document as a field: a `JsonNumberText` becomes its literal text. */
export function jsonFieldValue<T>(v: T): Exclude<T, JsonNumberText> | string {
  return v instanceof JsonNumberText ? v.text : (v as Exclude<T, JsonNumberText>);
}

/** A parsed JSON object as a record: its fields, a `JsonNumberText` field as its literal text. */
export function topLevelFields(doc: { [key: string]: DocumentValue }): Record<string, Exclude<DocumentValue, JsonNumberText>> {
  const row: Record<string, Exclude<DocumentValue, JsonNumberText>> = {};
  for (const key of Object.keys(doc)) setOwn(row, key, jsonFieldValue(doc[key] ?? null));
  return row;
}

/** The same document as plain JSON, each `JsonNumberText` as its literal text (a string). */
export function toPlainJson(v: DocumentValue): JsonValue {
  if (v instanceof JsonNumberText) return v.text;
  if (typeof v !== 'object' || v === null || !NUMBER_TEXT_HOLDERS.has(v)) return v as JsonValue;
  if (Array.isArray(v)) return v.map(toPlainJson);
  const out: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(v)) setOwn(out, key, toPlainJson(v[key] ?? null));
  return out;
}

/**
 * JSON.stringify that writes each `JsonNumberText` as the number it is. Values without one (the common case) go
 * straight to JSON.stringify; a record built around parsed values is looked into one level deep.
 */
export function stringifyJson(value: unknown, replacer?: (key: string, value: unknown) => unknown): string {
  // JSON.stringify's own type: a string (undefined only for undefined or a function, which no field is).
  return exactJson(value, replacer) as string;
}

/** A `JsonNumberText`, a parsed container holding one, or a record with such a value as a field. */
function holdsNumberText(v: unknown): boolean {
  if (isNumberTextOrHolder(v)) return true;
  if (typeof v !== 'object' || v === null || v instanceof Date || v instanceof Uint8Array) return false;
  for (const key in v) if (isNumberTextOrHolder((v as Record<string, unknown>)[key])) return true;
  return false;
}

function exactJson(v: unknown, replacer: ((key: string, value: unknown) => unknown) | undefined): string | undefined {
  if (v instanceof JsonNumberText) return v.text;
  if (!holdsNumberText(v)) return JSON.stringify(v, replacer);
  if (Array.isArray(v)) return `[${v.map((item: unknown) => exactJson(item, replacer) ?? 'null').join(',')}]`;
  const parts: string[] = [];
  for (const key of Object.keys(v as object)) {
    const text = exactJson((v as Record<string, unknown>)[key], replacer);
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(',')}}`;
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

function isNumberTextOrHolder(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v instanceof JsonNumberText || NUMBER_TEXT_HOLDERS.has(v));
}

class LosslessParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): DocumentValue {
    this.skipSpace();
    const value = this.parseValue();
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail('unexpected text after the JSON value');
    return value;
  }

  private parseValue(): DocumentValue {
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

  private literal<T extends DocumentValue>(length: number, value: T): T {
    this.pos += length;
    return value;
  }

  private parseObject(): DocumentValue {
    const out: { [key: string]: DocumentValue } = {};
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    let holds = false;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('expected a property name');
      const key = this.parseString();
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      const value = this.parseValue();
      setOwn(out, key, value);
      holds ||= isNumberTextOrHolder(value);
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect('}');
      if (holds) NUMBER_TEXT_HOLDERS.add(out);
      return out;
    }
  }

  private parseArray(): DocumentValue {
    const out: DocumentValue[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    let holds = false;
    for (;;) {
      this.skipSpace();
      const value = this.parseValue();
      out.push(value);
      holds ||= isNumberTextOrHolder(value);
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(']');
      if (holds) NUMBER_TEXT_HOLDERS.add(out);
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

  private parseNumber(): DocumentValue {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!m) return this.fail('invalid number');
    const literal = m[0];
    this.pos += literal.length;
    return losesPrecision(literal) ? new JsonNumberText(literal) : Number(literal);
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
