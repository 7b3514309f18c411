// The SLO alerts under the scenario's fault (issue 28, docs/scenarios.md scenario 5), on the native lab's real
// Prometheus (the rules Sloth generated, prometheus/rules/) and Alertmanager, while the lab's own load runs:
//   - cycles: the fault goes on; time until express' availability page alert fires in Prometheus and until
//     Alertmanager holds it; the fault is cleared as soon as it does; time until the page is gone from
//     Prometheus and from Alertmanager. Before each cycle the bench waits until the page reads a healthy lab:
//     no page pending or firing, and its 5-minute SLI (the long window of the fast page) within the objective,
//     so no cycle starts with an earlier fault in the window that decides when it fires.
//   - cost: what evaluating the SLO rule groups costs Prometheus over the phase, from Prometheus' own metrics:
//     evaluation time per round beside the evaluation interval, samples per round beside the samples its
//     scrapes append, and the series the recordings add beside the head's.
// Prometheus evaluates the rules every 15 s (evaluation_interval), so fire and resolve times move in 15 s steps;
// the bench polls every second.
import path from 'node:path';
import { PAGE_BURN } from '../grafana/src/names.ts';
import { managedAlerts } from '../verify/apis/alertmanager.ts';
import { instantQuery, ruleAlerts, type Labels } from '../verify/apis/prometheus.ts';
import { labUrls } from '../verify/lab.ts';
import { pollUntil } from './freshness.ts';
import { runTool } from './lib/lab.ts';

/** The fault of scenario 5, as `npm run fault` takes it. */
export const SCENARIO_FAULT = ['express', 'errors', '30%'] as const;
/** Its SLO (slos/specs/express.yaml: service express, SLO requests-availability) and alert, as Sloth names them. */
export const SCENARIO_SLO = {
  id: 'express-requests-availability',
  alertname: 'ExpressAvailability',
} as const;
/** The objective's error budget as a ratio (99 %): an SLI divided by it is the burn rate. */
export const BUDGET = 0.01;

/** The page's conditions (slos/windows/workshop.yaml, as Sloth writes them into the alert's expression). */
export function pageConditions(sli: SloCycle['sliAtFire']): string {
  const fast = sli['1m'] > PAGE_BURN.fast * BUDGET && sli['5m'] > PAGE_BURN.fast * BUDGET;
  const slow = sli['5m'] > PAGE_BURN.slow * BUDGET && sli['30m'] > PAGE_BURN.slow * BUDGET;
  return fast && slow ? 'both' : fast ? 'fast' : slow ? 'slow' : 'neither (read after the evaluation)';
}

/** Is this alert (from Prometheus or Alertmanager) the page of `alertname`? Sloth's page and ticket alerts share
 * the name; sloth_severity tells them apart. */
export const isPageOf =
  (alertname: string) =>
  (alert: { labels: Labels }): boolean =>
    alert.labels.alertname === alertname && alert.labels.sloth_severity === 'page';

/** Is this alert the scenario SLO's page? */
export const isScenarioPage = isPageOf(SCENARIO_SLO.alertname);

export interface SloCycle {
  /** How long the bench waited for the healthy lab the cycle starts from. */
  healthyWaitMs: number;
  /** From the fault switched on to the page firing in Prometheus, then to Alertmanager holding it. */
  firedMs: number;
  receivedMs: number;
  /** The SLI (error ratio) on the page's windows when it fired. */
  sliAtFire: { '1m': number; '5m': number; '30m': number };
  /** Which of the page's two conditions held then: fast (14.4× on 5m and 1m), slow (6× on 30m and 5m), or both. */
  firedBy: string;
  /** From the fault cleared to the page gone from Prometheus, then from Alertmanager. */
  resolvedMs: number;
  goneMs: number;
}

export interface SloCost {
  /** The window (the phase) the figures are averaged over. */
  windowS: number;
  groups: number;
  rules: number;
  intervalS: number;
  /** Evaluation time of all SLO groups in one round (sum of their mean last durations). */
  evalSPerRound: number;
  /** Samples the SLO groups return in one round, and samples Prometheus appended per interval in all. */
  samplesPerRound: number;
  appendedPerInterval: number;
  /** Series of the SLO recordings, and all series in Prometheus' head. */
  sloSeries: number;
  headSeries: number;
  /** Prometheus' CPU over the window, in cores. */
  prometheusCores: number;
}

export interface SloRun {
  cycles: SloCycle[];
  cost: SloCost | undefined;
  /** Why the cycles stopped early (the cycles before it and the cost are kept). */
  failure?: string;
}

export interface SloPlan {
  cycles: number;
  /** Give-up for each wait (healthy, fired, received, resolved, gone). */
  timeoutS: number;
}

/** Polls `ready` every second (freshness' pollUntil) until it is true; ms from `t0`; throws at `timeoutMs`. */
async function msUntil(
  what: string,
  t0: number,
  timeoutMs: number,
  ready: () => Promise<boolean>,
): Promise<number> {
  const { ms, error } = await pollUntil(ready, t0, performance.now() + timeoutMs, 1000);
  if (Number.isFinite(ms)) return ms;
  throw new Error(
    `${what}: not within ${String(Math.round(timeoutMs / 1000))} s${error === undefined ? '' : `: ${error}`}`,
  );
}

async function fault(args: readonly string[], logName: string): Promise<void> {
  const { code, output, log } = await runTool(path.join('faults', 'main.ts'), args, logName);
  if (code !== 0) throw new Error(`npm run fault -- ${args.join(' ')} failed (${log}): ${output.trim()}`);
}

async function scalar(prometheus: string, promql: string): Promise<number> {
  const samples = await instantQuery(prometheus, promql);
  return samples.reduce((sum, s) => sum + s.value, 0);
}

const sliQuery = (window: string): string =>
  `slo:sli_error:ratio_rate${window}{sloth_id="${SCENARIO_SLO.id}"}`;

async function sliAt(prometheus: string): Promise<SloCycle['sliAtFire']> {
  const [m1, m5, m30] = await Promise.all(['1m', '5m', '30m'].map((w) => scalar(prometheus, sliQuery(w))));
  return { '1m': m1 ?? Number.NaN, '5m': m5 ?? Number.NaN, '30m': m30 ?? Number.NaN };
}

async function oneCycle(i: number, timeoutMs: number): Promise<SloCycle> {
  const { prometheus, alertmanager } = labUrls();
  const promPage = async (): Promise<string | undefined> =>
    (await ruleAlerts(prometheus)).find(isScenarioPage)?.state;
  const amPage = async (): Promise<string | undefined> =>
    (await managedAlerts(alertmanager)).find(isScenarioPage)?.state;

  const waited = performance.now();
  const healthyWaitMs = await msUntil('a healthy lab before the fault', waited, 2 * timeoutMs, async () => {
    if ((await promPage()) !== undefined || (await amPage()) !== undefined) return false;
    return (await scalar(prometheus, sliQuery('5m'))) < BUDGET;
  });

  await fault(SCENARIO_FAULT, `slo-fault-${String(i)}`);
  const t0 = performance.now();
  let cleared = false;
  try {
    const firedMs = await msUntil(
      'the page firing in Prometheus',
      t0,
      timeoutMs,
      async () => (await promPage()) === 'firing',
    );
    const sliAtFire = await sliAt(prometheus);
    const receivedMs = await msUntil(
      'the page in Alertmanager',
      t0,
      timeoutMs,
      async () => (await amPage()) === 'active',
    );
    await fault(['clear'], `slo-clear-${String(i)}`);
    cleared = true;
    const t1 = performance.now();
    const resolvedMs = await msUntil(
      'the page resolved in Prometheus',
      t1,
      timeoutMs,
      async () => (await promPage()) === undefined,
    );
    const goneMs = await msUntil(
      'the page gone from Alertmanager',
      t1,
      timeoutMs,
      async () => (await amPage()) === undefined,
    );
    return {
      healthyWaitMs,
      firedMs,
      receivedMs,
      sliAtFire,
      firedBy: pageConditions(sliAtFire),
      resolvedMs,
      goneMs,
    };
  } finally {
    if (!cleared) await fault(['clear'], `slo-clear-${String(i)}`);
  }
}

/** The SLO groups' evaluation cost over the last `windowS`, from Prometheus' own metrics (job prometheus). */
export async function measureSloCost(windowS: number): Promise<SloCost> {
  const { prometheus } = labUrls();
  const w = `${String(Math.max(60, Math.round(windowS)))}s`;
  const slo = 'rule_group=~".*;sloth-slo-.*"';
  const q = (promql: string): Promise<number> => scalar(prometheus, promql);
  const [groups, rules, intervalS, evalS, samples, appendedPerS, sloSeries, headSeries, cores] =
    await Promise.all([
      q(`count(prometheus_rule_group_rules{${slo}})`),
      q(`sum(prometheus_rule_group_rules{${slo}})`),
      q(`max(prometheus_rule_group_interval_seconds{${slo}})`),
      q(`sum(avg_over_time(prometheus_rule_group_last_duration_seconds{${slo}}[${w}]))`),
      q(`sum(avg_over_time(prometheus_rule_group_last_evaluation_samples{${slo}}[${w}]))`),
      q(`sum(rate(prometheus_tsdb_head_samples_appended_total{job="prometheus"}[${w}]))`),
      q('count({__name__=~"slo:.+"})'),
      q('max(prometheus_tsdb_head_series{job="prometheus"})'),
      q(`sum(rate(process_cpu_seconds_total{job="prometheus"}[${w}]))`),
    ]);
  return {
    windowS,
    groups,
    rules,
    intervalS,
    evalSPerRound: evalS,
    samplesPerRound: samples,
    appendedPerInterval: appendedPerS * intervalS,
    sloSeries,
    headSeries,
    prometheusCores: cores,
  };
}

/** The cycles, then the cost over all of them. The caller runs the load. */
export async function measureSlo(plan: SloPlan, say: (line: string) => void): Promise<SloRun> {
  const t0 = performance.now();
  const cycles: SloCycle[] = [];
  let failure: string | undefined;
  for (let i = 1; i <= plan.cycles && failure === undefined; i += 1) {
    try {
      const c = await oneCycle(i, plan.timeoutS * 1000);
      cycles.push(c);
      say(`  cycle ${String(i)}: ${describeCycle(c)}`);
    } catch (err) {
      failure = `cycle ${String(i)}: ${(err as Error).message}`;
    }
  }
  const cost = await measureSloCost((performance.now() - t0) / 1000);
  return { cycles, cost, ...(failure === undefined ? {} : { failure }) };
}

const s = (ms: number): string => `${(ms / 1000).toFixed(0)} s`;

export function describeCycle(c: SloCycle): string {
  return (
    `fired ${s(c.firedMs)} (Alertmanager ${s(c.receivedMs)}) after the fault, SLI 1m ${c.sliAtFire['1m'].toFixed(3)} ` +
    `5m ${c.sliAtFire['5m'].toFixed(3)} 30m ${c.sliAtFire['30m'].toFixed(3)} (${c.firedBy}); resolved ${s(c.resolvedMs)} (gone from Alertmanager ${s(c.goneMs)}) after clear; ` +
    `waited ${s(c.healthyWaitMs)} for a healthy lab first`
  );
}
