// Instrumentation overhead: each service started twice next to the lab's own instance, in the same network
// namespace and from the same command line, environment and working dir as docker-compose.yaml gives it —
// once as is ("with": the auto-instrumentation preload, exporting over OTLP to the real collector) and once
// with the preloads removed ("without": `node dist/main.js`). autocannon drives the same load at both, in
// interleaved rounds (A B, B A, …) so drift of the shared 2-core machine hits both alike.
//
// Latency comes from autocannon's per-response event (its own histogram has 1 ms resolution, too coarse for
// `/`). Besides latency and throughput, each run records the CPU time the service process spent per request
// (/proc: load-independent) and the cores the telemetry pipeline (collector, Jaeger collector, Cassandra)
// used meanwhile: on this machine that CPU is taken from the same two cores.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { artifacts } from '../native/build.ts';
import { readCompose } from '../native/lib/compose.ts';
import { planService } from '../native/up.ts';
import { tcpConnect } from '../verify/http.ts';
import { APP_SERVICES, type AppService } from '../verify/lab.ts';
import { benchLogDir, cpuSecondsOf, labAddress, labProcesses, readProc, sleep } from './lib/lab.ts';
import { quantile } from './lib/stats.ts';

export type Variant = 'with' | 'without';

export interface Shape {
  id: string;
  label: string;
  path: string;
  connections: number;
  /** Requests per second over all connections; closed loop (as fast as answers come) when absent. */
  overallRate?: number;
}

export const SHAPES: readonly Shape[] = [
  { id: 'root-light', label: '`/` at 100 req/s', path: '/', connections: 2, overallRate: 100 },
  { id: 'root-sat', label: '`/`, 10 connections, closed loop', path: '/', connections: 10 },
  { id: 'chain', label: '`/chain`, 10 connections, closed loop', path: '/chain', connections: 10 },
];

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
  /** Cores used by the collector, the Jaeger collector and Cassandra during the run. */
  pipelineCores: number;
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

async function startInstance(service: AppService, variant: Variant): Promise<Instance> {
  const composeService = readCompose().services.find((s) => s.name === service);
  const address = labAddress(service);
  const plan = composeService === undefined ? undefined : planService(composeService, address, artifacts());
  if (plan === undefined) throw new Error(`${service}: no native plan`);
  const port = benchPort(Number(plan.env.PORT), variant);
  const args = variant === 'with' ? plan.args : withoutPreloads(plan.args);
  mkdirSync(benchLogDir, { recursive: true });
  const fd = openSync(path.join(benchLogDir, `overhead-${service}-${variant}.log`), 'w');
  const child = spawn('ip', ['netns', 'exec', plan.ns, plan.command, ...args], {
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
  const pipeline = new Set(['otel-collector', 'jaeger-collector', 'cassandra']);
  return labProcesses()
    .filter((p) => pipeline.has(p.name))
    .map((p) => p.pid);
}

async function cannon(instance: Instance, shape: Shape, durationS: number, round: number): Promise<Run> {
  const latencies: number[] = [];
  const pipeline = pipelinePids();
  const cpu0 = readProc(instance.pid)?.cpuSeconds ?? Number.NaN;
  const pipe0 = cpuSecondsOf(pipeline);
  const t0 = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon(
      {
        url: instance.url + shape.path,
        connections: shape.connections,
        duration: durationS,
        timeout: 10,
        ...(shape.overallRate === undefined ? {} : { overallRate: shape.overallRate }),
      },
      (err: unknown, res: autocannon.Result) => {
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
  return {
    round,
    variant: instance.variant,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    rps: latencies.length / result.duration,
    requests: latencies.length,
    bad: result.errors + result.timeouts + result.non2xx,
    cpuUsPerRequest: latencies.length === 0 ? Number.NaN : (cpu * 1e6) / latencies.length,
    pipelineCores: (cpuSecondsOf(pipeline) - pipe0) / seconds,
  };
}

export async function measureOverhead(
  opts: OverheadOptions,
  log: (line: string) => void,
): Promise<OverheadCell[]> {
  const cells: OverheadCell[] = [];
  for (const service of APP_SERVICES) {
    const instances = [await startInstance(service, 'with'), await startInstance(service, 'without')];
    try {
      const serviceCells = opts.shapes.map((shape) => ({ service, shape, runs: [] as Run[] }));
      cells.push(...serviceCells);
      // Warm-up (discarded): JIT, connection pools, the OTLP exporter's connection.
      for (const cell of serviceCells)
        for (const instance of instances) await cannon(instance, cell.shape, opts.warmupS, 0);
      for (let round = 1; round <= opts.rounds; round += 1) {
        const order = round % 2 === 1 ? instances : [...instances].reverse();
        for (const cell of serviceCells) {
          for (const instance of order) {
            const run = await cannon(instance, cell.shape, opts.durationS, round);
            cell.runs.push(run);
            if (run.bad > 0)
              log(`    ! ${service} ${cell.shape.path} (${run.variant}): ${String(run.bad)} failed requests`);
          }
        }
        log(`    ${service}: round ${String(round)}/${String(opts.rounds)} done`);
      }
    } finally {
      for (const instance of instances) await stopInstance(instance);
    }
  }
  return cells;
}
