// Memory limits for the native lab: each component runs in a memory cgroup holding it to its compose
// `deploy.resources.limits.memory`, as Docker does with a container (cgroup v2 where the machine has it,
// v1 otherwise). The kernel OOM-kills a component that goes over, as it would on a learner's laptop; verify
// and the tests read the figures back (verify/apis/cgroup.ts): peak, anonymous memory, OOM kills.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CGROUP_ROOT, cgroupVersion, groupDir, labDir, labGroups } from '../../verify/apis/cgroup.ts';

/**
 * Creates (or resets) the service's group with `limitBytes` and returns the file a process writes its pid into
 * to join it. Throws with the reason when the machine gives no writable memory controller.
 */
export function prepareGroup(service: string, limitBytes: number, root = CGROUP_ROOT): string {
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

/** Shell commands that mount the memory controller at /sys/fs/cgroup inside a new mount and cgroup namespace. */
export function cgroupMounts(root = CGROUP_ROOT): string[] {
  return cgroupVersion(root) === 'v2'
    ? ['mount -t cgroup2 cgroup2 /sys/fs/cgroup']
    : [
        'mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup',
        'mkdir /sys/fs/cgroup/memory',
        'mount -t cgroup -o memory cgroup /sys/fs/cgroup/memory',
      ];
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
export function removeAllGroups(root = CGROUP_ROOT): string[] {
  const version = cgroupVersion(root);
  if (version === undefined) return [];
  const parent = labDir(version, root);
  const busy = labGroups(root).filter((service) => !removeGroup(path.join(parent, service)));
  if (busy.length === 0 && existsSync(parent)) removeGroup(parent);
  return busy;
}
