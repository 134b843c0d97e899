import type { FastifyError, FastifyInstance } from 'fastify';
import { FdiError, isFdiError } from '../core/fdi-error.ts';
import { FDI_ERRORS, type FdiErrorCode } from '../core/error-codes.ts';
import { OptionsError } from '../connectors/sdk/index.ts';

/**
 * Every error leaves as `{error_code, error_msg}` (plus `detail` where the spec shows one) with the code's
 * documented HTTP status. Anything unexpected is FDI.9999 / 500, logged with its stack, never returned.
 */
const details = new WeakMap<FdiError, string>();

/** An FdiError that also answers `detail` (the data-source endpoints' 400 body has one). */
export function withDetail(err: FdiError, detail: string): FdiError {
  details.set(err, detail.slice(0, 512));
  return err;
}

/** A connector's OptionsError is FDI.3033 naming `content.<field>`. */
export function fromOptionsError(e: OptionsError): FdiError {
  return FdiError.invalidField(`content.${e.field}`, e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message);
}

/** Fastify's own transport errors → FDI codes. */
const TRANSPORT_CODES: Readonly<Record<string, { code: FdiErrorCode; msg: string }>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'FDI.3002', msg: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'FDI.3002', msg: 'The request body is empty.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'FDI.3002', msg: 'Content-Length does not match the body.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'FDI.1005', msg: '' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'FDI.1006', msg: '' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'FDI.1006', msg: '' },
};

export function toFdiError(err: unknown): FdiError | null {
  if (isFdiError(err)) return err;
  if (err instanceof OptionsError) return fromOptionsError(err);
  const fe = err as Partial<FastifyError> & { message?: string };
  const known = fe.code ? TRANSPORT_CODES[fe.code] : undefined;
  if (known) return new FdiError(known.code, known.msg || undefined);
  if (err instanceof SyntaxError && fe.statusCode === 400) return new FdiError('FDI.3002', 'The request body is not valid JSON.');
  // Other client errors Fastify raises (prototype poisoning, bad URL encoding …): a 400 with its reason.
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500 && fe.statusCode !== 404) {
    return new FdiError('FDI.3002', fe.message ?? undefined);
  }
  return null;
}

export function errorBody(err: FdiError): { error_code: string; error_msg: string; detail?: string } {
  const detail = details.get(err);
  return detail ? { ...err.toBody(), detail } : err.toBody();
}

/** What the message says beyond the code's own text (the whole message when it has no such part). */
function specificPart(err: FdiError): string {
  const base = FDI_ERRORS[err.code].message;
  const rest = err.message.startsWith(`${base} `) ? err.message.slice(base.length + 1) : err.message;
  return rest.length >= 2 ? rest : err.message;
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const fdi = toFdiError(err);
    if (fdi) {
      if (fdi.http >= 500) request.log.error({ err }, 'request failed');
      if (fdi.http === 400 && request.routeOptions.config.errorDetail && !details.has(fdi)) withDetail(fdi, specificPart(fdi));
      return reply.code(fdi.http).type('application/json; charset=utf-8').send(errorBody(fdi));
    }
    request.log.error({ err }, 'unexpected error');
    return reply.code(500).type('application/json; charset=utf-8').send(new FdiError('FDI.9999', 'Internal error; see the server log.').toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const err = new FdiError('FDI.1004', `No route ${request.method} ${path.slice(0, 200)}.`);
    return reply.code(404).type('application/json; charset=utf-8').send(err.toBody());
  });
}
