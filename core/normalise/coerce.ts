import type { FdiErrorCode } from '../error-codes.ts';
import type { FdiError } from '../fdi-error.ts';
import { coded, describe, invalid } from './errors.ts';
import { Fields, isPlainObject } from './fields.ts';
import { LIST_MAX, NAME_MAX } from './limits.ts';

/**
 * Readers for the loose types of the spec's examples: booleans as "true"/"1", numbers as strings, enums in any
 * case, a single object where a list is typed. `null`, `undefined` and (unless kept) `""` are absent. Every
 * failure is an FdiError naming the field (FDI.3033 unless `code` says otherwise).
 */
interface Rule {
  code?: FdiErrorCode;
}

function fail(rule: Rule | undefined, field: string, reason: string): FdiError {
  return rule?.code && rule.code !== 'FDI.3033' ? coded(rule.code, field, reason) : invalid(field, reason);
}

export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

export interface StringRule extends Rule {
  max?: number;
  /** `""` is a value (null_format), not an absence. */
  keepEmpty?: boolean;
}

export function optString(value: unknown, field: string, rule?: StringRule): string | undefined {
  if (value === undefined || value === null) return undefined;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else throw fail(rule, field, `must be a string, got ${describe(value)}`);
  if (!rule?.keepEmpty && text.trim() === '') return undefined;
  const max = rule?.max ?? NAME_MAX;
  if (text.length > max) throw fail(rule, field, `must be at most ${max} characters, got ${text.length}`);
  return text;
}

export function reqString(value: unknown, field: string, rule?: StringRule & { what?: string }): string {
  const text = optString(value, field, rule);
  if (text === undefined) throw fail(rule, field, rule?.what ?? 'is required');
  return text;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'off']);

export function optBool(value: unknown, field: string, rule?: Rule): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  throw fail(rule, field, `must be true or false, got ${describe(value)}`);
}

export function bool(value: unknown, field: string, fallback: boolean, rule?: Rule): boolean {
  return optBool(value, field, rule) ?? fallback;
}

export interface NumberRule extends Rule {
  min?: number;
  max?: number;
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function checkRange(n: number, field: string, rule: NumberRule | undefined): number {
  if (rule?.min !== undefined && n < rule.min) throw fail(rule, field, `must be at least ${rule.min}, got ${n}`);
  if (rule?.max !== undefined && n > rule.max) throw fail(rule, field, `must be at most ${rule.max}, got ${n}`);
  return n;
}

export function optInt(value: unknown, field: string, rule?: NumberRule): number | undefined {
  if (isAbsent(value)) return undefined;
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) n = Number(value.trim());
  if (n === undefined || !Number.isSafeInteger(n)) throw fail(rule, field, `must be an integer, got ${describe(value)}`);
  return checkRange(n, field, rule);
}

export function optNumber(value: unknown, field: string, rule?: NumberRule): number | undefined {
  if (isAbsent(value)) return undefined;
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && DECIMAL_TEXT.test(value.trim())) n = Number(value.trim());
  if (n === undefined || !Number.isFinite(n)) throw fail(rule, field, `must be a number, got ${describe(value)}`);
  return checkRange(n, field, rule);
}

/** One of `allowed`, matched without regard to case; answered in the spelling of `allowed`. */
export function optEnum<T extends string>(value: unknown, field: string, allowed: readonly T[], rule?: Rule): T | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string') {
    const wanted = value.trim().toLowerCase();
    const match = allowed.find((a) => a.toLowerCase() === wanted);
    if (match !== undefined) return match;
  }
  throw fail(rule, field, `must be one of ${allowed.join(', ')}, got ${describe(value)}`);
}

/** A list, or a single object standing for a one-element list (the spec's examples send both). Absent: []. */
export function asList(value: unknown, field: string, rule?: Rule & { max?: number }): unknown[] {
  if (isAbsent(value)) return [];
  const list = Array.isArray(value) ? value : isPlainObject(value) ? [value] : undefined;
  if (list === undefined) throw fail(rule, field, `must be a list or an object, got ${describe(value)}`);
  const max = rule?.max ?? LIST_MAX;
  if (list.length > max) throw fail(rule, field, `must have at most ${max} entries, got ${list.length}`);
  return list;
}

/** An object's fields; absent: undefined. */
export function optObject(value: unknown, field: string, rule?: Rule): Fields | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw fail(rule, field, `must be an object, got ${describe(value)}`);
  return new Fields(value, field);
}

export function reqObject(value: unknown, field: string, rule?: Rule): Fields {
  const fields = optObject(value, field, rule);
  if (fields === undefined) throw fail(rule, field, 'is required');
  return fields;
}

export interface Item {
  value: unknown;
  /** `field[i]` for list entries; `field` itself for a single object standing for the list. */
  field: string;
}

/** `asList` with each entry's field name for messages. */
export function listItems(value: unknown, field: string, rule?: Rule & { max?: number }): Item[] {
  const list = asList(value, field, rule);
  if (!Array.isArray(value)) return list.map((v) => ({ value: v, field }));
  return list.map((v, i) => ({ value: v, field: `${field}[${i}]` }));
}
