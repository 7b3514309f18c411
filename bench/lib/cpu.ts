// CPU isolation for the instrumentation-overhead runs. On a 2-core machine the service under test, the load
// generator and the whole telemetry pipeline (collector, Jaeger, Cassandra) would otherwise take turns on the
// same cores, and the "with" runs, whose spans make the pipeline busy, would be measured on a busier machine
// than the "without" runs. So the service under test gets the last CPU to itself (`taskset` at its start) and
// everything else, the bench process (autocannon) included, is moved to the other CPUs for the duration;
// `restore` gives every process all CPUs again. The bench's main thread (autocannon's event loop) also runs at
// a higher priority meanwhile, so that the pipeline's threads on its CPU do not delay when it reads an answer
// (and in real time during light loads, where it is idle between requests and cannot starve anything). This
// is what a learner's laptop with spare cores looks like to a service: its spans still go through the real
// pipeline, which now runs beside it instead of on it.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export interface CpuSplit {
  /** The CPU the service under test runs on, alone. */
  service: number;
  /** The CPUs everything else runs on (a taskset list, e.g. "0" or "0-6"). */
  rest: string;
  /** All CPUs (to restore). */
  all: string;
}

/** The split for `count` CPUs (ids 0..count-1), or undefined on one CPU (nothing to split). */
export function cpuSplit(count: number): CpuSplit | undefined {
  if (!Number.isInteger(count) || count < 2) return undefined;
  const last = count - 1;
  return {
    service: last,
    rest: last === 1 ? '0' : `0-${String(last - 1)}`,
    all: `0-${String(last)}`,
  };
}

/** Sets the CPU affinity of every thread of `pid` (threads started later inherit it). */
export function setAffinity(pid: number, cpus: string): void {
  const r = spawnSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus, String(pid)], {
    encoding: 'utf8',
  });
  // A process that exited meanwhile is not an error: there is nothing left to move.
  if (r.status !== 0 && !/No such process|failed to get pid/i.test(r.stderr))
    throw new Error(`taskset ${cpus} ${String(pid)}: ${r.stderr.trim() || String(r.error)}`);
}

/** Nice value of the bench's main thread during the runs (-20..19; lower wins the CPU). */
const LOAD_GENERATOR_NICE = -10;

export interface Isolation {
  split: CpuSplit;
  /** Prefix for the command of the service under test: it starts on its own CPU. */
  prefix: string[];
  /** Switches the bench's main thread to real-time scheduling (SCHED_FIFO) and back. */
  realtime: (on: boolean) => void;
  restore: () => void;
}

function chrt(args: readonly string[]): void {
  const r = spawnSync('chrt', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`chrt ${args.join(' ')}: ${r.stderr.trim() || String(r.error)}`);
}

/**
 * Moves `pids` (the lab's processes) and this process to `rest`, leaving `service` free for the service under
 * test; undefined when the machine has one CPU.
 */
export function isolate(pids: readonly number[]): Isolation | undefined {
  const split = cpuSplit(os.availableParallelism());
  if (split === undefined) return undefined;
  const moved = [process.pid, ...pids];
  for (const pid of moved) setAffinity(pid, split.rest);
  const nice = os.getPriority();
  os.setPriority(LOAD_GENERATOR_NICE); // the calling thread: the event loop autocannon runs on
  return {
    split,
    prefix: ['taskset', '--cpu-list', String(split.service)],
    // The main thread only (its tid is the pid): autocannon's event loop.
    realtime: (on) => {
      chrt(
        on ? ['--fifo', '--pid', '10', String(process.pid)] : ['--other', '--pid', '0', String(process.pid)],
      );
    },
    restore: () => {
      os.setPriority(nice);
      for (const pid of moved) setAffinity(pid, split.all);
    },
  };
}
