// What the end-to-end tests share: the running native lab (addresses from native:up's state file, published
// URLs from docker-compose.yaml), running the repo's npm scripts, polling until data shows up, the component
// logs' tails on failure, and small clients for Prometheus, Jaeger's query API and the collector's own metrics.
// The lab is started once for the whole run by global-setup.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, afterEach } from 'node:test';
import { parse } from 'yaml';
import { logDir, repoRoot, runRoot } from '../../native/lib/paths.ts';
import { addressOf, readState } from '../../native/lib/state.ts';
import { newTraceparent } from '../../bench/freshness.ts';
import { parseExposition, type Sample } from '../../verify/apis/prometheus.ts';
import { APP_SERVICES, labUrls, type AppService } from '../../verify/lab.ts';
import { endFileOnTime, waitingFor } from './waits.ts';

export { repoRoot };

/** Published URLs on 127.0.0.1, as a learner reaches them (read from docker-compose.yaml). */
export const urls = labUrls();

/** Set by global-setup.ts: when its background load started (ms). Absent when a file runs against a lab up by hand. */
export const LOAD_STARTED_ENV = 'E2E_LOAD_STARTED_MS';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- the lab ----

export { addressOf };

/** When this lab was started: queries look no further back, so data of earlier runs (kept volumes) never counts. */
export function labStartedMs(): number {
  return Date.parse(readState().started);
}

/** Set by global-setup.ts: the pid of its background load. */
export const LOAD_PID_ENV = 'E2E_LOAD_PID';

/** Throws when global-setup.ts started a background load that is no longer running. */
export function assertLoadRunning(): void {
  const pid = Number(process.env[LOAD_PID_ENV]);
  if (!Number.isInteger(pid)) return;
  try {
    process.kill(pid, 0);
  } catch {
    throw new Error(`the background load (pid ${String(pid)}) stopped early: see .native/logs/e2e-load.log`);
  }
}

/** Waits until the background load has run `ms` (no wait when the file runs against a lab started by hand). */
export async function loadRunningFor(ms: number): Promise<void> {
  const started = Number(process.env[LOAD_STARTED_ENV]);
  if (!Number.isFinite(started)) return;
  const left = started + ms - Date.now();
  if (left > 0) {
    console.log(`waiting ${String(Math.ceil(left / 1000))}s more for the load to warm the lab up`);
    await waitingFor('the background load to warm the lab up', sleep(left));
  }
}

/** `host:port` → port; for the `endpoint:` values of the repo's collector-style configs. */
function portOf(endpoint: unknown, where: string): number {
  const port = typeof endpoint === 'string' ? Number(endpoint.split(':').at(-1)) : NaN;
  if (!Number.isInteger(port)) throw new Error(`${where}: no port in ${JSON.stringify(endpoint)}`);
  return port;
}

function readYaml(file: string): Record<string, unknown> {
  return parse(readFileSync(path.join(repoRoot, file), 'utf8')) as Record<string, unknown>;
}

function at(value: unknown, ...keys: string[]): unknown {
  let v = value;
  for (const k of keys)
    v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** The OpenTelemetry Collector's ports, from otel-collector/config.yaml (none of them is published but 8889). */
export function collectorPorts(): { grpc: number; http: number; health: number; telemetry: number } {
  const file = 'otel-collector/config.yaml';
  const c = readYaml(file);
  const otlp = at(c, 'receivers', 'otlp', 'protocols');
  const reader = at(c, 'service', 'telemetry', 'metrics', 'readers');
  const telemetry = Array.isArray(reader)
    ? at(reader[0], 'pull', 'exporter', 'prometheus', 'port')
    : undefined;
  if (typeof telemetry !== 'number')
    throw new Error(`${file}: no pull reader port for the collector's own metrics`);
  return {
    grpc: portOf(at(otlp, 'grpc', 'endpoint'), file),
    http: portOf(at(otlp, 'http', 'endpoint'), file),
    health: portOf(at(c, 'extensions', 'health_check', 'endpoint'), file),
    telemetry,
  };
}

/** Jaeger's health port (healthcheckv2, /status), from jaeger/<role>.yaml. */
export function jaegerHealthPort(role: 'collector' | 'query'): number {
  const file = `jaeger/${role}.yaml`;
  return portOf(at(readYaml(file), 'extensions', 'healthcheckv2', 'http', 'endpoint'), file);
}

// ---- npm scripts ----

export interface RunResult {
  code: number | null;
  output: string;
}

/**
 * `npm run <script> -- <args>` in the repo, as a learner or CI runs it. Output is captured, and echoed line by
 * line with a prefix when `echo` is set (long steps show their progress). Killed (its process group) after
 * `timeoutMs`.
 */
export function npmRun(
  script: string,
  args: readonly string[] = [],
  opts: { echo?: boolean; timeoutMs?: number } = {},
): Promise<RunResult> {
  const command = `npm run ${script}${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
  return waitingFor(command, runScript(script, args, opts));
}

function runScript(
  script: string,
  args: readonly string[],
  opts: { echo?: boolean; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script, ...(args.length > 0 ? ['--', ...args] : [])], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timeout stops npm and what it started
    });
    let output = '';
    let partial = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output += text;
      if (opts.echo !== true) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) console.log(`  [${script}] ${line}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            output += `\n(e2e: killed after ${String(opts.timeoutMs)} ms)\n`;
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          }, opts.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (opts.echo === true && partial !== '') console.log(`  [${script}] ${partial}`);
      resolve({ code, output });
    });
  });
}

/** The services' poll period of the fault file, from the services' own module (services/common/src/faults.ts). */
const FAULTS_POLL_MS = (createRequire(import.meta.url)('@lab/common') as { FAULTS_POLL_MS: number })
  .FAULTS_POLL_MS;

/**
 * Until when a fault of a test may have been in force, kept in the run folder: each e2e file runs in a process of
 * its own, and a later file's "healthy lab" window must not reach back into it. It holds "on" while a fault a test
 * switched on may still be in force, then the time (ms since the epoch) clearFaults ended it.
 */
const LAST_FAULT_FILE = path.join(runRoot, 'e2e-last-fault-ms');
const FAULT_ON = 'on';

/** A new run starts with no fault on record (an interrupted run may have left one "on"). */
export function forgetFaults(): void {
  rmSync(LAST_FAULT_FILE, { force: true });
}

/** When the last fault ended: now while one is on, undefined when no test switched one on. */
function lastFaultEndMs(): number | undefined {
  if (!existsSync(LAST_FAULT_FILE)) return undefined;
  const text = readFileSync(LAST_FAULT_FILE, 'utf8').trim();
  return text === FAULT_ON ? Date.now() : Number(text);
}

/** `npm run fault -- <args>`, asserted to succeed. It only writes the file: the services follow within a poll. */
export async function fault(...args: string[]): Promise<void> {
  const { code, output } = await npmRun('fault', args, { timeoutMs: 30_000 });
  assert.equal(code, 0, `npm run fault -- ${args.join(' ')}:\n${output}`);
  if (args[0] !== 'clear' && args[0] !== 'list') writeFileSync(LAST_FAULT_FILE, FAULT_ON);
}

/**
 * `npm run fault -- clear`, then wait two of the services' poll periods: a test that runs next must not meet a
 * fault the services have not yet seen go. A fault that was on ended now; a clear with none on changes nothing.
 */
export async function clearFaults(): Promise<void> {
  await fault('clear');
  if (existsSync(LAST_FAULT_FILE) && readFileSync(LAST_FAULT_FILE, 'utf8').trim() === FAULT_ON)
    writeFileSync(LAST_FAULT_FILE, String(Date.now()));
  await sleep(2 * FAULTS_POLL_MS);
}

/**
 * Waits until no fault a test switched on (in this file or an earlier one) has been in force for `ms`: a window
 * of that length ending now then holds the healthy lab only.
 */
export async function noFaultFor(ms: number): Promise<void> {
  const ended = lastFaultEndMs();
  if (ended === undefined) return;
  const left = ended + ms - Date.now();
  if (left > 0) {
    console.log(
      `waiting ${String(Math.ceil(left / 1000))}s more: an earlier test's fault is inside the window`,
    );
    await waitingFor('the last fault to leave the window', sleep(left));
  }
}

// ---- logs ----

/** The last lines of every component's log (not the port forwarders'), for a failure report. */
export function logTails(lines = 25): string {
  if (!existsSync(logDir)) return `(no logs in ${logDir})`;
  return readdirSync(logDir)
    .filter((f) => f.endsWith('.log') && !f.startsWith('publish-'))
    .sort()
    .map((f) => {
      const text = readFileSync(path.join(logDir, f), 'utf8')
        .trimEnd()
        .split('\n')
        .slice(-lines)
        .map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l)); // JSON logs with stack traces
      return `--- ${path.relative(repoRoot, path.join(logDir, f))} (last ${String(lines)} lines)\n${text.join('\n')}`;
    })
    .join('\n');
}

/**
 * Registers hooks that print the component logs' tails once at the end of the file if any test failed, and
 * (waits.ts) what the file was still waiting for and a bound on how long its process may outlive its tests.
 */
export function printLogsOnFailure(): void {
  endFileOnTime();
  let failed = false;
  afterEach((t) => {
    // TestContext.passed exists since Node 21.7 / 20.12; @types/node 24.19 does not declare it yet.
    if ((t as { passed?: boolean }).passed === false) failed = true;
  });
  after(() => {
    if (failed) console.log(`\n===== a test failed: component logs =====\n${logTails()}\n=====`);
  });
}

// ---- polling ----

/**
 * Calls `fn` until it returns without throwing, every `intervalMs`, for at most `timeoutMs`; then fails
 * naming what it waited for, how long, and the last error.
 */
export function poll<T>(
  what: string,
  fn: () => Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  return waitingFor(what, pollFor(what, fn, opts));
}

async function pollFor<T>(
  what: string,
  fn: () => Promise<T>,
  { timeoutMs = 60_000, intervalMs = 2_000 }: { timeoutMs?: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      last = error;
    }
    if (Date.now() + intervalMs > deadline) break;
    await sleep(intervalMs);
  }
  const reason = last instanceof Error ? last.message : String(last);
  throw new Error(`${what}: not within ${String(timeoutMs / 1000)}s; last: ${reason}`, { cause: last });
}

// ---- HTTP ----

export async function getJson(url: string, timeoutMs = 15_000): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.text();
  if (!res.ok) throw new Error(`${url} answered ${String(res.status)}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as unknown;
}

function withParams(base: string, pathname: string, params: Record<string, string | number>): string {
  const url = new URL(pathname, base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  return url.toString();
}

/** GET <service>/chain with a new trace of our own; asserts it answered 200 and returns the trace id. */
export async function sendChain(service: AppService): Promise<string> {
  const { traceId, header: traceparent } = newTraceparent();
  const res = await fetch(`${urls.apps[service]}/chain`, {
    headers: { traceparent },
    signal: AbortSignal.timeout(15_000),
  });
  assert.equal(res.status, 200, `${service} /chain: ${await res.text()}`);
  return traceId;
}

// ---- Prometheus ----

export interface PromSeries {
  metric: Record<string, string>;
  values: number[];
}

async function prom(pathname: string, params: Record<string, string | number>): Promise<PromSeries[]> {
  const body = (await getJson(withParams(urls.prometheus, pathname, params))) as {
    status: string;
    data?: {
      resultType: string;
      result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[];
    };
    error?: string;
  };
  if (body.status !== 'success' || body.data === undefined)
    throw new Error(`Prometheus: ${body.error ?? body.status}`);
  return body.data.result.map((r) => ({
    metric: r.metric,
    values: (r.values ?? (r.value === undefined ? [] : [r.value])).map(([, v]) => Number(v)),
  }));
}

export function promInstant(query: string): Promise<PromSeries[]> {
  return prom('/api/v1/query', { query });
}

export function promRange(query: string, startMs: number, endMs: number, stepS = 15): Promise<PromSeries[]> {
  return prom('/api/v1/query_range', { query, start: startMs / 1000, end: endMs / 1000, step: stepS });
}

export async function promLabelValues(label: string, match: string, startMs: number): Promise<string[]> {
  const url = withParams(urls.prometheus, `/api/v1/label/${label}/values`, {
    'match[]': match,
    start: startMs / 1000,
  });
  const body = (await getJson(url)) as { status: string; data?: string[] };
  if (body.status !== 'success' || body.data === undefined) throw new Error(`Prometheus: ${body.status}`);
  return body.data;
}

/** Throws unless some series has a finite value: "returns data", as a Grafana panel shows it. */
export function assertHasData(series: readonly PromSeries[], what: string): void {
  const finite = series.flatMap((s) => s.values).filter(Number.isFinite);
  if (finite.length === 0) {
    throw new Error(
      `${what}: ${series.length === 0 ? 'no series' : `${String(series.length)} series, no finite value`}`,
    );
  }
}

// ---- Jaeger query API ----

export interface JaegerSpan {
  service: string;
  operation: string;
  durationUs: number;
  tags: Record<string, string>;
}

export interface JaegerTrace {
  traceId: string;
  spans: JaegerSpan[];
}

interface RawTrace {
  traceID: string;
  spans: {
    spanID: string;
    processID: string;
    operationName: string;
    duration: number;
    tags?: { key: string; value: unknown }[];
  }[];
  processes: Record<string, { serviceName: string }>;
}

/**
 * Jaeger's trace as the UI shows it: a span stored twice counts once (delivery is at least once: an export
 * that timed out is retried, though Jaeger may have stored the first attempt).
 */
function toTrace(raw: RawTrace): JaegerTrace {
  const seen = new Set<string>();
  const unique = raw.spans.filter((s) => !seen.has(s.spanID) && seen.add(s.spanID));
  return {
    traceId: raw.traceID,
    spans: unique.map((s) => ({
      service: raw.processes[s.processID]?.serviceName ?? '?',
      operation: s.operationName,
      durationUs: s.duration,
      tags: Object.fromEntries((s.tags ?? []).map((t) => [t.key, String(t.value)])),
    })),
  };
}

/** One trace by id, or undefined while Jaeger does not have it. */
export async function jaegerTrace(traceId: string): Promise<JaegerTrace | undefined> {
  const res = await fetch(new URL(`/api/traces/${traceId}`, urls.jaegerQuery), {
    signal: AbortSignal.timeout(15_000),
  });
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.ok) throw new Error(`Jaeger /api/traces/${traceId} answered ${String(res.status)}`);
  const body = (await res.json()) as { data?: RawTrace[] };
  const raw = body.data?.[0];
  return raw === undefined ? undefined : toTrace(raw);
}

/** Jaeger's trace search (`/api/traces`, the parameters of the UI's /search page). */
/**
 * Sends fastify's `/chain` in a new trace and waits until Jaeger holds spans of all three services, plus a few
 * seconds for a batch's last spans (Jaeger writes them to Cassandra one by one). Returns the trace id.
 */
export async function chainTraceInJaeger(): Promise<string> {
  const traceId = await sendChain('fastify');
  await allServicesInJaeger(traceId);
  await sleep(5_000);
  return traceId;
}

/** Polls until Jaeger returns the trace with spans of all three services. */
export async function allServicesInJaeger(traceId: string, timeoutMs = 90_000): Promise<void> {
  await poll(
    `trace ${traceId} in Jaeger with all three services`,
    async () => {
      const services = new Set((await jaegerTrace(traceId))?.spans.map((s) => s.service));
      const missing = APP_SERVICES.filter((s) => !services.has(s));
      if (missing.length > 0)
        throw new Error(`missing ${missing.join(', ')}; has ${[...services].join(', ') || 'none'}`);
    },
    { timeoutMs },
  );
}

export async function jaegerSearch(params: Record<string, string | number>): Promise<JaegerTrace[]> {
  const body = (await getJson(withParams(urls.jaegerQuery, '/api/traces', params), 30_000)) as {
    data?: RawTrace[] | null;
    errors?: { msg: string }[] | null;
  };
  if (body.errors !== undefined && body.errors !== null && body.errors.length > 0) {
    throw new Error(`Jaeger: ${body.errors.map((e) => e.msg).join('; ')}`);
  }
  return (body.data ?? []).map(toTrace);
}

/** `(service) operation` of every span, sorted: the shape of a trace, to compare two traces. */
export function traceShape(trace: JaegerTrace): string[] {
  return trace.spans.map((s) => `(${s.service}) ${s.operation}`).sort();
}

/** Jaeger's search time window in microseconds, from `fromMs` to now (plus a little clock margin). */
export function jaegerWindow(fromMs: number): { start: number; end: number } {
  return { start: fromMs * 1000, end: (Date.now() + 5_000) * 1000 };
}

// ---- the collector's own metrics ----

/** The collector's own telemetry, read straight from its namespace address (port 8888 is not published). */
export async function collectorMetrics(): Promise<Sample[]> {
  const url = `http://${addressOf('otel-collector')}:${String(collectorPorts().telemetry)}/metrics`;
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${url} answered ${String(res.status)}`);
  return parseExposition(await res.text());
}

/** Sum of a collector counter (with or without `_total`: the suffix depends on the collector release). */
export function counterValue(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  return samples
    .filter((s) => s.labels.__name__ === name || s.labels.__name__ === `${name}_total`)
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
