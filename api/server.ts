import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { FdiError } from '../core/fdi-error.ts';
import { Authenticator, mayUseProject, type Principal } from './auth.ts';
import type { ApiDeps } from './deps.ts';
import { errorBody, installErrorHandlers } from './errors.ts';
import { metricsRegistry, recordHttpRequest, setQueueDepthSource } from './metrics.ts';
import { RateLimiter } from './rate-limit.ts';
import { datasourceRoutes } from './routes/datasources.ts';
import { dispatchRoutes } from './routes/dispatches.ts';
import { monitorRoutes } from './routes/monitors.ts';
import { taskActionRoutes } from './routes/task-actions.ts';
import { taskRoutes } from './routes/tasks.ts';
import { errorBody as errorBodySchema } from './schemas/common.ts';
import { validatorCompiler } from './validation.ts';

/** Which family a route belongs to: decides the 404 a caller from another project gets. */
export type RouteResource = 'task' | 'datasource';

declare module 'fastify' {
  interface FastifyContextConfig {
    resource?: RouteResource;
    /** A 400 from this route also answers `detail` (the spec's data-source endpoints list one in their 400 body). */
    errorDetail?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Routes that answer without a token and outside the rate limit. */
const PUBLIC_PATHS = ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs'];

function isPublic(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return PUBLIC_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

const NOT_FOUND_CODE = { task: 'FDI.3081', datasource: 'FDI.3101' } as const;

/**
 * The FDI v2 HTTP API. The caller owns the store, the task control and the registry; `listen` or `inject` on
 * the returned instance (routes are registered once `ready()` resolves).
 */
export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.config.bodyLimitBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 300 },
  }) as unknown as FastifyInstance;

  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the answers; they must not filter them (a field a view adds is never dropped).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandlers(app);
  installJsonParser(app);

  const auth = new Authenticator(deps.config.auth);
  const limiter = deps.config.rateLimit ? new RateLimiter(deps.config.rateLimit) : null;
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (req, reply) => {
    if (req.is404 || isPublic(req.url)) return;
    let principal: Principal | null = null;
    let authError: FdiError | null = null;
    try {
      principal = auth.authenticate(req.headers);
    } catch (e) {
      authError = e as FdiError;
    }
    if (limiter) {
      const verdict = limiter.take(principal?.key ?? `ip:${req.ip}`);
      if (!verdict.allowed) {
        reply.header('Retry-After', String(verdict.retryAfterSeconds));
        throw new FdiError('FDI.1007', `Retry after ${verdict.retryAfterSeconds} s.`);
      }
    }
    if (authError) throw authError;
    req.principal = principal;
    const projectId = (req.params as { project_id?: string } | undefined)?.project_id;
    if (principal && projectId !== undefined && !mayUseProject(principal, projectId)) throw notFoundFor(req);
  });

  app.addHook('onResponse', async (req, reply) => {
    recordHttpRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode);
  });

  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'fdi-worker API',
        description: 'Data sources, tasks, dispatch plans and monitor logs in the shape of the ROMA Connect FDI v2 API.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          authToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
        schemas: { Error: errorBodySchema as unknown as Record<string, unknown> },
      },
      security: [{ authToken: [] }, { bearer: [] }],
    },
  });
  app.register(swaggerUi, { routePrefix: '/docs' });

  app.register(async (api) => {
    api.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());
    healthRoutes(api, deps);
    datasourceRoutes(api, deps);
    taskRoutes(api, deps);
    taskActionRoutes(api, deps);
    dispatchRoutes(api, deps);
    monitorRoutes(api, deps);
  });
  return app;
}

function notFoundFor(req: FastifyRequest): FdiError {
  const resource = req.routeOptions.config.resource;
  return resource ? new FdiError(NOT_FOUND_CODE[resource], 'It does not exist in this project.') : new FdiError('FDI.1004');
}

/** JSON bodies with Fastify's poisoning checks; an empty body is no body (POST …/run with a JSON content type). */
function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parse(req, text, done);
  });
}

function healthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process answers' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['health'], summary: 'Redis (the store) is reachable' } }, async (_req, reply) => {
    try {
      await deps.ready?.();
      return { status: 'ready' };
    } catch (e) {
      const err = new FdiError('FDI.9999', `Not ready: ${e instanceof Error ? e.message : String(e)}`);
      return reply.code(503).send({ status: 'unavailable', ...errorBody(err) });
    }
  });
  if (deps.metrics !== false) {
    setQueueDepthSource(() => deps.control.queueDepth());
    app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics' } }, async (_req, reply) => {
      reply.type(metricsRegistry.contentType);
      return metricsRegistry.metrics();
    });
  }
}
