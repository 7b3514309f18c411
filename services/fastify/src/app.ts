import Fastify, {
  type FastifyInstance,
  type FastifyServerOptions,
  type RouteHandlerMethod,
  type RouteOptions,
} from 'fastify';
import {
  NO_FAULTS,
  VALIDATION_STATUS,
  applyFault,
  chain,
  clientErrorBody,
  cpuTask,
  errorTest,
  hello,
  internalErrorBody,
  ioTask,
  item,
  notFoundBody,
  parseIntParam,
  queryValue,
  randomSleep,
  randomStatus,
  type FaultSource,
  type ServiceConfig,
} from '@lab/common';

/** The name this service answers with (its traces are named by OTEL_SERVICE_NAME). */
export const SERVICE = 'fastify';

interface ItemRoute {
  Params: { item_id: string };
  Querystring: { q?: string | string[] };
}

/**
 * An `onRoute` hook that applies the run-time faults (see @lab/common faults.ts) to every route: it wraps the
 * route's handler so that it first waits the added latency, then throws an injected error, which reaches the
 * error handler like any thrown error. Why not an `onRequest`/`preHandler` hook: @fastify/otel traces every
 * request hook as a span of its own, so with no fault set each request would carry one more span; a wrapped
 * handler adds none, and with no fault it calls the handler straight away.
 */
export function faultHook(faults: FaultSource): (route: RouteOptions) => void {
  return (route) => {
    const handler: RouteHandlerMethod = route.handler;
    const template = route.url;
    route.handler = function withFaults(request, reply) {
      const plan = faults.plan(template, request.headers['user-agent']);
      if (plan === undefined) return handler.call(this, request, reply);
      return applyFault(plan).then(() => handler.call(this, request, reply));
    };
  };
}

export interface AppOptions extends FastifyServerOptions {
  /** Run-time faults (npm run fault); none by default. */
  readonly faults?: FaultSource;
}

/** The Fastify app: routes, 404 handler and error handler. Listening is up to the caller. */
export function buildApp(config: ServiceConfig, options: AppOptions = {}): FastifyInstance {
  const { faults = NO_FAULTS, ...fastifyOptions } = options;
  const app = Fastify({ logger: { level: 'warn' }, ...fastifyOptions });

  // Before the routes: onRoute hooks see the routes declared after them.
  app.addHook('onRoute', faultHook(faults));

  app.get('/', () => hello(SERVICE));

  app.get<ItemRoute>('/items/:item_id', (request, reply) => {
    // Fastify's router lets a parameter match the empty string; the other two frameworks do not route /items/.
    if (request.params.item_id === '') {
      reply.callNotFound();
      return reply;
    }
    const itemId = parseIntParam('path', 'item_id', request.params.item_id);
    if (!itemId.ok) return reply.code(VALIDATION_STATUS).send(itemId.body);
    return item(itemId.value, queryValue(request.query.q));
  });

  app.get('/io_task', async () => ioTask());

  app.get('/cpu_task', () => cpuTask());

  app.get('/random_status', (_request, reply) => {
    const { status, body } = randomStatus();
    return reply.code(status).send(body);
  });

  app.get('/random_sleep', async () => randomSleep());

  app.get('/error_test', () => errorTest());

  app.get('/chain', async (_request, reply) => {
    const result = await chain({ config, service: SERVICE });
    return reply.code(result.status).send(result.body);
  });

  app.setNotFoundHandler((request, reply) => reply.code(404).send(notFoundBody(request.method, request.url)));

  // Errors thrown by a handler reach this handler; Fastify's own 4xx errors (bad request and the like)
  // keep their status. The error is logged here and recorded on the trace by the instrumentation.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send(clientErrorBody(error.message));
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(internalErrorBody());
  });

  return app;
}
