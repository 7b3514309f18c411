// Memory limits for the native lab: each component runs in a memory cgroup holding it to its compose
// `deploy.resources.limits.memory`, as Docker does with a container (cgroup v2 where the machine has it,
// v1 otherwise). The kernel OOM-kills a component that goes over, as it would on a learner's laptop, and the
// cgroup keeps the figures the tests and verify read back: peak, current anonymous memory, OOM kills.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = '/sys/fs/cgroup';
/** The lab's own parent group; one child per compose service. */
export const LAB_GROUP = 'otel-spm-lab';

export type CgroupVersion = 'v2' | 'v1';

export function cgroupVersion(root = ROOT): CgroupVersion | undefined {
  if (existsSync(path.join(root, 'cgroup.controllers'))) return 'v2';
  if (existsSync(path.join(root, 'memory', 'memory.limit_in_bytes'))) return 'v1';
  return undefined;
}

function labDir(version: CgroupVersion, root = ROOT): string {
  return version === 'v2' ? path.join(root, LAB_GROUP) : path.join(root, 'memory', LAB_GROUP);
}

export function groupDir(service: string, version: CgroupVersion, root = ROOT): string {
  return path.join(labDir(version, root), service);
}

/**
 * Creates (or resets) the service's group with `limitBytes` and returns the file a process writes its pid into
 * to join it. Throws with the reason when the machine gives no writable memory controller.
 */
export function prepareGroup(service: string, limitBytes: number, root = ROOT): string {
  const version = cgroupVersion(root);
  if (version === undefined) throw new Error(`no memory cgroup controller under ${root}`);
  const parent = labDir(version, root);
  mkdirSync(parent, { recursive: true });
  if (version === 'v2') {
    // Children can only limit memory when the parent delegates the controller.
    const control = path.join(parent, 'cgroup.subtree_control');
    if (!readFileSync(control, 'utf8').includes('memory')) writeFileSync(control, '+memory');
  }
  const dir = groupDir(service, version, root);
  // Fresh counters (peak, OOM kills) for every start; a group still holding processes cannot be reused.
  if (existsSync(dir) && !removeGroup(dir))
    throw new Error(`${service}: its memory cgroup ${dir} still holds processes (npm run native:down)`);
  mkdirSync(dir);
  if (version === 'v2') {
    writeFileSync(path.join(dir, 'memory.max'), String(limitBytes));
    writeFileSync(path.join(dir, 'memory.swap.max'), '0'); // Docker's default: swap limit = memory limit
  } else {
    writeFileSync(path.join(dir, 'memory.limit_in_bytes'), String(limitBytes));
    const memsw = path.join(dir, 'memory.memsw.limit_in_bytes'); // only with swap accounting on
    if (existsSync(memsw)) writeFileSync(memsw, String(limitBytes));
  }
  return path.join(dir, 'cgroup.procs');
}

/** Removes a group once its processes are gone (a group with members cannot be removed: left as it is). */
export function removeGroup(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

/** Removes every service group and the lab's parent group; returns the groups still holding processes. */
export function removeAllGroups(root = ROOT): string[] {
  const version = cgroupVersion(root);
  if (version === undefined) return [];
  const parent = labDir(version, root);
  if (!existsSync(parent)) return [];
  const busy = readdirSync(parent, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(parent, e.name))
    .filter((dir) => !removeGroup(dir));
  if (busy.length === 0) removeGroup(parent);
  return busy.map((d) => path.basename(d));
}

export interface MemoryUsage {
  service: string;
  limitBytes: number;
  /** Highest charge since the group was made (anonymous memory plus page cache). */
  peakBytes: number;
  /** Anonymous memory now: what cannot be reclaimed, so what pushes a component into the OOM killer. */
  anonBytes: number;
  oomKills: number;
}

function readNumber(file: string): number {
  return Number(readFileSync(file, 'utf8').trim());
}

function statField(text: string, key: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${key} `));
  return line === undefined ? 0 : Number(line.slice(key.length + 1));
}

/** What the kernel counted for one service's group, or undefined when it has none. */
export function readUsage(service: string, root = ROOT): MemoryUsage | undefined {
  const version = cgroupVersion(root);
  if (version === undefined) return undefined;
  const dir = groupDir(service, version, root);
  if (!existsSync(dir)) return undefined;
  if (version === 'v2') {
    const stat = readFileSync(path.join(dir, 'memory.stat'), 'utf8');
    const events = readFileSync(path.join(dir, 'memory.events'), 'utf8');
    const peakFile = path.join(dir, 'memory.peak'); // kernel 5.19+
    return {
      service,
      limitBytes: readNumber(path.join(dir, 'memory.max')),
      peakBytes: existsSync(peakFile) ? readNumber(peakFile) : readNumber(path.join(dir, 'memory.current')),
      anonBytes: statField(stat, 'anon'),
      oomKills: statField(events, 'oom_kill'),
    };
  }
  const stat = readFileSync(path.join(dir, 'memory.stat'), 'utf8');
  const oom = readFileSync(path.join(dir, 'memory.oom_control'), 'utf8');
  return {
    service,
    limitBytes: readNumber(path.join(dir, 'memory.limit_in_bytes')),
    peakBytes: readNumber(path.join(dir, 'memory.max_usage_in_bytes')),
    anonBytes: statField(stat, 'total_rss'),
    oomKills: statField(oom, 'oom_kill'),
  };
}

/** Share of the limit at or above which anonymous memory counts as pinned at the limit. */
export const PINNED_SHARE = 0.95;

/** What is wrong with a component's memory, or undefined when it is fine. */
export function memoryProblem(u: MemoryUsage): string | undefined {
  const mib = (b: number): string => `${String(Math.round(b / 2 ** 20))} MiB`;
  if (u.oomKills > 0)
    return `${u.service}: OOM-killed ${String(u.oomKills)}× at its ${mib(u.limitBytes)} limit`;
  if (u.anonBytes >= PINNED_SHARE * u.limitBytes)
    return `${u.service}: ${mib(u.anonBytes)} anonymous memory, pinned at its ${mib(u.limitBytes)} limit`;
  return undefined;
}
