import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
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
export const SERVICE = 'express';

export interface AppOptions {
  /** Where unhandled errors are logged (tests silence it). */
  readonly logError?: (message: string, error: unknown) => void;
}

/** The Express app: routes, then the 404 fallthrough, then the error handler. Listening is up to the caller. */
export function buildApp(config: ServiceConfig, options: AppOptions = {}): Express {
  const logError =
    options.logError ??
    ((message: string, error: unknown) => {
      console.error(message, error);
    });
  const app = express();
  app.disable('x-powered-by');

  app.get('/', (_request, response) => {
    response.json(hello(SERVICE));
  });

  app.get('/items/:item_id', (request, response) => {
    const itemId = parseIntParam('path', 'item_id', request.params.item_id);
    if (!itemId.ok) {
      response.status(VALIDATION_STATUS).json(itemId.body);
      return;
    }
    response.json(item(itemId.value, queryValue(request.query.q)));
  });

  // Express 5 passes a rejected promise of a handler on to the error handler, like a throw.
  app.get('/io_task', async (_request, response) => {
    response.json(await ioTask());
  });

  app.get('/cpu_task', (_request, response) => {
    response.json(cpuTask());
  });

  app.get('/random_status', (_request, response) => {
    const { status, body } = randomStatus();
    response.status(status).json(body);
  });

  app.get('/random_sleep', async (_request, response) => {
    response.json(await randomSleep());
  });

  app.get('/error_test', () => {
    errorTest();
  });

  app.get('/chain', async (_request, response) => {
    const result = await chain({ config });
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
