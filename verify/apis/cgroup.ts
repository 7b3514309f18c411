// The native lab's memory cgroups, read back (native/lib/cgroup.ts makes them): one group per compose service
// under the lab's parent group, holding the component to its compose memory limit. cgroup v2 where the machine
// has it, v1 otherwise.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Where the machine mounts its cgroup controllers. */
export const CGROUP_ROOT = '/sys/fs/cgroup';
/** The lab's own parent group; one child per compose service. */
export const LAB_GROUP = 'otel-spm-lab';

export type CgroupVersion = 'v2' | 'v1';

export function cgroupVersion(root = CGROUP_ROOT): CgroupVersion | undefined {
  if (existsSync(path.join(root, 'cgroup.controllers'))) return 'v2';
  if (existsSync(path.join(root, 'memory', 'memory.limit_in_bytes'))) return 'v1';
  return undefined;
}

export function labDir(version: CgroupVersion, root = CGROUP_ROOT): string {
  return version === 'v2' ? path.join(root, LAB_GROUP) : path.join(root, 'memory', LAB_GROUP);
}

export function groupDir(service: string, version: CgroupVersion, root = CGROUP_ROOT): string {
  return path.join(labDir(version, root), service);
}

/** The services that have a group under the lab's parent group (the components the native lab runs). */
export function labGroups(root = CGROUP_ROOT): string[] {
  const version = cgroupVersion(root);
  if (version === undefined) return [];
  const parent = labDir(version, root);
  if (!existsSync(parent)) return [];
  return readdirSync(parent, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
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
export function readUsage(service: string, root = CGROUP_ROOT): MemoryUsage | undefined {
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
