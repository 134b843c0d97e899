import type { JsonValue } from '../values.ts';
import { coded, invalid } from './errors.ts';
import { findJsonSyntaxError } from './json-syntax.ts';
import { JSON_DEPTH_MAX } from './limits.ts';

/**
 * `value` as a JSON value, or FdiError FDI.3033 naming `field` for what JSON cannot hold (functions, NaN, Dates,
 * class instances, cycles, nesting deeper than JSON_DEPTH_MAX). Keys whose value is `undefined` are left out.
 */
export function toJsonValue(value: unknown, field: string, depth = 0): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(field, `${value} is not a JSON number`);
    return value;
  }
  if (typeof value !== 'object') throw invalid(field, `a ${typeof value} is not a JSON value`);
  if (depth >= JSON_DEPTH_MAX) throw invalid(field, `nested deeper than ${JSON_DEPTH_MAX} levels`);
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      out.push(item === undefined ? null : toJsonValue(item, `${field}[${i}]`, depth + 1));
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw invalid(field, 'must be a plain JSON object');
  const out: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) setOwn(out, key, toJsonValue(item, `${field}.${key}`, depth + 1));
  }
  return out;
}

/**
 * Parses JSON text; a syntax error is FDI.3166 (the task_detail code: it is the only JSON text in a request) naming
 * `field`, with the position, line and column of the error.
 */
export function parseJsonText(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const where = findJsonSyntaxError(text);
    if (where) {
      throw coded('FDI.3166', field, `is not valid JSON: ${where.reason} at position ${where.position} (line ${where.line}, column ${where.column})`);
    }
    const reason = e instanceof Error ? e.message : String(e);
    throw coded('FDI.3166', field, `is not valid JSON: ${reason.slice(0, 200)}`);
  }
}

/** `target[key] = value` as an own data property, even for `__proto__` (which JSON.parse keeps as a plain key). */
export function setOwn<T>(target: { [key: string]: T }, key: string, value: T): void {
  // Only `__proto__` has a setter on Object.prototype; every other key is a plain (and much faster) assignment.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
