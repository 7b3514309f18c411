// npm run native:up — the lab without Docker: builds what is missing (native/build.ts), gives every compose
// service its own network namespace and address (native/lib/netns.ts) so compose's host names resolve and
// the repo's configs run unchanged, starts each component the way its container starts (command, environment
// and working dir from docker-compose.yaml, in depends_on order), publishes compose's ports on 127.0.0.1,
// waits until each is ready and prints where everything is. `npm run native:down` undoes all of it.
//
// What differs natively, and how: container paths in a command are rewritten to host paths the way compose
// would mount them. Bind mounts point back at the repo files (--config=/etc/jaeger/query.yaml ->
// jaeger/query.yaml, unchanged); volumes become directories under .native/data/<service>/<volume>
// (Prometheus' --storage.tsdb.path=/prometheus, Cassandra's /var/lib/cassandra), kept across runs like
// compose's named volumes (`native:down --volumes` deletes them); a program that finds its volume by a path in
// its config file (Tempo's /var/tempo) gets it bind-mounted there in a private mount namespace. Every component
// runs in a memory cgroup with its compose limit (deploy.resources.limits.memory, native/lib/cgroup.ts).
//
// Usage: node native/up.ts [--keep-on-failure]
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildAll, jaegerUiVersion, type Artifacts } from './build.ts';
import { cgroupMounts, prepareGroup } from './lib/cgroup.ts';
import { CASSANDRA_CQL_PORT, prepareCassandra } from './lib/cassandra.ts';
import { loadCompose, type ComposeProject, type ComposeService, type Mount } from '../verify/compose.ts';
import { pin } from './lib/env.ts';
import { addressPlan, nsName, setupNetwork } from './lib/netns.ts';
import { dataDir, genDir, repoRoot, runRoot, stateFile } from './lib/paths.ts';
import { writeState } from './lib/state.ts';
import { formatDuration } from './lib/proc.ts';
import { launch, sleep, type Launched } from './lib/processes.ts';
import { IMAGE_APP_ROOT, recipeOf, type Recipe } from './lib/recipes.ts';
import { suppliedParts, type SuppliedParts } from './lib/supplied.ts';
import { down } from './down.ts';
import { tcpConnect } from '../verify/http.ts';

const READY_TIMEOUT_MS = 240_000; // Cassandra's first start plus Jaeger's schema creation on 2 slow cores

export interface Row {
  component: string;
  address: string;
  url: string;
  log: string;
  status: string;
}

interface Plan {
  service: ComposeService;
  recipe: Recipe;
  address: string;
  ns: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  ready: ReadyCheck;
  /** Volumes bind-mounted at their container path (host dir -> container path), for recipes with mountVolumes. */
  binds: { source: string; target: string }[];
}

type ReadyCheck = { kind: 'http'; url: string } | { kind: 'tcp'; port: number } | { kind: 'none' };

/** Maps a container path onto the host: bind mounts to their source, volumes to .native/data/<service>/. */
function hostPath(containerPath: string, mounts: readonly Mount[], service: string): string | undefined {
  const match = [...mounts]
    .filter((m) => containerPath === m.target || containerPath.startsWith(`${m.target.replace(/\/$/, '')}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
  if (match === undefined) return undefined;
  const rest = containerPath.slice(match.target.length);
  if (match.type === 'bind') return match.source + rest;
  const volume = match.source === '' ? match.target.replace(/^\//, '').replaceAll('/', '_') : match.source;
  const dir = path.join(dataDir, service, volume);
  mkdirSync(dir, { recursive: true });
  return dir + rest;
}

/** Rewrites container paths in a command line (`/x`, `--flag=/x`) to host paths; other words stay as compose has them. */
function translateArgs(args: readonly string[], mounts: readonly Mount[], service: string): string[] {
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    const [prefix, value] =
      arg.startsWith('-') && eq > 0 ? [arg.slice(0, eq + 1), arg.slice(eq + 1)] : ['', arg];
    if (!value.startsWith('/')) return arg;
    const mapped = hostPath(value, mounts, service);
    return mapped === undefined ? arg : prefix + mapped;
  });
}

/** Compose's healthcheck, run from the host against the namespace: its URL if it has one, else a TCP connect. */
function readyCheck(service: ComposeService, address: string, fallbackPort: number | undefined): ReadyCheck {
  const url = /https?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::(\d+))?(\/[^\s'"]*)?/.exec(
    service.healthcheck,
  );
  if (url !== null) return { kind: 'http', url: `http://${address}:${url[1] ?? '80'}${url[2] ?? '/'}` };
  const port = fallbackPort ?? service.ports[0]?.target;
  return port === undefined ? { kind: 'none' } : { kind: 'tcp', port };
}

/** What native:up runs: the builds, and the parts a user supplied (or why each is left out). */
export type Built = Artifacts & Partial<SuppliedParts>;

/** The parts supplied for the versions .env pins (the Jaeger UI's follows JAEGER_VERSION). */
export function supplied(env: NodeJS.ProcessEnv = process.env): SuppliedParts {
  return suppliedParts(
    { tempo: pin('TEMPO_VERSION'), jaegerUi: jaegerUiVersion(pin('JAEGER_VERSION')) },
    env,
  );
}

/** What a compose service that runs lacks in this native lab (the Jaeger UI nobody supplied), else undefined. */
export function missingPart(name: string, built: Pick<Built, 'skipped'>): string | undefined {
  const recipe = recipeOf(name);
  const reason = built.skipped?.['jaeger-ui'];
  if (recipe.kind !== 'binary' || recipe.uiAssetsFlag === undefined || reason === undefined) return undefined;
  return `serves Jaeger's placeholder page, not the Jaeger UI: ${reason}`;
}

/** Why a compose service is not in this native lab (no recipe, or a part nobody supplied), else undefined. */
export function skipReason(name: string, built: Pick<Built, 'skipped'>): string | undefined {
  const recipe = recipeOf(name);
  if (recipe.kind === 'absent') return recipe.reason;
  return recipe.kind === 'binary' && recipe.binary === 'tempo' ? built.skipped?.tempo : undefined;
}

export function planService(service: ComposeService, address: string, built: Built): Plan | undefined {
  const recipe = recipeOf(service.name);
  const ns = nsName(service.name);
  const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...service.environment };
  if (recipe.kind === 'absent' || skipReason(service.name, built) !== undefined) return undefined;
  const ownDir = path.join(dataDir, service.name);
  mkdirSync(ownDir, { recursive: true });
  switch (recipe.kind) {
    case 'binary': {
      const mounts = [
        ...service.mounts,
        ...(recipe.imageVolumes ?? []).map((target): Mount => ({
          type: 'volume',
          source: '',
          target,
          readOnly: false,
        })),
      ];
      const command = service.command ?? recipe.imageCommand;
      if (command === undefined)
        throw new Error(`${service.name}: docker-compose.yaml has no command: for it`);
      const cwd =
        (recipe.imageWorkdir === undefined
          ? undefined
          : hostPath(recipe.imageWorkdir, mounts, service.name)) ?? ownDir;
      const binds =
        recipe.mountVolumes === true
          ? mounts
              .filter((m) => m.type === 'volume')
              .map((m) => ({ source: hostPath(m.target, mounts, service.name) ?? '', target: m.target }))
          : [];
      const readyPort = service.ports[0]?.target;
      const uiArgs =
        recipe.uiAssetsFlag !== undefined && built.jaegerUi !== undefined
          ? [`${recipe.uiAssetsFlag}${built.jaegerUi}`]
          : [];
      const binary = built[recipe.binary];
      if (binary === undefined)
        throw new Error(`${service.name}: no ${recipe.binary} binary (native:up says how to supply it)`);
      return {
        service,
        recipe,
        address,
        ns,
        command: binary,
        args: [...translateArgs(command, mounts, service.name), ...uiArgs],
        cwd,
        // HOME is the component's own directory, as a container's home is inside the container.
        env: { HOME: ownDir, ...baseEnv },
        ready:
          recipe.readyPath !== undefined && readyPort !== undefined
            ? { kind: 'http', url: `http://${address}:${String(readyPort)}${recipe.readyPath}` }
            : readyCheck(service, address, undefined),
        binds,
      };
    }
    case 'cassandra': {
      // The image keeps its data in VOLUME /var/lib/cassandra (or compose's volume there): .native/data/cassandra/.
      const volume =
        hostPath('/var/lib/cassandra', service.mounts, service.name) ??
        path.join(ownDir, 'var_lib_cassandra');
      const launch = prepareCassandra({
        libDir: built.cassandraLib,
        confDir: path.join(genDir, service.name),
        dataDir: volume,
        address,
        environment: service.environment,
      });
      return {
        service,
        recipe,
        address,
        ns,
        command: launch.command,
        args: launch.args,
        cwd: ownDir,
        env: { HOME: ownDir, ...baseEnv },
        // compose's check runs cqlsh/nodetool inside the image; natively: the CQL port accepting connections.
        ready: readyCheck({ ...service, healthcheck: '' }, address, CASSANDRA_CQL_PORT),
        binds: [],
      };
    }
    case 'node': {
      const command = service.command;
      if (command?.[0] !== 'node')
        throw new Error(`${service.name}: expected a \`node …\` command: in docker-compose.yaml`);
      const nodeMajor = pin('NODE_IMAGE').replace(/^node:(\d+).*/, '$1');
      if (process.versions.node.split('.')[0] !== nodeMajor) {
        throw new Error(
          `run under Node ${nodeMajor} like the images (source native/use-node24.sh); this is ${process.version}`,
        );
      }
      const appMount: Mount = { type: 'bind', source: repoRoot, target: IMAGE_APP_ROOT, readOnly: true };
      const workdir = service.workingDir ?? recipe.imageWorkdir;
      const cwd = hostPath(workdir, [appMount], service.name);
      if (cwd === undefined || !existsSync(cwd))
        throw new Error(`${service.name}: working dir ${workdir} has no host path`);
      const port = Number(service.environment.PORT);
      return {
        service,
        recipe,
        address,
        ns,
        command: process.execPath, // Node 24, the images' major (checked above)
        args: command.slice(1),
        cwd,
        env: baseEnv,
        ready: readyCheck(service, address, Number.isInteger(port) ? port : undefined),
        binds: [],
      };
    }
  }
}

/**
 * Starts a planned component the way its container runs: in its network namespace, with its volumes at their
 * container paths where the recipe asks, inside a memory cgroup holding it to compose's limit.
 */
export function startPlan(plan: Plan): Launched {
  const limit = plan.service.memoryLimitBytes;
  // Joins the cgroup before anything runs, so every byte the component ever allocates is charged to it.
  const procs = limit === undefined ? undefined : prepareGroup(plan.service.name, limit);
  const mounts = [
    // As in a container: the component sees its own group as /sys/fs/cgroup (a cgroup namespace), so Node's
    // heap sizing, Go's automemlimit (Tempo) and the JVM read its limit. `ip netns exec` leaves /sys/fs/cgroup empty.
    ...(procs === undefined ? [] : cgroupMounts()),
    // Volumes the program finds by paths inside its config file, at their container path.
    ...plan.binds.map((b) => `mkdir -p '${b.target}' && mount --bind '${b.source}' '${b.target}'`),
  ];
  let argv = [plan.command, ...plan.args];
  if (mounts.length > 0) {
    // sh -c '<mounts> && exec "$@"' sh <program...>: the program replaces the shell, keeping the recorded pid.
    const namespaces = ['--mount', ...(procs === undefined ? [] : ['--cgroup'])];
    argv = [
      'unshare',
      ...namespaces,
      '--propagation',
      'private',
      'sh',
      '-c',
      `${mounts.join(' && ')} && exec "$@"`,
      'sh',
      ...argv,
    ];
  }
  argv = ['ip', 'netns', 'exec', plan.ns, ...argv];
  if (procs !== undefined) argv = ['sh', '-c', 'echo $$ > "$0" && exec "$@"', procs, ...argv];
  const [command = 'ip', ...args] = argv;
  return launch(plan.service.name, command, args, { cwd: plan.cwd, env: plan.env, exe: plan.command });
}

async function probe(check: ReadyCheck, address: string): Promise<boolean> {
  if (check.kind === 'none') return true;
  if (check.kind === 'http') {
    try {
      const res = await fetch(check.url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }
  return tcpConnect(address, check.port, 2000).then(
    () => true,
    () => false,
  );
}

export function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((l) => `    ${l}`)
      .join('\n');
  } catch {
    return '    (no log)';
  }
}

/** A failure caused by another component's failure: not reported on its own. */
class Consequence extends Error {}

export async function waitReady(
  plan: Plan,
  proc: Launched,
  started: number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = started + READY_TIMEOUT_MS;
  for (;;) {
    if (signal.aborted)
      throw new Consequence(`${plan.service.name}: stopped waiting, another component failed`);
    const exited = proc.exited();
    if (exited !== undefined) {
      throw new Error(
        `${plan.service.name} ${exited} before it was ready; ${proc.record.log}:\n${logTail(proc.record.log)}`,
      );
    }
    if (await probe(plan.ready, plan.address)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${plan.service.name} not ready after ${formatDuration(READY_TIMEOUT_MS)} (${describeCheck(plan.ready)}); ` +
          `${proc.record.log}:\n${logTail(proc.record.log)}`,
      );
    }
    await sleep(1000);
  }
}

/** The container ports compose knows for a service (published and health-checked), as `:p1,p2`. */
function ports(plan: Plan): string {
  const all = new Set(plan.service.ports.map((p) => p.target));
  if (plan.ready.kind === 'tcp') all.add(plan.ready.port);
  if (plan.ready.kind === 'http') all.add(Number(new URL(plan.ready.url).port));
  return all.size === 0 ? '' : `:${[...all].join(',')}`;
}

export function describeCheck(check: ReadyCheck): string {
  return check.kind === 'http'
    ? `GET ${check.url}`
    : check.kind === 'tcp'
      ? `TCP :${String(check.port)}`
      : 'no check';
}

/** Forwards each published port from the host's 127.0.0.1 into the service's namespace. */
export function publish(plan: Plan): string[] {
  const urls: string[] = [];
  for (const p of plan.service.ports) {
    if (p.protocol !== 'tcp') continue;
    const hostIp = p.hostIp === '' || p.hostIp === '0.0.0.0' ? '127.0.0.1' : p.hostIp; // loopback only, as the plan binds
    launch(
      `publish-${plan.service.name}-${String(p.published)}`,
      'socat',
      [
        `TCP4-LISTEN:${String(p.published)},bind=${hostIp},reuseaddr,fork`,
        `TCP4:${plan.address}:${String(p.target)}`,
      ],
      { cwd: runRoot, env: { PATH: process.env.PATH ?? '' } },
    );
    urls.push(`http://${hostIp}:${String(p.published)}`);
  }
  return urls;
}

async function portFree(port: number): Promise<boolean> {
  return !(await probe({ kind: 'tcp', port }, '127.0.0.1'));
}

export async function up(opts: { keepOnFailure: boolean }): Promise<Row[]> {
  const t0 = Date.now();
  if (process.getuid?.() !== 0) {
    throw new Error('the native lab needs root: it creates network namespaces (`ip netns`) and a bridge');
  }
  if (existsSync(stateFile)) {
    throw new Error(`the native lab is already up (or was not stopped): run \`npm run native:down\` first`);
  }
  const compose = loadCompose();
  for (const s of Object.values(compose.services)) {
    for (const p of s.ports) {
      if (recipeOf(s.name).kind !== 'absent' && !(await portFree(p.published))) {
        throw new Error(
          `127.0.0.1:${String(p.published)} (${s.name}) is taken: another lab is running? (docker compose down)`,
        );
      }
    }
  }
  console.log('▸ build (cached in ~/.cache/otel-spm-lab)');
  const built: Built = { ...(await buildAll()), ...supplied() };
  const tBuilt = Date.now();
  console.log('▸ supplied by you, never built here (README: the native lab)');
  console.log(`  tempo: ${built.tempo ?? `left out: ${built.skipped?.tempo ?? ''}`}`);
  console.log(
    `  jaeger-ui: ${built.jaegerUi ?? `jaeger-query serves Jaeger's placeholder page: ${built.skipped?.['jaeger-ui'] ?? ''}`}`,
  );

  console.log('▸ network: one namespace per compose service');
  const addresses = addressPlan(Object.keys(compose.services));
  mkdirSync(runRoot, { recursive: true });
  const skipped = Object.fromEntries(
    Object.values(compose.services).flatMap((s) => {
      const reason = skipReason(s.name, built);
      return reason === undefined ? [] : [[s.name, reason]];
    }),
  );
  writeState({
    started: new Date().toISOString(),
    addresses: Object.fromEntries(addresses),
    skipped,
    supplied: {
      ...(built.tempo === undefined ? {} : { tempo: built.tempo }),
      ...(built.jaegerUi === undefined ? {} : { jaegerUi: built.jaegerUi }),
    },
  });
  // Ctrl-C while starting: stop what already started instead of leaving it half up.
  const interrupt = (): void => {
    console.error('\n▸ interrupted: stopping what started');
    void down({ volumes: false, quiet: true }).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  try {
    setupNetwork(addresses);
    const rows = await startAll(compose, addresses, built);
    process.off('SIGINT', interrupt);
    printTable(rows);
    console.log(
      `native lab up in ${formatDuration(Date.now() - t0)} (build/check ${formatDuration(tBuilt - t0)}, ` +
        `start ${formatDuration(Date.now() - tBuilt)}). Stop with: npm run native:down`,
    );
    return rows;
  } catch (err) {
    process.off('SIGINT', interrupt);
    if (!opts.keepOnFailure) {
      console.error('▸ stopping what started (use --keep-on-failure to inspect a half-started lab)');
      await down({ volumes: false, quiet: true });
    }
    throw err;
  }
}

/** Starts every service with a native recipe as soon as its depends_on conditions hold; all must get ready. */
async function startAll(
  compose: ComposeProject,
  addresses: ReadonlyMap<string, string>,
  built: Built,
): Promise<Row[]> {
  const plans = new Map<string, Plan>();
  for (const s of Object.values(compose.services)) {
    const plan = planService(s, addresses.get(s.name) ?? '', built);
    if (plan !== undefined) plans.set(s.name, plan);
  }

  const rows = new Map<string, Row>();
  const abort = new AbortController(); // the first failure stops the others' waiting
  const startedP = new Map<string, Promise<void>>();
  const readyP = new Map<string, Promise<void>>();
  const bring = (name: string): Promise<void> => {
    const existing = readyP.get(name);
    if (existing !== undefined) return existing;
    const plan = plans.get(name);
    if (plan === undefined) return Promise.resolve(); // not in the native lab: nothing to wait for
    let markStarted: () => void = () => undefined;
    startedP.set(name, new Promise<void>((resolve) => (markStarted = resolve)));
    const p = (async () => {
      try {
        await Promise.all(
          Object.entries(plan.service.dependsOn).map(([dep, condition]) => {
            const ready = bring(dep);
            return condition === 'service_started' ? (startedP.get(dep) ?? ready) : ready;
          }),
        );
      } catch {
        throw new Consequence(`${name}: not started, a dependency failed`);
      }
      if (abort.signal.aborted) throw new Consequence(`${name}: not started, another component failed`);
      const started = Date.now();
      console.log(`  ${name}: starting in ${plan.ns} (${plan.address})`);
      const proc = startPlan(plan);
      markStarted();
      try {
        await waitReady(plan, proc, started, abort.signal);
      } catch (err) {
        if (!(err instanceof Consequence)) abort.abort();
        throw err;
      }
      const urls = publish(plan);
      const missing = missingPart(name, built);
      console.log(
        `  ✓ ${name} ready in ${formatDuration(Date.now() - started)} (${describeCheck(plan.ready)})` +
          (missing === undefined ? '' : `; ${missing}`),
      );
      rows.set(name, {
        component: name,
        address: `${plan.address}${ports(plan)}`,
        url: urls.join(' '),
        log: path.relative(repoRoot, proc.record.log),
        status:
          `ready in ${formatDuration(Date.now() - started)}` + (missing === undefined ? '' : `; ${missing}`),
      });
    })();
    readyP.set(name, p);
    return p;
  };

  console.log('▸ start (docker-compose.yaml depends_on order)');
  const results = await Promise.allSettled([...plans.keys()].map(bring));
  const failures = results.filter(
    (r): r is PromiseRejectedResult => r.status === 'rejected' && !(r.reason instanceof Consequence),
  );
  if (results.some((r) => r.status === 'rejected')) {
    throw new AggregateError(
      failures.map((f) => f.reason as Error),
      'native lab did not come up',
    );
  }

  for (const s of Object.values(compose.services)) {
    const reason = skipReason(s.name, built);
    if (reason !== undefined) {
      rows.set(s.name, {
        component: s.name,
        address: `${addresses.get(s.name) ?? ''} (name resolves, nothing listens)`,
        url: s.ports.map((p) => `127.0.0.1:${String(p.published)} closed`).join(' '),
        log: '-',
        status: `not in the native lab: ${reason}`,
      });
    }
  }
  return Object.keys(compose.services)
    .map((name) => rows.get(name))
    .filter((r): r is Row => r !== undefined);
}

function printTable(rows: readonly Row[]): void {
  const cols: (keyof Row)[] = ['component', 'address', 'url', 'log', 'status'];
  const width = (c: keyof Row): number => Math.max(c.length, ...rows.map((r) => r[c].length));
  const line = (r: Record<keyof Row, string>): string =>
    cols.map((c, i) => (i === cols.length - 1 ? r[c] : r[c].padEnd(width(c)))).join('  ');
  console.log();
  console.log(line({ component: 'COMPONENT', address: 'ADDRESS', url: 'URL', log: 'LOG', status: 'STATUS' }));
  for (const r of rows) console.log(line(r));
  console.log();
}

if (import.meta.main) {
  try {
    await up({ keepOnFailure: process.argv.includes('--keep-on-failure') });
  } catch (err) {
    const errors = err instanceof AggregateError ? (err.errors as Error[]) : [err as Error];
    for (const e of errors) console.error(`✗ ${e.message}`);
    process.exit(1);
  }
}
