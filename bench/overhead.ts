// Instrumentation overhead: each service started twice next to the lab's own instance, in the same network
// namespace and from the same command line, environment and working dir as docker-compose.yaml gives it —
// once as is ("with": the auto-instrumentation preload, exporting over OTLP to the real collector) and once
// with the preloads removed ("without": `node dist/main.js`). autocannon drives the same load at both, in
// interleaved rounds (A B, B A, …) so drift of the shared 2-core machine hits both alike.
//
// The service under test runs on a CPU of its own and autocannon, the pipeline and the rest of the lab on the
// other(s), for the whole phase (lib/cpu.ts): the figures are the service's own, not those of two cores shared
// with Cassandra. (The lab's own three services keep every CPU: `/chain` calls them; they are idle otherwise.)
//
// Latency comes from autocannon's per-response event (its own histogram has 1 ms resolution, too coarse for
// `/`). Besides latency and throughput, each run records the CPU time the service process spent per request
// (/proc: load-independent), the spans the collector accepted per request, and the cores the telemetry
// pipeline (collector, Jaeger collector, Cassandra) used meanwhile.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { artifacts } from '../native/build.ts';
import { loadCompose } from '../verify/compose.ts';
import { planService } from '../native/up.ts';
import { tcpConnect } from '../verify/http.ts';
import { APP_SERVICES, type AppService } from '../verify/lab.ts';
import { benchLogDir, cpuSecondsOf, labAddress, labPids, labProcesses, readProc, sleep } from './lib/lab.ts';
import { isolate, type CpuSplit, type Isolation } from './lib/cpu.ts';
import { quantile } from './lib/stats.ts';
import { collectorSnapshot, drainJaegerQueue } from './capacity.ts';

/** The SDK exports every OTEL_BSP_SCHEDULE_DELAY (1 s in compose): wait this long for a run's last spans. */
const EXPORT_SETTLE_MS = 1500;

export type Variant = 'with' | 'without';

export interface Shape {
  id: string;
  label: string;
  path: string;
  connections: number;
  /** Requests per second over all connections; closed loop (as fast as answers come) when absent. */
  overallRate?: number;
  /**
   * What the run tells: `latency` (the p50 target applies: the load leaves the service idle between requests),
   * or `throughput` (a closed loop that saturates the service's CPU, where latency is only connections ÷
   * throughput, so its ratio is the inverse of the throughput ratio and says nothing new).
   */
  judge: 'latency' | 'throughput';
}

export const SHAPES: readonly Shape[] = [
  {
    id: 'root-light',
    label: '`/` at 100 req/s',
    path: '/',
    connections: 2,
    overallRate: 100,
    judge: 'latency',
  },
  // Each request waits ~1.1 s downstream (`/io_task` sleeps 1 s). An open loop at a few requests per second: a
  // closed loop of 10 connections would send 10 `/cpu_task` hops at once to one downstream service, and its queue
  // would decide the latency.
  {
    id: 'chain',
    label: '`/chain` at 4 req/s',
    path: '/chain',
    connections: 10,
    overallRate: 4,
    judge: 'latency',
  },
  // Measured after every light load (measureOverhead): it floods the pipeline with more spans than Jaeger stores.
  {
    id: 'root-sat',
    label: '`/`, 10 connections, closed loop',
    path: '/',
    connections: 10,
    judge: 'throughput',
  },
];

/**
 * Before each light round, wait up to this long for the collector's Jaeger queue to empty. Short: with the pipeline
 * on one CPU (the other is the service's) the queue the warm-up filled can take minutes, and a queue that is not
 * empty costs the service nothing (the collector accepts its spans all the same; the table counts refusals).
 */
export const DRAIN_MS = 20_000;

/** The warm-up before a service's rounds: enough requests for V8 to optimise the handler's path. */
export const WARMUP: Shape = {
  id: 'warmup',
  label: 'warm-up',
  path: '/',
  connections: 4,
  overallRate: 500,
  judge: 'latency',
};

export interface Run {
  round: number;
  variant: Variant;
  p50: number;
  p99: number;
  /** Answered requests per second. */
  rps: number;
  requests: number;
  /** Errors, timeouts and non-2xx answers. */
  bad: number;
  /** CPU time of the service process per request, microseconds. */
  cpuUsPerRequest: number;
  /** Cores the service process used during the run (near 1 = its CPU was saturated). */
  serviceCores: number;
  /** Cores used by the collector, the Jaeger collector and Cassandra during the run. */
  pipelineCores: number;
  /** Spans the collector accepted during the run (and the SDK's next export) per answered request. */
  spansPerRequest: number;
  /** Spans the collector's receiver refused meanwhile (memory_limiter: the pipeline could not keep up). */
  refusedSpans: number;
}

export interface OverheadCell {
  service: AppService;
  shape: Shape;
  runs: Run[];
}

export interface OverheadOptions {
  rounds: number;
  durationS: number;
  warmupS: number;
  shapes: readonly Shape[];
}

/** The command without its preloads (`--require x`, `-r x`, `--import x`, `--require=x`): plain `node dist/main.js`. */
export function withoutPreloads(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--require' || arg === '-r' || arg === '--import') i += 1;
    else if (!arg.startsWith('--require=') && !arg.startsWith('--import=')) out.push(arg);
  }
  return out;
}

/** Ports of the bench's instances: the service's own port + 10000 (with) or + 20000 (without). */
export function benchPort(servicePort: number, variant: Variant): number {
  return servicePort + (variant === 'with' ? 10_000 : 20_000);
}

interface Instance {
  variant: Variant;
  url: string;
  pid: number;
  child: ChildProcess;
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return tcpConnect(host, port, 1000).then(
    () => true,
    () => false,
  );
}

async function startInstance(
  service: AppService,
  variant: Variant,
  prefix: readonly string[],
): Promise<Instance> {
  const composeService = loadCompose().services[service];
  const address = labAddress(service);
  const plan = composeService === undefined ? undefined : planService(composeService, address, artifacts());
  if (plan === undefined) throw new Error(`${service}: no native plan`);
  const port = benchPort(Number(plan.env.PORT), variant);
  const args = variant === 'with' ? plan.args : withoutPreloads(plan.args);
  mkdirSync(benchLogDir, { recursive: true });
  const fd = openSync(path.join(benchLogDir, `overhead-${service}-${variant}.log`), 'w');
  const child = spawn('ip', ['netns', 'exec', plan.ns, ...prefix, plan.command, ...args], {
    cwd: plan.cwd,
    env: { ...plan.env, PORT: String(port) },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${service} (${variant}): could not start`);
  const deadline = Date.now() + 30_000;
  while (!(await tcpOpen(address, port))) {
    if (child.exitCode !== null)
      throw new Error(`${service} (${variant}) exited with ${String(child.exitCode)}`);
    if (Date.now() > deadline)
      throw new Error(`${service} (${variant}) not listening on ${String(port)} after 30s`);
    await sleep(250);
  }
  return { variant, url: `http://${address}:${String(port)}`, pid: child.pid, child };
}

async function stopInstance(instance: Instance): Promise<void> {
  if (instance.child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) =>
    instance.child.once('exit', () => {
      resolve();
    }),
  );
  instance.child.kill('SIGTERM');
  const timer = setTimeout(() => instance.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function pipelinePids(): number[] {
  return labPids(['otel-collector', 'jaeger-collector', 'cassandra']);
}

async function cannon(
  instance: Instance,
  shape: Shape,
  durationS: number,
  round: number,
  isolation: Isolation | undefined,
): Promise<Run> {
  const latencies: number[] = [];
  const pipeline = pipelinePids();
  const cpu0 = readProc(instance.pid)?.cpuSeconds ?? Number.NaN;
  const pipe0 = cpuSecondsOf(pipeline);
  const spans0 = await collectorSnapshot();
  // A light load leaves the load generator idle between requests: then it may run in real time, so that it reads
  // each answer when it arrives, not when the pipeline's threads on its CPU let it.
  const realtime = shape.judge === 'latency' && isolation !== undefined;
  if (realtime) isolation.realtime(true);
  const t0 = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const settled = (): void => {
      if (realtime) isolation.realtime(false);
    };
    const run = autocannon(
      {
        url: instance.url + shape.path,
        connections: shape.connections,
        duration: durationS,
        timeout: 10,
        ...(shape.overallRate === undefined ? {} : { overallRate: shape.overallRate }),
      },
      (err: unknown, res: autocannon.Result) => {
        settled();
        if (err !== null && err !== undefined) reject(new Error('autocannon failed', { cause: err }));
        else resolve(res);
      },
    );
    run.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (readProc(instance.pid)?.cpuSeconds ?? Number.NaN) - cpu0;
  const pipelineCores = (cpuSecondsOf(pipeline) - pipe0) / seconds;
  // Only the instance under test sends spans now (the lab's load is stopped, "without" sends none).
  if (instance.variant === 'with') await sleep(EXPORT_SETTLE_MS);
  const spans1 = await collectorSnapshot();
  return {
    round,
    variant: instance.variant,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    rps: latencies.length / result.duration,
    requests: latencies.length,
    bad: result.errors + result.timeouts + result.non2xx,
    cpuUsPerRequest: latencies.length === 0 ? Number.NaN : (cpu * 1e6) / latencies.length,
    serviceCores: cpu / seconds,
    pipelineCores,
    spansPerRequest:
      latencies.length === 0 ? Number.NaN : (spans1.accepted - spans0.accepted) / latencies.length,
    refusedSpans: spans1.refused - spans0.refused,
  };
}

export interface Overhead {
  cells: OverheadCell[];
  /** How the CPUs were split (undefined on a one-CPU machine: no isolation). */
  cpus: CpuSplit | undefined;
}

/**
 * Two passes over the services: first the loads the p50 target is judged on, each round after the Jaeger queue
 * had up to DRAIN_MS to empty; then the saturating loads, whose "with" runs flood the pipeline for minutes (so
 * nothing is measured after them).
 */
export async function measureOverhead(opts: OverheadOptions, log: (line: string) => void): Promise<Overhead> {
  const cells: OverheadCell[] = [];
  // The lab's own services keep all CPUs: `/chain` calls them, and they are idle otherwise.
  const apps = new Set<string>(APP_SERVICES);
  const isolation = isolate(
    labProcesses()
      .filter((p) => !apps.has(p.name))
      .map((p) => p.pid),
  );
  if (isolation === undefined) log('    ! one CPU: the service under test shares it with the pipeline');
  else
    log(
      `    service under test on CPU ${String(isolation.split.service)}; bench and lab on CPU ${isolation.split.rest}`,
    );
  // Both instances of every service start once, warm up, and stay up for both passes (idle in between).
  const pairs = new Map<AppService, Instance[]>();
  try {
    for (const service of APP_SERVICES) {
      const pair = [
        await startInstance(service, 'with', isolation?.prefix ?? []),
        await startInstance(service, 'without', isolation?.prefix ?? []),
      ];
      pairs.set(service, pair);
      // Warm-up (discarded): V8 compiles the request path only after some thousands of requests (at 100 req/s
      // a short warm-up leaves it interpreted), and the OTLP exporter opens its connection.
      for (const instance of pair) await cannon(instance, WARMUP, opts.warmupS, 0, undefined);
    }
    for (const judge of ['latency', 'throughput'] as const) {
      const shapes = opts.shapes.filter((shape) => shape.judge === judge);
      for (const [service, pair] of shapes.length === 0 ? [] : pairs)
        await measureService(service, pair, isolation, { ...opts, shapes }, cells, log);
    }
  } finally {
    for (const instance of [...pairs.values()].flat()) await stopInstance(instance);
    isolation?.restore();
  }
  return { cells, cpus: isolation?.split };
}

/** `rounds` interleaved rounds of every shape on one service's two instances; cells appended. */
async function measureService(
  service: AppService,
  instances: readonly Instance[],
  isolation: Isolation | undefined,
  opts: OverheadOptions,
  cells: OverheadCell[],
  log: (line: string) => void,
): Promise<void> {
  const serviceCells = opts.shapes.map((shape) => ({ service, shape, runs: [] as Run[] }));
  cells.push(...serviceCells);
  const saturating = opts.shapes.some((shape) => shape.judge === 'throughput');
  for (let round = 1; round <= opts.rounds; round += 1) {
    // Saturating rounds flood the pipeline whatever it was doing before: no use waiting for it.
    if (!saturating && !(await drainJaegerQueue(DRAIN_MS)))
      log(
        `    ${service} round ${String(round)}: the Jaeger queue still holds spans after ${String(DRAIN_MS / 1000)} s`,
      );
    const order = round % 2 === 1 ? instances : [...instances].reverse();
    for (const cell of serviceCells) {
      for (const instance of order) {
        const run = await cannon(instance, cell.shape, opts.durationS, round, isolation);
        cell.runs.push(run);
        if (run.bad > 0)
          log(`    ! ${service} ${cell.shape.path} (${run.variant}): ${String(run.bad)} failed requests`);
      }
    }
    log(`    ${service}: round ${String(round)}/${String(opts.rounds)} done`);
  }
}
