// The lab doctor: `npm run verify [-- options]`. Checks every hop of a running lab (docker compose or
// the native lab: both publish the same 127.0.0.1 ports, read from docker-compose.yaml) and prints one
// line per check with what it saw; on failure, what to look at. Exit code 1 when a check fails.
//
// The native runner sets VERIFY_LAB=native, VERIFY_LOG_DIR=<dir with <compose service>.log files> and
// VERIFY_SKIP for components it does not run, e.g. VERIFY_SKIP="tempo=Tempo is not part of the native lab".
// `docker compose run --rm verify` sets VERIFY_IN_NETWORK=1: compose names and container ports (in-network.ts).
import { parseArgs } from 'node:util';
import type { Check, CheckResult, Component, LabContext, LabKind } from './check.ts';
import { COMPONENTS, isComponent, runChecks } from './check.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { formatHeader, formatResult, formatSummary } from './format.ts';
import { IN_NETWORK_ENV, inNetwork, inNetworkUrls } from './in-network.ts';
import type { AppService } from './lab.ts';
import { COMPOSE_FILE, loadCompose } from './compose.ts';
import { APP_SERVICES, chainTargets, labUrls } from './lab.ts';
import { collectorChecks } from './checks/collector.ts';
import { jaegerChecks } from './checks/jaeger.ts';
import { prometheusChecks } from './checks/prometheus.ts';
import { serviceChecks } from './checks/services.ts';
import { memoryChecks } from './checks/memory.ts';
import { tempoChecks } from './checks/tempo.ts';
import { alertChecks } from './checks/alerts.ts';
import { nativeLabUp, type NativeLabSeen } from './native-lab.ts';
import { toolCommand } from './tool-command.ts';

/** Every check, in the order data flows through the lab. */
export const ALL_CHECKS: readonly Check[] = [
  ...serviceChecks,
  ...collectorChecks,
  ...tempoChecks,
  ...jaegerChecks,
  ...prometheusChecks,
  ...alertChecks,
  ...memoryChecks,
];

/** Why the memory check does not apply to a compose lab: its figures come from the native lab's cgroups. */
export const COMPOSE_MEMORY_SKIP =
  "read from the native lab's cgroups; under Docker, `docker stats` shows each container against its limit";

/** The help text, its command written the way verify was started (verify/tool-command.ts). */
export function usage(command: string): string {
  return `Usage: ${command} [options]

Checks each hop of a running lab: services -> collector -> Tempo / Jaeger -> Prometheus -> Alertmanager, and (native lab)
each component's memory against its compose limit.

Options:
  --wait <duration>         retry failing checks until this long has passed (e.g. 90s; fresh labs
                            need a minute of traffic); default: one attempt each
  --skip <component>[=why]  report a component known to be absent as skipped (repeatable);
                            components: ${Object.keys(COMPONENTS).join(', ')}
  --only <component>        run only this component's checks (repeatable)
  --lookback <duration>     how far back traces, exemplars and Monitor data count as recent (default 15m)
  --lab compose|native      which lab is running, for the hints on where logs are (default: native
                            when this checkout's native lab is up, else compose)
  --log-dir <dir>           native lab: folder of <service>.log files, for the hints
  --compose-file <file>     where ports are read from (default: the repo's docker-compose.yaml)
  -h, --help

Environment: VERIFY_SKIP (comma-separated --skip values), VERIFY_LAB, VERIFY_LOG_DIR,
${IN_NETWORK_ENV}=1 (inside the compose network: compose names and container ports).`;
}

export interface Options {
  waitMs: number;
  lookbackMs: number;
  skipped: Map<Component, string>;
  only: Component[];
  lab: LabKind;
  logDir: string | undefined;
  composeFile: string;
  /** Inside the compose network (VERIFY_IN_NETWORK=1): compose names and container ports. */
  inNetwork: boolean;
}

export class UsageError extends Error {}

/** Parses `--skip` values: "tempo" or "tempo=why it is absent". */
export function parseSkip(values: readonly string[]): Map<Component, string> {
  const skipped = new Map<Component, string>();
  for (const value of values) {
    const eq = value.indexOf('=');
    const name = (eq < 0 ? value : value.slice(0, eq)).trim();
    const reason = eq < 0 ? '' : value.slice(eq + 1).trim();
    if (!isComponent(name))
      throw new UsageError(`--skip ${name}: not a component (${Object.keys(COMPONENTS).join(', ')})`);
    skipped.set(name, reason || 'skipped with --skip');
  }
  return skipped;
}

/** VERIFY_SKIP: entries separated by commas that start a new component name (reasons may hold commas). */
export function splitSkipEnv(value: string | undefined): string[] {
  if (!value?.trim()) return [];
  const names = Object.keys(COMPONENTS).join('|');
  return value
    .split(new RegExp(`,(?=\\s*(?:${names})\\s*(?:=|,|$))`))
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * `native`: the native lab of this checkout when it is up (main() passes nativeLabUp()): without --lab or
 * VERIFY_LAB, verify then checks it, with its logs for the hints and what native:up left out skipped.
 */
export function parseOptions(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  native?: NativeLabSeen,
): Options | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        wait: { type: 'string' },
        skip: { type: 'string', multiple: true, default: [] },
        only: { type: 'string', multiple: true, default: [] },
        lookback: { type: 'string', default: '15m' },
        lab: { type: 'string' },
        'log-dir': { type: 'string' },
        'compose-file': { type: 'string', default: COMPOSE_FILE },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  const duration = (flag: string, text: string): number => {
    try {
      return parseDuration(text);
    } catch (error) {
      throw new UsageError(`--${flag}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  let inside: boolean;
  try {
    inside = inNetwork(env);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const seen = inside ? undefined : native; // a compose tool never sees the host's native lab
  const lab = values.lab ?? env.VERIFY_LAB ?? (seen === undefined ? 'compose' : 'native');
  if (lab !== 'compose' && lab !== 'native') throw new UsageError(`--lab ${lab}: must be compose or native`);
  const skipped = parseSkip([...splitSkipEnv(env.VERIFY_SKIP), ...values.skip]);
  if (lab === 'native' && seen !== undefined) {
    for (const [service, why] of Object.entries(seen.skipped))
      if (isComponent(service) && !skipped.has(service))
        skipped.set(service, `native:up left it out: ${why}`);
  }
  const only = values.only.map((name) => {
    if (!isComponent(name))
      throw new UsageError(`--only ${name}: not a component (${Object.keys(COMPONENTS).join(', ')})`);
    return name;
  });
  return {
    waitMs: values.wait === undefined ? 0 : duration('wait', values.wait),
    lookbackMs: duration('lookback', values.lookback),
    skipped,
    only,
    lab,
    logDir: values['log-dir'] ?? env.VERIFY_LOG_DIR ?? (lab === 'native' ? seen?.logDir : undefined),
    composeFile: values['compose-file'],
    inNetwork: inside,
  };
}

/** What the checks need to know about the lab (also built by the restart matrix, bench/restarts.ts). */
export function labContext(options: Options): LabContext {
  const project = loadCompose(options.composeFile);
  const chain = Object.fromEntries(APP_SERVICES.map((s) => [s, chainTargets(project, s)])) as Record<
    AppService,
    AppService[]
  >;
  const skipped = new Map(options.skipped);
  if (options.lab === 'compose' && !skipped.has('memory')) skipped.set('memory', COMPOSE_MEMORY_SKIP);
  return {
    urls: options.inNetwork ? inNetworkUrls(project) : labUrls(project),
    chain,
    skipped,
    lab: options.lab,
    logDir: options.logDir,
    lookbackMs: options.lookbackMs,
    now: () => Date.now(),
  };
}

async function main(): Promise<number> {
  let options: Options | 'help';
  let ctx: LabContext;
  try {
    options = parseOptions(process.argv.slice(2), process.env, nativeLabUp());
    if (options === 'help') {
      console.log(usage(toolCommand('verify')));
      return 0;
    }
    ctx = labContext(options);
  } catch (error) {
    console.error(`verify: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof UsageError) console.error(`\n${usage(toolCommand('verify'))}`);
    return 2;
  }
  const { only, waitMs } = options;
  const checks = ALL_CHECKS.filter((c) => only.length === 0 || only.includes(c.component));
  const color = process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  const titleWidth = Math.max(...checks.map((c) => c.title.length));
  const started = performance.now();
  console.log(
    `Checking the ${options.lab} lab (${options.inNetwork ? 'compose names and container ports' : 'ports'} from ${options.composeFile})${
      waitMs > 0 ? `; retrying failing checks for up to ${formatDuration(waitMs)}` : ''
    }`,
  );
  let component: Component | undefined;
  const results: CheckResult[] = await runChecks(checks, ctx, { waitMs }, (result) => {
    if (result.check.component !== component) {
      component = result.check.component;
      console.log(`\n${formatHeader(component, { color })}`);
    }
    console.log(formatResult(result, { titleWidth, color }));
  });
  console.log(`\nTook ${formatDuration(performance.now() - started)}.`);
  console.log(formatSummary(results));
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

if (import.meta.main) process.exitCode = await main();
