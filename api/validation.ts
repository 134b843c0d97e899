import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import type { FdiErrorCode } from '../core/error-codes.ts';
import { FdiError } from '../core/fdi-error.ts';

/**
 * Request validation from the route schemas (the same JSON Schemas @fastify/swagger publishes).
 * Bodies are checked without type coercion (a number where a string belongs is a 400); query strings and path
 * parameters are coerced from text. A schema node may carry `x-fdi-code`: the FDI code a failure at or below
 * it answers with, or a map keyword → code (default FDI.3033 naming the field; FDI.3002 when the body is not a
 * JSON object at all).
 *
 * An empty (or blank) query parameter (`?execute_status=`) is one not given: the spec declares every query string with a
 * minimum length of 0 and says of several "empty = all" (tasks.md 4.3.2 `task_mode`, 4.2.1 `task_name`).
 */
export const FDI_CODE_KEYWORD = 'x-fdi-code';

type SchemaNode = { [key: string]: unknown };

const ajvOptions: Options = { allErrors: false, strict: true, keywords: [FDI_CODE_KEYWORD], allowUnionTypes: true };
const bodyAjv = new Ajv({ ...ajvOptions, coerceTypes: false, useDefaults: false });
const textAjv = new Ajv({ ...ajvOptions, coerceTypes: true, useDefaults: true });

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const part = httpPart === 'body' ? 'body' : httpPart === 'params' ? 'params' : 'querystring';
  const validate: ValidateFunction = (part === 'body' ? bodyAjv : textAjv).compile(schema as SchemaNode);
  return (data: unknown) => {
    if (part === 'querystring') dropEmptyValues(data);
    if (validate(data)) return { value: data };
    return { error: toFdiError(schema as SchemaNode, validate.errors ?? [], part) };
  };
};

function dropEmptyValues(query: unknown): void {
  if (query === null || typeof query !== 'object') return;
  const q = query as { [key: string]: unknown };
  // Whitespace too: Ajv would coerce " " to the number 0.
  for (const key of Object.keys(q)) {
    const v = q[key];
    if (typeof v === 'string' && v.trim() === '') delete q[key];
  }
}

export function toFdiError(schema: SchemaNode, errors: readonly ErrorObject[], part: 'body' | 'params' | 'querystring'): FdiError {
  const e = errors[0];
  if (!e) return new FdiError('FDI.3002');
  const pathParts = e.instancePath.split('/').filter(Boolean).map(unescapePointer);
  const missing = e.keyword === 'required' ? String((e.params as { missingProperty?: unknown }).missingProperty) : undefined;
  const extra =
    e.keyword === 'additionalProperties' ? String((e.params as { additionalProperty?: unknown }).additionalProperty) : undefined;
  const fieldParts = [...pathParts, ...(missing ? [missing] : []), ...(extra ? [extra] : [])];
  const field = fieldParts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

  if (part === 'body' && fieldParts.length === 0) {
    return new FdiError('FDI.3002', 'The request body must be a JSON object.');
  }
  const code = codeFor(schema, e, missing) ?? 'FDI.3033';
  const reason = reasonOf(e, missing, extra);
  if (code === 'FDI.3033') return FdiError.invalidField(field, reason);
  return new FdiError(code, `[${field}] ${reason}`, field);
}

function reasonOf(e: ErrorObject, missing: string | undefined, extra: string | undefined): string {
  if (missing) return 'is required';
  if (extra) return 'is not a known field';
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return e.message ?? 'is invalid';
}

/**
 * The `x-fdi-code` of the node the failure is about: the missing property's node for `required`, else the node
 * whose keyword failed. The annotation is a code, or a map keyword → code with `*` for the rest.
 */
function codeFor(schema: SchemaNode, e: ErrorObject, missing: string | undefined): FdiErrorCode | undefined {
  const segments = e.schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean).map(unescapePointer);
  segments.pop(); // the failing keyword itself
  let node: unknown = schema;
  for (const seg of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as SchemaNode)[seg];
  }
  if (missing) {
    const props = node !== null && typeof node === 'object' ? (node as SchemaNode)['properties'] : undefined;
    node = props !== null && typeof props === 'object' ? (props as SchemaNode)[missing] : undefined;
  }
  return readCode(node, e.keyword);
}

function readCode(node: unknown, keyword: string): FdiErrorCode | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const annotation = (node as SchemaNode)[FDI_CODE_KEYWORD];
  if (typeof annotation === 'string') return annotation as FdiErrorCode;
  if (annotation !== null && typeof annotation === 'object') {
    const byKeyword = annotation as { [keyword: string]: unknown };
    const code = byKeyword[keyword] ?? byKeyword['*'];
    return typeof code === 'string' ? (code as FdiErrorCode) : undefined;
  }
  return undefined;
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}
