// Collector capacity: the highest span rate the lab's collector (otel-collector/config.yaml, unchanged)
// takes on this machine without refusing or dropping spans, as its own metrics (:8888) tell. telemetrygen,
// the OpenTelemetry project's load generator, sends OTLP/gRPC traces of lab-shaped spans (the services'
// resource and HTTP attributes) on the same machine, in steps of rising rate; a step holds when, over it and
// the seconds after:
//   - the receiver refused or failed no span (memory_limiter refusals show up here),
//   - the Jaeger exporter failed no send and dropped nothing from its queue (the path to Cassandra),
//   - that queue did not grow: over the step it grew by at most 2 s of the offered spans or one batch,
//     whichever is more (a queue that keeps growing drops spans once full: the Jaeger path falls behind),
//   - the collector accepted ≥ 95 % of the offered rate (else the collector pushed back or the generator ran
//     short of CPU: both mean the rate was not sustained here).
// The Tempo path (otlp_grpc/tempo) is reported but left out of the verdict, so the capacity is that of the
// receiver, the batch processor, span_metrics/service_graph and the Jaeger path.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { pin } from '../native/lib/env.ts';
import { cacheDir, repoRoot } from '../native/lib/paths.ts';
import { step } from '../native/lib/proc.ts';
import { parseExposition, type Sample } from '../verify/apis/prometheus.ts';
import { CONFIG } from '../verify/checks/common.ts';
import { getText } from '../verify/http.ts';
import { benchLogDir, cpuSecondsOf, labAddress, labPids, labProcesses, readProc, sleep } from './lib/lab.ts';

/** Pinned in .env beside the collector (whose own version's telemetrygen the Go proxy here refuses). */
export const TELEMETRYGEN_VERSION = pin('TELEMETRYGEN_VERSION');
const TELEMETRYGEN_MODULE = 'github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen';
/** The largest batch the collector's batch processor sends (otel-collector/config.yaml), in spans. */
export const BATCH_MAX_SPANS = batchMaxSpans(readFileSync(path.join(repoRoot, CONFIG.collector), 'utf8'));

/** `processors.batch.send_batch_max_size` of a collector config; throws naming the key when it is not set. */
export function batchMaxSpans(configText: string): number {
  const size = parseDocument(configText).getIn(['processors', 'batch', 'send_batch_max_size']);
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0)
    throw new Error(`${CONFIG.collector}: processors.batch.send_batch_max_size is not a positive integer`);
  return size;
}

/** Spans per generated trace: a root and four children, about the size of a lab `/chain` trace's share. */
export const SPANS_PER_TRACE = 5;
const WORKERS = 2;
/**
 * Spans shaped like the lab's: the resource attributes the services' SDK detectors set (env, host, os,
 * process) and the attributes of an HTTP server span (stable semantic conventions). Jaeger stores and, by
 * default, indexes each of them in Cassandra, so a bare telemetrygen span would cost far less than a lab span.
 */
const RESOURCE_ATTRIBUTES = [
  'host.arch',
  'host.id',
  'host.name',
  'os.type',
  'os.version',
  'process.command',
  'process.command_args',
  'process.executable.name',
  'process.executable.path',
  'process.owner',
  'process.pid',
  'process.runtime.description',
  'process.runtime.name',
  'process.runtime.version',
  'telemetry.sdk.language',
  'telemetry.sdk.version',
];
const SPAN_ATTRIBUTES = [
  'client.address',
  'http.request.method',
  'http.route',
  'network.peer.address',
  'network.peer.port',
  'network.protocol.version',
  'server.address',
  'server.port',
  'url.full',
  'url.path',
  'url.scheme',
  'user_agent.original',
];

/** telemetrygen's flags for those attributes (string values of a realistic length). */
export function labShapedAttributeFlags(): string[] {
  return [
    ...RESOURCE_ATTRIBUTES.flatMap((k) => ['--otlp-attributes', `${k}="${k}-value-0123456789"`]),
    ...SPAN_ATTRIBUTES.flatMap((k) => ['--telemetry-attributes', `${k}="${k}-value"`]),
  ];
}
const JAEGER = 'otlp_grpc/jaeger';
const TEMPO = 'otlp_grpc/tempo';

export async function ensureTelemetrygen(): Promise<string> {
  const dir = cacheDir('telemetrygen', TELEMETRYGEN_VERSION);
  const bin = path.join(dir, 'bin', 'telemetrygen');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  await step('telemetrygen', 'go', ['install', `${TELEMETRYGEN_MODULE}@v${TELEMETRYGEN_VERSION}`], {
    env: { ...process.env, GOBIN: path.join(dir, 'bin'), GOFLAGS: '-trimpath' },
    logFile: path.join(dir, 'build.log'),
  });
  return bin;
}

export interface CollectorCounters {
  accepted: number;
  /** Receiver refused + failed spans (memory_limiter's refusals included). */
  refused: number;
  jaegerSent: number;
  jaegerFailed: number;
  jaegerQueue: number;
  jaegerCapacity: number;
  tempoDropped: number;
  tempoQueue: number;
}

function total(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter(
      (s) =>
        (s.labels.__name__ === name || s.labels.__name__ === `${name}_total`) &&
        Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    )
    .reduce((sum, s) => sum + s.value, 0);
}

export function collectorCounters(samples: readonly Sample[]): CollectorCounters {
  const otlp = { receiver: 'otlp' };
  return {
    accepted: total(samples, 'otelcol_receiver_accepted_spans', otlp),
    refused:
      total(samples, 'otelcol_receiver_refused_spans', otlp) +
      total(samples, 'otelcol_receiver_failed_spans', otlp),
    jaegerSent: total(samples, 'otelcol_exporter_sent_spans', { exporter: JAEGER }),
    jaegerFailed:
      total(samples, 'otelcol_exporter_send_failed_spans', { exporter: JAEGER }) +
      total(samples, 'otelcol_exporter_enqueue_failed_spans', { exporter: JAEGER }),
    jaegerQueue: total(samples, 'otelcol_exporter_queue_size', { exporter: JAEGER }),
    jaegerCapacity: total(samples, 'otelcol_exporter_queue_capacity', { exporter: JAEGER }),
    tempoDropped:
      total(samples, 'otelcol_exporter_send_failed_spans', { exporter: TEMPO }) +
      total(samples, 'otelcol_exporter_enqueue_failed_spans', { exporter: TEMPO }),
    tempoQueue: total(samples, 'otelcol_exporter_queue_size', { exporter: TEMPO }),
  };
}

async function scrape(metricsUrl: string): Promise<CollectorCounters> {
  const { body } = await getText(metricsUrl);
  return collectorCounters(parseExposition(body));
}

/** Where the lab collector serves its own metrics. */
function collectorMetricsUrl(): string {
  return `http://${labAddress('otel-collector')}:8888/metrics`;
}

/** The lab collector's counters now (its own metrics on :8888). */
export function collectorSnapshot(): Promise<CollectorCounters> {
  return scrape(collectorMetricsUrl());
}

export interface CapacityStep {
  /** Offered spans per second. */
  target: number;
  seconds: number;
  /** Spans per second the collector accepted over the step. */
  acceptedRate: number;
  /** Spans per second the Jaeger exporter delivered (Jaeger stored) while the step ran. */
  jaegerSentRate: number;
  refused: number;
  jaegerFailed: number;
  jaegerQueueMax: number;
  /** The Jaeger exporter's queue at the end of the step (last sample while sending). */
  jaegerQueueEnd: number;
  jaegerQueueCapacity: number;
  /** Tempo path: spans it failed to send or dropped, for the record only. */
  tempoDropped: number;
  collectorCores: number;
  /** Cores the Jaeger collector and Cassandra used over the step (the Jaeger path's storage side). */
  backendCores: number;
  generatorCores: number;
  collectorRssMax: number;
  held: boolean;
  reason: string;
}

async function runStep(bin: string, target: number, seconds: number, index: number): Promise<CapacityStep> {
  const address = labAddress('otel-collector');
  const metricsUrl = collectorMetricsUrl();
  const collectorPid = labProcesses().find((p) => p.name === 'otel-collector')?.pid;
  if (collectorPid === undefined) throw new Error('otel-collector is not running');
  const before = await scrape(metricsUrl);
  const ratePerWorker = target / WORKERS; // telemetrygen's limiter waits before every span, not every trace
  mkdirSync(benchLogDir, { recursive: true });
  const fd = openSync(path.join(benchLogDir, `capacity-step-${String(index)}.log`), 'w');
  const collectorCpu0 = readProc(collectorPid)?.cpuSeconds ?? 0;
  const backend = labPids(['jaeger-collector', 'cassandra']);
  const backendCpu0 = cpuSecondsOf(backend);
  const t0 = performance.now();
  const child: ChildProcess = spawn(
    bin,
    [
      'traces',
      `--otlp-endpoint=${address}:4317`,
      '--otlp-insecure',
      `--workers=${String(WORKERS)}`,
      `--rate=${String(ratePerWorker)}`,
      `--child-spans=${String(SPANS_PER_TRACE - 1)}`,
      `--duration=${String(seconds)}s`,
      '--service=spm-bench-capacity',
      ...labShapedAttributeFlags(),
    ],
    { stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  let generatorCpu = 0;
  let queueMax = 0;
  let queueEnd = before.jaegerQueue;
  let rssMax = 0;
  let sent = { spans: 0, seconds: 0 };
  while (child.exitCode === null && child.signalCode === null) {
    const g = child.pid === undefined ? undefined : readProc(child.pid);
    if (g !== undefined) generatorCpu = g.cpuSeconds;
    rssMax = Math.max(rssMax, readProc(collectorPid)?.rss ?? 0);
    try {
      const now = await scrape(metricsUrl);
      queueEnd = now.jaegerQueue;
      queueMax = Math.max(queueMax, queueEnd);
      sent = { spans: now.jaegerSent - before.jaegerSent, seconds: (performance.now() - t0) / 1000 };
    } catch {
      // a missed scrape under load is not a failure of the step
    }
    await Promise.race([sleep(1000), exit]);
  }
  const code = await exit;
  const elapsed = (performance.now() - t0) / 1000;
  const collectorCpu = (readProc(collectorPid)?.cpuSeconds ?? collectorCpu0) - collectorCpu0;
  const backendCpu = cpuSecondsOf(backend) - backendCpu0;
  await sleep(3000); // the batch processor's 200 ms timeout and a few exports: let the step's spans through
  const after = await scrape(metricsUrl);
  queueMax = Math.max(queueMax, after.jaegerQueue);
  const accepted = after.accepted - before.accepted;
  const step: CapacityStep = {
    target,
    seconds,
    acceptedRate: accepted / seconds,
    jaegerSentRate: sent.seconds === 0 ? Number.NaN : sent.spans / sent.seconds,
    refused: after.refused - before.refused,
    jaegerFailed: after.jaegerFailed - before.jaegerFailed,
    jaegerQueueMax: queueMax,
    jaegerQueueEnd: queueEnd,
    jaegerQueueCapacity: after.jaegerCapacity,
    tempoDropped: after.tempoDropped - before.tempoDropped,
    collectorCores: collectorCpu / elapsed,
    backendCores: backendCpu / elapsed,
    generatorCores: generatorCpu / elapsed,
    collectorRssMax: rssMax,
    held: false,
    reason: '',
  };
  const reasons = stepVerdict(step, code, queueEnd - before.jaegerQueue, BATCH_MAX_SPANS);
  step.held = reasons.length === 0;
  step.reason = step.held ? 'held' : reasons.join('; ');
  return step;
}

/**
 * Why a step did not hold (none: it held). The Jaeger queue may grow by 2 s of the offered spans or by one
 * batch, whichever is more: the exporter takes whole batches, so at a low rate one batch waiting its turn
 * is not a path falling behind.
 */
export function stepVerdict(
  step: Pick<CapacityStep, 'target' | 'refused' | 'jaegerFailed' | 'acceptedRate'>,
  exitCode: number | null,
  queueGrowth: number,
  batchMaxSpans: number,
): string[] {
  const reasons: string[] = [];
  if (exitCode !== 0) reasons.push(`telemetrygen exited with ${String(exitCode)} (export failed)`);
  if (step.refused > 0) reasons.push(`${String(step.refused)} spans refused by the receiver`);
  if (step.jaegerFailed > 0)
    reasons.push(`${String(step.jaegerFailed)} spans failed/dropped on the Jaeger path`);
  if (queueGrowth > Math.max(2 * step.target, batchMaxSpans))
    reasons.push(`Jaeger queue grew by ${String(queueGrowth)} spans (Jaeger path falls behind)`);
  if (step.acceptedRate < 0.95 * step.target)
    reasons.push(`accepted only ${String(Math.round(step.acceptedRate))} spans/s`);
  return reasons;
}

/** Waits (up to `timeoutMs`) until the Jaeger exporter's queue is empty again; false if it did not drain. */
export async function drainJaegerQueue(timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await collectorSnapshot()).jaegerQueue === 0) return true;
    await sleep(1000);
  }
  return false;
}

/**
 * Steps through `rates` until one fails; with `refine`, one more step halfway (geometrically) between the
 * last that held and the first that failed.
 */
export async function measureCapacity(
  rates: readonly number[],
  seconds: number,
  refine: boolean,
  drainMs: number,
  log: (line: string) => void,
): Promise<CapacityStep[]> {
  const bin = await ensureTelemetrygen();
  const steps: CapacityStep[] = [];
  for (const rate of rates) {
    const s = await runStep(bin, rate, seconds, steps.length + 1);
    steps.push(s);
    log(`    ${String(rate)} spans/s: accepted ${String(Math.round(s.acceptedRate))}/s, ${s.reason}`);
    const drained = await drainJaegerQueue(drainMs);
    if (!s.held) break;
    if (!drained) {
      s.held = false;
      s.reason = `Jaeger queue did not drain within ${String(drainMs / 1000)} s after the step`;
      break;
    }
  }
  const lastHeld = steps.filter((s) => s.held).at(-1);
  const failed = steps.find((s) => !s.held);
  if (refine && lastHeld !== undefined && failed !== undefined) {
    const rate = Math.round(Math.sqrt(lastHeld.target * failed.target) / 100) * 100;
    if (rate > lastHeld.target && rate < failed.target) {
      const s = await runStep(bin, rate, seconds, steps.length + 1);
      steps.push(s);
      log(`    ${String(rate)} spans/s: accepted ${String(Math.round(s.acceptedRate))}/s, ${s.reason}`);
      await drainJaegerQueue(drainMs);
    }
  }
  return steps.sort((a, b) => a.target - b.target);
}
