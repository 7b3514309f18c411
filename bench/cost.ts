// What the freshness settings cost, side by side in the same run: Tempo, the collector and Prometheus are
// restarted with the upstream defaults of those settings, measured under the default load, then restarted as
// the lab configures them and measured again (CPU and RSS from /proc, bench/footprint.ts, and the samples
// Prometheus appends per second, read from its own /metrics).
//
// The lab's config files stay the single source: the "defaults" variant is derived from them at run time, as
// a copy in a temporary directory with only the freshness settings taken out (FRESHNESS_SETTINGS), bind-mounted
// in their place for that restart the way native:up mounts the originals; the collector's flush interval is
// its compose environment variable, set to the connectors' default. Nothing in the repository is edited.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument, isMap, isSeq } from 'yaml';
import { readState } from '../native/lib/state.ts';
import { start } from '../native/start.ts';
import { stop } from '../native/stop.ts';
import { parseExposition } from '../verify/apis/prometheus.ts';
import { loadCompose, type ComposeService } from '../verify/compose.ts';
import { getText } from '../verify/http.ts';
import { labUrls } from '../verify/lab.ts';
import { startSampler, type Footprint } from './footprint.ts';
import { sleep } from './lib/lab.ts';

/** The components whose settings buy freshness (compose service names). */
export const FRESHNESS_COMPONENTS = ['tempo', 'otel-collector', 'prometheus'] as const;

/** What the "defaults" variant takes out of the lab's files, and the collector's upstream flush interval. */
export const FRESHNESS_SETTINGS = {
  tempo: [
    ['query_frontend', 'query_end_cutoff'], // default 30s
    ['live_store', 'max_trace_idle'], // default 5s
    ['live_store', 'flush_check_period'], // default 5s
  ],
  /** The span-metrics job's own scrape_interval: without it, the file's global (15s) applies. */
  prometheusJob: 'span-metrics',
  /** span_metrics' and service_graph's metrics_flush_interval default (collector-contrib 0.159.0). */
  collectorFlush: '60s',
} as const;

export type Variant = 'defaults' | 'lab';

export interface CostRun {
  variant: Variant;
  footprint: Footprint;
  /** Samples Prometheus appended per second over the window (prometheus_tsdb_head_samples_appended_total). */
  samplesPerS: number;
}

/** tempo.yaml without the freshness settings (a block left empty goes too). */
export function tempoWithDefaults(text: string): string {
  const doc = parseDocument(text);
  for (const keys of FRESHNESS_SETTINGS.tempo) {
    if (!doc.hasIn(keys)) throw new Error(`tempo.yaml has no ${keys.join('.')}: update bench/cost.ts`);
    doc.deleteIn(keys);
    const block = doc.getIn(keys.slice(0, -1));
    if (isMap(block) && block.items.length === 0) doc.deleteIn(keys.slice(0, -1));
  }
  return doc.toString();
}

/** prometheus.yml with the span-metrics job on the global scrape interval. */
export function prometheusWithDefaults(text: string): string {
  const doc = parseDocument(text);
  const jobs = doc.get('scrape_configs');
  const index = isSeq(jobs)
    ? jobs.items.findIndex((job) => isMap(job) && job.get('job_name') === FRESHNESS_SETTINGS.prometheusJob)
    : -1;
  if (index < 0 || !doc.hasIn(['scrape_configs', index, 'scrape_interval']))
    throw new Error(`prometheus.yml: job ${FRESHNESS_SETTINGS.prometheusJob} sets no scrape_interval`);
  doc.deleteIn(['scrape_configs', index, 'scrape_interval']);
  return doc.toString();
}

/** The three components' compose services as the "defaults" variant runs them (copies written into `dir`). */
function defaultServices(dir: string): Record<string, ComposeService> {
  const compose = loadCompose();
  const service = (name: (typeof FRESHNESS_COMPONENTS)[number]): ComposeService => {
    const s = compose.services[name];
    if (s === undefined) throw new Error(`docker-compose.yaml has no service ${name}`);
    return s;
  };
  /** The service with its bind-mounted file at `target` replaced by a rewritten copy. */
  const overlay = (s: ComposeService, target: string, rewrite: (text: string) => string): ComposeService => {
    const original = s.mounts.find((m) => m.target === target);
    if (original === undefined) throw new Error(`${s.name}: docker-compose.yaml mounts nothing at ${target}`);
    const file = path.join(dir, path.basename(target));
    writeFileSync(file, rewrite(readFileSync(original.source, 'utf8')));
    return { ...s, mounts: s.mounts.map((m) => (m === original ? { ...m, source: file } : m)) };
  };
  const collector = service('otel-collector');
  return {
    tempo: overlay(service('tempo'), '/etc/tempo/tempo.yaml', tempoWithDefaults),
    'otel-collector': {
      ...collector,
      environment: {
        ...collector.environment,
        SPANMETRICS_FLUSH_INTERVAL: FRESHNESS_SETTINGS.collectorFlush,
      },
    },
    prometheus: overlay(service('prometheus'), '/etc/prometheus/prometheus.yml', prometheusWithDefaults),
  };
}

async function samplesAppended(promBase: string): Promise<number> {
  const { body } = await getText(new URL('/metrics', promBase).toString());
  return parseExposition(body)
    .filter((s) => s.labels.__name__ === 'prometheus_tsdb_head_samples_appended_total')
    .reduce((sum, s) => sum + s.value, 0);
}

/** Restarts the three components as `variant`, lets them settle, then measures for `windowS`. */
async function measureVariant(variant: Variant, settleS: number, windowS: number): Promise<CostRun> {
  // A component native:up left out (Tempo when nobody supplied it) is neither stopped nor started.
  const skipped = readState().skipped;
  const present = FRESHNESS_COMPONENTS.filter((c) => skipped[c] === undefined);
  await stop(present);
  if (variant === 'lab') {
    await start(present);
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'spm-bench-defaults-'));
    try {
      await start(present, defaultServices(dir));
      // Tempo reads its config at start; the copy can go once all three run.
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  await sleep(settleS * 1000);
  const promBase = labUrls().prometheus;
  const before = await samplesAppended(promBase);
  const t0 = performance.now();
  const sampler = startSampler(`freshness settings: ${variant}`, []);
  await sleep(windowS * 1000);
  const footprint = sampler.stop();
  const samplesPerS = ((await samplesAppended(promBase)) - before) / ((performance.now() - t0) / 1000);
  return { variant, footprint, samplesPerS };
}

/** Upstream defaults first, then the lab's settings, so the lab ends as it is configured. */
export async function measureCost(settleS: number, windowS: number): Promise<CostRun[]> {
  const runs: CostRun[] = [];
  try {
    runs.push(await measureVariant('defaults', settleS, windowS));
  } finally {
    // whatever happened, the lab goes back to its own configs
    if (runs.length === 0) {
      await stop(FRESHNESS_COMPONENTS);
      await start(FRESHNESS_COMPONENTS);
    }
  }
  runs.push(await measureVariant('lab', settleS, windowS));
  return runs;
}
