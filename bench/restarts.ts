// The restart matrix: under load, each component is stopped (SIGTERM and compose's grace, or SIGKILL: a crash),
// left down for a while and started again, the way a learner's `docker compose stop|kill` then `start` does.
// Around each restart a /chain request goes to the services at a steady rate with our own W3C traceparent (so
// every trace id is known); then, per restart:
//   - sent / answered (HTTP 200) /chain requests, and how many answered ones arrive complete (all three
//     services' spans, at least as many spans as a baseline /chain of that service) in Jaeger and in Tempo;
//   - whether span metrics (/chain calls) and service-graph edges move again in Prometheus, and after how long;
//   - which of verify's checks (run in-process, as `npm run verify` runs them) fail while the component is down,
//     and whether their figures or hints name it;
//   - how long after `native:start` began until every check passes again, with nothing else restarted.
// Used by the end-to-end test (test/e2e/6-restarts.test.ts, graceful stops) and `npm run bench` (both modes).
import { traceById as jaegerTraceById } from '../verify/apis/jaeger.ts';
import { instantQuery } from '../verify/apis/prometheus.ts';
import { traceById as tempoTraceById } from '../verify/apis/tempo.ts';
import { type CheckResult, runChecks } from '../verify/check.ts';
import { APP_SERVICES, type AppService, labUrls } from '../verify/lab.ts';
import { ALL_CHECKS, labContext, parseOptions } from '../verify/main.ts';
import { nativeLabUp } from '../verify/native-lab.ts';
import { readState } from '../native/lib/state.ts';
import { newTraceparent, pollUntil } from './freshness.ts';
import { runNative, sleep } from './lib/lab.ts';

/** What the issue asks to restart, in turn: the pipeline, both backends' parts, storage, metrics, one service. */
export const RESTART_COMPONENTS = [
  'otel-collector',
  'tempo',
  'jaeger-collector',
  'jaeger-query',
  'cassandra',
  'prometheus',
  'express',
] as const;
export type RestartComponent = (typeof RESTART_COMPONENTS)[number];
/**
 * Why `component` cannot be restarted in this lab: native:up left it out (e.g. Tempo when no binary was supplied),
 * so stopping or starting it would fail. Undefined when it runs.
 */
export function restartSkipReason(
  component: RestartComponent,
  skipped: Readonly<Record<string, string>> = readState().skipped,
): string | undefined {
  const why = skipped[component];
  return why === undefined ? undefined : `${component} is not in this native lab: ${why}`;
}

/** `stop`: SIGTERM and compose's 10 s grace (`docker compose stop`); `kill`: SIGKILL (`docker compose kill`). */
export type RestartMode = 'stop' | 'kill';

export interface RestartPlan {
  /** How long the component stays down. */
  downMs: number;
  /** One /chain every this often, round robin over the three services. */
  everyMs: number;
  /** Sending starts this long before the stop... */
  leadMs: number;
  /** ...and goes on this long after the start returned (the component ready). */
  tailMs: number;
  /** Give up waiting for verify to pass again / for metrics to move after this long from the start. */
  greenTimeoutMs: number;
  /** How long the counting waits for the last traces to arrive complete, per backend. */
  countTimeoutMs: number;
}

export const E2E_PLAN: RestartPlan = {
  downMs: 20_000,
  everyMs: 1_000,
  leadMs: 3_000,
  tailMs: 10_000,
  greenTimeoutMs: 180_000,
  countTimeoutMs: 45_000,
};

export interface RestartRow {
  component: RestartComponent;
  mode: RestartMode;
  /** /chain requests sent over the window, and how many were answered 200 (the others count as refused). */
  sent: number;
  answered: number;
  /** Answered traces found complete in each backend; tempo is undefined when the lab runs no Tempo. */
  jaeger: number;
  tempo: number | undefined;
  /** Of the answered traces not found complete, how many were sent before the stop, while down, after the start. */
  lostByWindow: Record<'jaeger' | 'tempo', Record<Window, number>>;
  /** `native:start`'s own time until the component answered its readiness check. */
  startMs: number;
  /** From the start until the counter moved again (Infinity: not within greenTimeoutMs). */
  metricsMs: number;
  edgesMs: number;
  /** verify's failing checks while the component was down: `id: figure`. */
  redWhileDown: string[];
  /** Whether a failing check's figure or hint names the component. */
  namedWhileDown: boolean;
  /** From the start until every verify check passed (Infinity: not within greenTimeoutMs). */
  greenMs: number;
  /** The checks still failing at the last attempt when green was not reached. */
  stillFailing: string[];
}

export function lostIn(row: RestartRow, backend: 'jaeger' | 'tempo'): number | undefined {
  const got = row[backend];
  return got === undefined ? undefined : row.answered - got;
}

/** Where in the restart a request was sent. */
export type Window = 'before' | 'down' | 'after';

export interface Sent {
  root: AppService;
  window: Window;
  traceId: string;
  status: number | 'refused';
}

/** A /chain of `root` in a new trace of ours; its status, or 'refused' when the service did not answer. */
async function sendChain(root: AppService, sent: Sent[], window: Window = 'before'): Promise<void> {
  const { traceId, header } = newTraceparent();
  const entry: Sent = { root, window, traceId, status: 'refused' };
  sent.push(entry);
  try {
    const res = await fetch(`${labUrls().apps[root]}/chain`, {
      headers: { traceparent: header },
      signal: AbortSignal.timeout(15_000),
    });
    await res.body?.cancel();
    entry.status = res.status;
  } catch {
    // connection refused or timed out: the trace is not expected anywhere
  }
}

/** Sends a /chain every `everyMs` (without waiting for the answer) until stopped; resolves with what it sent. */
function steadyChains(
  everyMs: number,
  send: RestartOps['send'],
): { stop: () => Promise<Sent[]>; window: (w: Window) => void } {
  const sent: Sent[] = [];
  const inFlight: Promise<void>[] = [];
  const state: { running: boolean; window: Window } = { running: true, window: 'before' };
  const loop = (async () => {
    for (let i = 0; state.running; i += 1) {
      inFlight.push(send(APP_SERVICES[i % APP_SERVICES.length] ?? 'fastify', sent, state.window));
      await sleep(everyMs);
    }
  })();
  return {
    window: (w) => {
      state.window = w;
    },
    stop: async () => {
      state.running = false;
      await loop;
      await Promise.all(inFlight);
      return sent;
    },
  };
}

type Lookup = (traceId: string) => Promise<{ services: readonly string[]; spans: number } | undefined>;

const lookups: Record<'jaeger' | 'tempo', Lookup> = {
  jaeger: (traceId) => jaegerTraceById(labUrls().jaegerQuery, traceId),
  tempo: (traceId) => tempoTraceById(labUrls().tempo, traceId),
};

function isComplete(
  trace: { services: readonly string[]; spans: number } | undefined,
  spans: number,
): boolean {
  return trace !== undefined && APP_SERVICES.every((s) => trace.services.includes(s)) && trace.spans >= spans;
}

/**
 * The span count of a whole /chain trace of each service: one /chain each, read back from Jaeger once it holds all
 * three services and no span was added for 6 s (Jaeger writes a batch's spans one by one).
 */
export async function chainBaseline(timeoutMs = 90_000): Promise<Record<AppService, number>> {
  const entries = await Promise.all(
    APP_SERVICES.map(async (root) => {
      // A /chain under load can fail on its own (a hop over CHAIN_TIMEOUT_MS): up to three tries for one that
      // answers 200, the only kind whose span count is the baseline.
      const sent: Sent[] = [];
      while (sent.length < 3 && sent.at(-1)?.status !== 200) await sendChain(root, sent);
      const last = sent.at(-1);
      if (last?.status !== 200)
        throw new Error(
          `baseline: ${root} /chain answered ${sent.map((s) => String(s.status)).join(', ')} in ${String(sent.length)} tries`,
        );
      const traceId = last.traceId;
      const deadline = Date.now() + timeoutMs;
      let spans = -1;
      let since = Date.now();
      while (Date.now() < deadline) {
        const trace = await lookups.jaeger(traceId).catch(() => undefined);
        if (isComplete(trace, 0) && trace !== undefined) {
          if (trace.spans !== spans) [spans, since] = [trace.spans, Date.now()];
          else if (Date.now() - since >= 6_000) return [root, spans] as const;
        }
        await sleep(1_000);
      }
      throw new Error(
        `baseline: ${root} /chain trace ${traceId} not settled in Jaeger within ${String(timeoutMs / 1000)}s`,
      );
    }),
  );
  return Object.fromEntries(entries) as Record<AppService, number>;
}

/** How many of `traces` a backend holds complete, each looked up until it is or the shared deadline passes. */
async function countComplete(
  lookup: Lookup,
  traces: readonly Sent[],
  baseline: Record<AppService, number>,
  timeoutMs: number,
): Promise<Sent[]> {
  const deadline = Date.now() + timeoutMs;
  const complete: Sent[] = [];
  for (const t of traces) {
    for (;;) {
      if (isComplete(await lookup(t.traceId).catch(() => undefined), baseline[t.root])) {
        complete.push(t);
        break;
      }
      if (Date.now() > deadline) break;
      await sleep(2_000);
    }
  }
  return complete;
}

/**
 * verify's checks as `npm run verify` runs them beside the native lab, one attempt each: it sees the lab by its
 * state file (its logs for the hints, what native:up left out skipped with the reason).
 */
async function verifyOnce(): Promise<CheckResult[]> {
  const options = parseOptions(['--lab', 'native'], {}, nativeLabUp());
  if (options === 'help') throw new Error('unreachable');
  return runChecks(ALL_CHECKS, labContext(options), { waitMs: 0 }, () => undefined);
}

const failing = (results: readonly CheckResult[]): CheckResult[] =>
  results.filter((r) => r.status === 'fail');

/**
 * From `t0` (performance.now()) until `moved` says yes, every 2 s; Infinity after `timeoutMs` or once `signal`
 * aborts. Errors count as not yet.
 */
async function msUntil(
  t0: number,
  timeoutMs: number,
  moved: () => Promise<boolean>,
  signal: AbortSignal,
): Promise<number> {
  return (await pollUntil(moved, t0, t0 + timeoutMs, 2_000, signal)).ms;
}

/** A Prometheus sum that must go up from its first reading after the start (a restarted collector resets it). */
function counterMoves(query: string): () => Promise<boolean> {
  let first: number | undefined;
  return async () => {
    const value = (await instantQuery(labUrls().prometheus, query))[0]?.value ?? 0;
    if (first === undefined) {
      first = value;
      return false;
    }
    return value > first;
  };
}

/**
 * From t0 on: when span metrics of /chain and service-graph edges move again, and when verify is all green. All
 * three stop when `signal` aborts (a row that failed), so no poller outlives its row.
 */
function watchRecovery(
  t0: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<[number, number, { ms: number; last: CheckResult[] }]> {
  return Promise.all([
    msUntil(t0, timeoutMs, counterMoves(CHAIN_CALLS), signal),
    msUntil(t0, timeoutMs, counterMoves(EDGES), signal),
    (async () => {
      let last: CheckResult[] = [];
      const ms = await msUntil(
        t0,
        timeoutMs,
        async () => {
          last = failing(await verifyOnce());
          return last.length === 0;
        },
        signal,
      );
      return { ms, last };
    })(),
  ]);
}

const CHAIN_CALLS =
  'sum(traces_span_metrics_calls_total{span_name="GET /chain", span_kind="SPAN_KIND_SERVER"})';
const EDGES = 'sum(traces_service_graph_request_total)';

async function nativeScript(script: 'stop' | 'start', args: string[], logName: string): Promise<number> {
  const r = await runNative(script, args, { logName });
  if (r.code !== 0)
    throw new Error(`native:${script} ${args.join(' ')} failed (log ${r.log}): ${r.output.trim()}`);
  return r.ms;
}

/** What a restart row does to the lab: the real lab's scripts and /chain calls; a unit test's stand-ins. */
export interface RestartOps {
  /** native:stop or native:start; its time in ms, or it throws naming the log. */
  script: (script: 'stop' | 'start', args: string[], logName: string) => Promise<number>;
  /** One /chain of `root` in a trace of ours, recorded in `sent` with its status. */
  send: (root: AppService, sent: Sent[], window: Window) => Promise<void>;
}

const LIVE_OPS: RestartOps = { script: nativeScript, send: sendChain };

/** One restart of the matrix; `say` reports its progress. */
export async function measureRestart(
  component: RestartComponent,
  mode: RestartMode,
  plan: RestartPlan,
  baseline: Record<AppService, number>,
  say: (line: string) => void = () => undefined,
  ops: RestartOps = LIVE_OPS,
): Promise<RestartRow> {
  const name = `${component}-${mode}`;
  const chains = steadyChains(plan.everyMs, ops.send);
  const rowFailed = new AbortController();
  let startMs = 0;
  let started = 0;
  let redWhileDown: CheckResult[];
  let recovery: ReturnType<typeof watchRecovery> | undefined;
  let sent: Sent[];
  try {
    await sleep(plan.leadMs);
    chains.window('down'); // from the moment the stop is asked for
    await ops.script('stop', [...(mode === 'kill' ? ['--kill'] : []), component], `restart-${name}-stop`);
    const downUntil = Date.now() + plan.downMs;
    await sleep(Math.min(5_000, plan.downMs / 4)); // what verify sees once the outage is a few seconds old
    redWhileDown = failing(await verifyOnce());
    say(`  ${name}: down; verify fails ${String(redWhileDown.length)} check(s)`);
    await sleep(downUntil - Date.now());
    started = performance.now();
    startMs = await ops.script('start', [component], `restart-${name}-start`);
    chains.window('after'); // once the component is ready again
    // Watched from the start on, while the tail's /chain calls go on: their times are not floored by the tail.
    recovery = watchRecovery(started, plan.greenTimeoutMs, rowFailed.signal);
    await sleep(plan.tailMs);
  } catch (err) {
    rowFailed.abort(); // the recovery pollers end at their next poll
    throw err;
  } finally {
    // Whatever happened, this row's steady /chain calls end here: a row that throws must not leave them running
    // (they would keep the test file's process alive).
    sent = await chains.stop();
    // a failed stop or start leaves the component running for the next row (a no-op when it runs)
    if (started === 0 || startMs === 0) {
      await ops.script('start', [component], `restart-${name}-rescue`).catch((err: unknown) => {
        say(`  ${name}: the rescue start failed too: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
    if (rowFailed.signal.aborted) await recovery;
  }
  const [metricsMs, edgesMs, green] = await recovery;
  const tempoRuns = readState().skipped.tempo === undefined;
  const answered = sent.filter((s) => s.status === 200);
  const [jaeger, tempo] = await Promise.all([
    countComplete(lookups.jaeger, answered, baseline, plan.countTimeoutMs),
    tempoRuns ? countComplete(lookups.tempo, answered, baseline, plan.countTimeoutMs) : undefined,
  ]);
  const lostBy = (complete: readonly Sent[] | undefined): Record<Window, number> => {
    const lost = answered.filter((t) => complete !== undefined && !complete.includes(t));
    const count = (w: Window): number => lost.filter((t) => t.window === w).length;
    return { before: count('before'), down: count('down'), after: count('after') };
  };
  const describe = (r: CheckResult): string => `${r.check.id}: ${r.figure}`;
  const row: RestartRow = {
    component,
    mode,
    sent: sent.length,
    answered: answered.length,
    jaeger: jaeger.length,
    tempo: tempo?.length,
    lostByWindow: { jaeger: lostBy(jaeger), tempo: lostBy(tempo) },
    startMs,
    metricsMs,
    edgesMs,
    redWhileDown: redWhileDown.map(describe),
    namedWhileDown: redWhileDown.some((r) => `${r.figure} ${r.hint ?? ''}`.includes(component)),
    greenMs: green.ms,
    stillFailing: Number.isFinite(green.ms) ? [] : green.last.map(describe),
  };
  say(`  ${name}: ${describeRow(row)}`);
  return row;
}

const seconds = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(0)} s` : 'never');

/** "2 before the stop, 30 while down, 0 after the start" */
export function lostWindows(lost: Record<Window, number>): string {
  return `${String(lost.before)} before the stop, ${String(lost.down)} while down, ${String(lost.after)} after the start`;
}

/** One line of figures, for logs. */
export function describeRow(row: RestartRow): string {
  return (
    `sent ${String(row.sent)}, answered ${String(row.answered)}, complete in Jaeger ${String(row.jaeger)}` +
    ` (lost ${lostWindows(row.lostByWindow.jaeger)})` +
    `, in Tempo ${row.tempo === undefined ? 'n/a' : `${String(row.tempo)} (lost ${lostWindows(row.lostByWindow.tempo)})`}; metrics again after ${seconds(row.metricsMs)}` +
    `, edges ${seconds(row.edgesMs)}; verify ${row.redWhileDown.length > 0 ? `red (${row.namedWhileDown ? 'naming' : 'not naming'} ${row.component})` : 'green'} while down` +
    `, green ${seconds(row.greenMs)} after the start${row.stillFailing.length > 0 ? ` (still failing: ${row.stillFailing.join('; ')})` : ''}`
  );
}
