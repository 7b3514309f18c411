// The lab's load plan as plain data and functions. k6 runs it (k6/load.ts) in the compose lab; the native lab's
// Node driver replays the same plan. So this module uses neither k6 nor Node APIs (no URL, no process, no k6/*).

/** One request of a loop, with the statuses that are correct for it. */
export interface PlannedRequest {
  /** Service name, taken from the target's host name (`http://nestjs:8080` -> `nestjs`). */
  readonly service: string;
  /** Full URL to GET. */
  readonly url: string;
  /** Low-cardinality name for metrics and tags: the route, e.g. `GET /items/:item_id`. */
  readonly name: string;
  /** Statuses the service answers by design; anything else is a failure. */
  readonly expectedStatuses: readonly number[];
}

interface Endpoint {
  readonly route: string;
  readonly path: (iteration: number) => string;
  readonly expectedStatuses: readonly number[];
}

/**
 * The endpoints every service has, in the order one loop calls them.
 * The first seven are the original lab's k6 loop. The two `/items` calls are added: they are the only route with
 * a path parameter (span names must stay `GET /items/:item_id` however many ids are used) and the only 4xx that a
 * service answers by design (422 for a non-integer id), which must not count as an error in span metrics.
 */
export const ENDPOINTS: readonly Endpoint[] = [
  { route: '/', path: () => '/', expectedStatuses: [200] },
  { route: '/io_task', path: () => '/io_task', expectedStatuses: [200] },
  { route: '/cpu_task', path: () => '/cpu_task', expectedStatuses: [200] },
  { route: '/random_status', path: () => '/random_status', expectedStatuses: [200, 300, 400, 500] },
  { route: '/random_sleep', path: () => '/random_sleep', expectedStatuses: [200] },
  { route: '/error_test', path: () => '/error_test', expectedStatuses: [500] },
  { route: '/chain', path: () => '/chain', expectedStatuses: [200] },
  // A different valid id each loop (1-100), so route templating is visible in Jaeger and Tempo.
  { route: '/items/:item_id', path: (i) => `/items/${String((i % 100) + 1)}?q=lab`, expectedStatuses: [200] },
  { route: '/items/:item_id', path: () => '/items/not-a-number', expectedStatuses: [422] },
];

/** Base URLs of the three services inside the compose network, in the original lab's order. */
export const DEFAULT_TARGETS = 'http://fastify:8000,http://nestjs:8080,http://express:3001';

/** Pause after each loop when PAUSE_SECONDS is not set (the original lab's 0.5 s). */
export const DEFAULT_PAUSE_SECONDS = 0.5;

const BASE_URL = /^https?:\/\/([A-Za-z0-9.-]+)(?::\d{1,5})?$/;

/**
 * Parses TARGETS: comma-separated base URLs (`http://host:port`, no path). Empty or missing means
 * DEFAULT_TARGETS. Throws, naming the variable and the bad entry, on anything else.
 */
export function parseTargets(value: string | undefined): readonly string[] {
  const raw = value === undefined || value.trim() === '' ? DEFAULT_TARGETS : value;
  const targets = raw
    .split(',')
    .map((entry) => entry.trim().replace(/\/+$/, ''))
    .filter((entry) => entry !== '');
  for (const target of targets) {
    if (!BASE_URL.test(target)) {
      throw new Error(`TARGETS: "${target}" is not a base URL like http://fastify:8000`);
    }
  }
  if (targets.length === 0) {
    throw new Error('TARGETS: no base URL given');
  }
  return targets;
}

/** Parses PAUSE_SECONDS (seconds, >= 0, may be fractional); missing or empty means DEFAULT_PAUSE_SECONDS. */
export function parsePauseSeconds(value: string | undefined): number {
  if (value === undefined || value.trim() === '') {
    return DEFAULT_PAUSE_SECONDS;
  }
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new Error(`PAUSE_SECONDS: "${value}" is not a number of seconds >= 0`);
  }
  return seconds;
}

/** The service a base URL points at: its host name (`http://nestjs:8080` -> `nestjs`). */
export function serviceOf(target: string): string {
  const match = BASE_URL.exec(target);
  if (match?.[1] === undefined) {
    throw new Error(`"${target}" is not a base URL like http://fastify:8000`);
  }
  return match[1];
}

/**
 * The requests of one loop (iteration counts from 0): every target, every endpoint, in order.
 * The caller sends them one after another, then pauses.
 */
export function planLoop(targets: readonly string[], iteration: number): readonly PlannedRequest[] {
  return targets.flatMap((target) =>
    ENDPOINTS.map((endpoint) => ({
      service: serviceOf(target),
      url: target + endpoint.path(iteration),
      name: `GET ${endpoint.route}`,
      expectedStatuses: endpoint.expectedStatuses,
    })),
  );
}
