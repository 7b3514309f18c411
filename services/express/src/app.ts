import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
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
export const SERVICE = 'express';

export interface AppOptions {
  /** Where unhandled errors are logged (tests silence it). */
  readonly logError?: (message: string, error: unknown) => void;
  /** Run-time faults (npm run fault); none by default. */
  readonly faults?: FaultSource;
}

/**
 * Route middleware that applies the run-time faults of the matched route (see @lab/common faults.ts): it waits
 * the added latency, then passes an injected error on to the error handler, as a throwing handler would.
 * It sits in each route's own stack, not in `app.use()`: there Express has matched the route (`req.route`), and
 * the zero-code instrumentation traces a route's stack as one `request handler` span, so with no fault set
 * the traces stay exactly as they were (an app-level middleware would add a span to every request).
 */
export function faultMiddleware(faults: FaultSource): RequestHandler {
  return function injectFaults(request, _response, next) {
    const route = (request.route as { path?: unknown } | undefined)?.path;
    const plan = faults.plan(typeof route === 'string' ? route : request.path, request.get('user-agent'));
    if (plan === undefined) {
      next();
      return;
    }
    applyFault(plan).then(() => {
      next();
    }, next);
  };
}

/** The Express app: routes, then the 404 fallthrough, then the error handler. Listening is up to the caller. */
export function buildApp(config: ServiceConfig, options: AppOptions = {}): Express {
  const logError =
    options.logError ??
    ((message: string, error: unknown) => {
      console.error(message, error);
    });
  const faults = faultMiddleware(options.faults ?? NO_FAULTS);
  const app = express();
  app.disable('x-powered-by');

  app.get('/', faults, (_request, response) => {
    response.json(hello(SERVICE));
  });

  app.get('/items/:item_id', faults, (request, response) => {
    const itemId = parseIntParam('path', 'item_id', request.params.item_id);
    if (!itemId.ok) {
      response.status(VALIDATION_STATUS).json(itemId.body);
      return;
    }
    response.json(item(itemId.value, queryValue(request.query.q)));
  });

  // Express 5 passes a rejected promise of a handler on to the error handler, like a throw.
  app.get('/io_task', faults, async (_request, response) => {
    response.json(await ioTask());
  });

  app.get('/cpu_task', faults, (_request, response) => {
    response.json(cpuTask());
  });

  app.get('/random_status', faults, (_request, response) => {
    const { status, body } = randomStatus();
    response.status(status).json(body);
  });

  app.get('/random_sleep', faults, async (_request, response) => {
    response.json(await randomSleep());
  });

  app.get('/error_test', faults, () => {
    errorTest();
  });

  app.get('/chain', faults, async (_request, response) => {
    const result = await chain({ config, service: SERVICE });
    response.status(result.status).json(result.body);
  });

  // No route matched: the last middleware answers 404.
  const notFound: RequestHandler = (request, response) => {
    response.status(404).json(notFoundBody(request.method, request.originalUrl));
  };
  app.use(notFound);

  // Errors thrown in (or rejected by) a handler land here; Express' own 4xx errors keep their status.
  const onError: ErrorRequestHandler = (error: unknown, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const status = httpStatusOf(error);
    if (status !== undefined && status >= 400 && status < 500) {
      response.status(status).json(clientErrorBody(error instanceof Error ? error.message : String(error)));
      return;
    }
    logError(`${SERVICE}: unhandled error on ${request.method} ${request.originalUrl}:`, error);
    response.status(500).json(internalErrorBody());
  };
  app.use(onError);

  return app;
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = status ?? statusCode;
  return typeof value === 'number' ? value : undefined;
}
