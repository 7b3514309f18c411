import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  VALIDATION_STATUS,
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
  type ServiceConfig,
} from '@lab/common';

/** The name this service answers with (its traces are named by OTEL_SERVICE_NAME). */
export const SERVICE = 'fastify';

interface ItemRoute {
  Params: { item_id: string };
  Querystring: { q?: string | string[] };
}

/** The Fastify app: routes, 404 handler and error handler. Listening is up to the caller. */
export function buildApp(config: ServiceConfig, options: FastifyServerOptions = {}): FastifyInstance {
  const app = Fastify({ logger: { level: 'warn' }, ...options });

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
    const result = await chain({ config });
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
