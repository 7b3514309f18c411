// What a check is, what it knows about the lab, and how checks run (with retries until a deadline).
import pRetry from 'p-retry';
import type { AppService, LabUrls } from './lab.ts';
import { ProbeError } from './http.ts';

/** The hops of the lab, in the order data flows; each check belongs to one. */
export const COMPONENTS = {
  services: { title: 'Services' },
  collector: { title: 'OpenTelemetry Collector' },
  tempo: { title: 'Tempo' },
  jaeger: { title: 'Jaeger' },
  prometheus: { title: 'Prometheus' },
  memory: { title: 'Memory limits' },
} as const;
export type Component = keyof typeof COMPONENTS;

export function isComponent(name: string): name is Component {
  return Object.hasOwn(COMPONENTS, name);
}

export type LabKind = 'compose' | 'native';

export interface LabContext {
  urls: LabUrls;
  /** The services each service's /chain calls, from compose (TARGET_ONE_SVC, TARGET_TWO_SVC). */
  chain: Record<AppService, AppService[]>;
  /** Components known to be absent, with the reason shown to the user. */
  skipped: ReadonlyMap<Component, string>;
  lab: LabKind;
  /** Where the native lab writes `<compose service>.log`, if known. */
  logDir: string | undefined;
  /** How far back "recent" reaches for traces, exemplars and the Monitor tab. */
  lookbackMs: number;
  now: () => number;
}

export interface Outcome {
  ok: boolean;
  /** What the check saw, e.g. "fastify 20 · nestjs 20 · express 20 traces". */
  figure: string;
  /** On failure: what to look at (container, log, config). */
  hint?: string;
}

export interface Check {
  id: string;
  component: Component;
  title: string;
  /** Other components this check reads from; it is skipped when one of them is. */
  needs?: readonly Component[];
  run: (ctx: LabContext) => Promise<Outcome>;
}

export type Status = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  check: Check;
  status: Status;
  figure: string;
  hint?: string;
  attempts: number;
}

// ---- hints ----

/** Where a component's logs are, for the lab at hand. */
export function logsOf(ctx: Pick<LabContext, 'lab' | 'logDir'>, ...services: string[]): string {
  if (ctx.lab === 'compose') return `docker compose logs ${services.join(' ')}`;
  if (ctx.logDir) return services.map((s) => `${ctx.logDir ?? ''}/${s}.log`).join(', ');
  return `the native lab's logs of ${services.join(', ')} (npm run native:up names the files)`;
}

/** The command that starts a stopped component again, for the lab at hand. */
export function startCommand(ctx: Pick<LabContext, 'lab'>, service: string): string {
  return ctx.lab === 'compose' ? `docker compose start ${service}` : `npm run native:start -- ${service}`;
}

/** The hint for a component that does not answer at all: how to check it, start it and read its logs. */
export function notUpHint(ctx: Pick<LabContext, 'lab' | 'logDir'>, service: string): string {
  return ctx.lab === 'compose'
    ? `is the ${service} container up? docker compose ps ${service}; start it: ${startCommand(ctx, service)}; ${logsOf(ctx, service)}`
    : `is ${service} running? start it: ${startCommand(ctx, service)}; ${logsOf(ctx, service)}`;
}

interface Endpoint {
  name: string;
  base: string;
  service: string;
  /** What it depends on for the data a URL asks for (its storage): an error answer may come from there. */
  storage?: (url: string) => string;
}

function endpoints(ctx: LabContext): Endpoint[] {
  const { urls } = ctx;
  return [
    ...Object.entries(urls.apps).map(([name, base]) => ({
      name: `the ${name} service`,
      base,
      service: name,
    })),
    {
      name: 'Jaeger query',
      base: urls.jaegerQuery,
      service: 'jaeger-query',
      // The Monitor tab's /api/metrics/* read Prometheus; traces and services come from Cassandra.
      storage: (url) => (new URL(url).pathname.startsWith('/api/metrics/') ? 'prometheus' : 'cassandra'),
    },
    {
      name: 'Jaeger collector',
      base: urls.jaegerCollectorHealth,
      service: 'jaeger-collector',
      // Its health turns bad when the Cassandra it writes to fails.
      storage: () => 'cassandra',
    },
    { name: 'Prometheus', base: urls.prometheus, service: 'prometheus' },
    { name: 'Tempo', base: urls.tempo, service: 'tempo' },
    { name: 'the collector’s metrics endpoint', base: urls.collectorMetrics, service: 'otel-collector' },
  ];
}

/** An error thrown by a check, as an outcome: the backend is named, with where to look. */
export function outcomeOfError(error: unknown, ctx: LabContext): Outcome {
  if (!(error instanceof ProbeError)) {
    return { ok: false, figure: `check crashed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const endpoint = endpoints(ctx).find((e) => hostOf(e.base) === hostOf(error.url));
  if (!endpoint) return { ok: false, figure: error.message };
  if (error.kind === 'refused' || error.kind === 'timeout' || error.kind === 'unreachable') {
    const what = {
      refused: 'refused the connection',
      timeout: 'did not answer in time',
      unreachable: 'could not be reached',
    };
    return {
      ok: false,
      figure: `${endpoint.name} at ${endpoint.base} ${what[error.kind]}`,
      hint: notUpHint(ctx, endpoint.service),
    };
  }
  const storage = endpoint.storage?.(error.url);
  if (storage === undefined) return { ok: false, figure: error.message, hint: logsOf(ctx, endpoint.service) };
  return {
    ok: false,
    figure: error.message,
    hint: `${endpoint.service} answers with an error from what it depends on: is ${storage} up? ${startCommand(ctx, storage)}; ${logsOf(ctx, endpoint.service, storage)}`,
  };
}

/** "127.0.0.1:16686" of http://127.0.0.1:16686/api/services or tcp://127.0.0.1:16686 */
function hostOf(url: string): string | undefined {
  return URL.parse(url)?.host;
}

// ---- running ----

class NotYet extends Error {
  readonly outcome: Outcome;
  constructor(outcome: Outcome) {
    super(outcome.figure);
    this.outcome = outcome;
  }
}

export interface RunOptions {
  /** Keep retrying failing checks until this long after the start (0: one attempt each). */
  waitMs: number;
  /** Pause between attempts of one check. */
  retryDelayMs?: number;
}

/** Runs one check: skipped if its component (or one it needs) is absent, retried until the deadline. */
export async function runCheck(check: Check, ctx: LabContext, options: RunOptions): Promise<CheckResult> {
  for (const component of [check.component, ...(check.needs ?? [])]) {
    const reason = ctx.skipped.get(component);
    if (reason !== undefined) {
      const figure =
        component === check.component ? reason : `needs ${COMPONENTS[component].title}: ${reason}`;
      return { check, status: 'skip', figure, attempts: 0 };
    }
  }
  let attempts = 0;
  const attempt = async (): Promise<Outcome> => {
    attempts += 1;
    let outcome: Outcome;
    try {
      outcome = await check.run(ctx);
    } catch (error) {
      outcome = outcomeOfError(error, ctx);
    }
    if (!outcome.ok) throw new NotYet(outcome);
    return outcome;
  };
  let outcome: Outcome;
  try {
    outcome = await pRetry(attempt, {
      retries: options.waitMs > 0 ? Number.POSITIVE_INFINITY : 0,
      maxRetryTime: options.waitMs,
      minTimeout: options.retryDelayMs ?? 3000,
      factor: 1,
    });
  } catch (error) {
    outcome = error instanceof NotYet ? error.outcome : outcomeOfError(error, ctx);
  }
  return {
    check,
    status: outcome.ok ? 'pass' : 'fail',
    figure: outcome.figure,
    ...(outcome.hint === undefined ? {} : { hint: outcome.hint }),
    attempts,
  };
}

/** Runs all checks at once and hands each result over in the checks' order as soon as it is known. */
export async function runChecks(
  checks: readonly Check[],
  ctx: LabContext,
  options: RunOptions,
  onResult: (result: CheckResult) => void,
): Promise<CheckResult[]> {
  const pending = checks.map((check) => runCheck(check, ctx, options));
  const results: CheckResult[] = [];
  for (const promise of pending) {
    const result = await promise;
    results.push(result);
    onResult(result);
  }
  return results;
}
