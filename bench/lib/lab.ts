// The bench drives the native lab the way a learner does: `native/up.ts`, `native/down.ts` and
// `native/load.ts` as child processes (their own output goes to .native/bench/*.log), and reads what it
// needs from what native:up recorded (addresses in .native/state.json, pids in .native/pids/) and /proc.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { logDir, repoRoot, runRoot } from '../../native/lib/paths.ts';
import { readState } from '../../native/lib/state.ts';
import { isOurs, pidRecords } from '../../native/lib/processes.ts';

/** Where the bench keeps the logs of what it ran (gitignored, like the rest of .native/). */
export const benchLogDir = path.join(runRoot, 'bench');

export interface ScriptResult {
  code: number | null;
  ms: number;
  output: string;
  log: string;
}

/**
 * Runs `node native/<script>.ts …` to its end, its output into a log file; prints a heartbeat with the
 * latest line every 30 s so a long cold build never looks stuck.
 */
export function runNative(
  script: 'up' | 'down' | 'build' | 'stop' | 'start',
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; logName: string },
): Promise<ScriptResult> {
  return runScript(path.join('native', `${script}.ts`), args, opts);
}

/** `npm run verify -- …` of the native lab (verify/main.ts), the same way. */
export function runVerify(args: readonly string[], logName: string): Promise<ScriptResult> {
  return runScript(path.join('verify', 'main.ts'), ['--lab', 'native', '--log-dir', logDir, ...args], {
    logName,
  });
}

/** Another of the lab's tools (e.g. faults/main.ts, as `npm run fault` runs it), the same way. */
export function runTool(file: string, args: readonly string[], logName: string): Promise<ScriptResult> {
  return runScript(file, args, { logName });
}

async function runScript(
  file: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; logName: string },
): Promise<ScriptResult> {
  mkdirSync(benchLogDir, { recursive: true });
  const log = path.join(benchLogDir, `${opts.logName}.log`);
  const out = createWriteStream(log);
  let output = '';
  let last = '';
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(repoRoot, file), ...args], {
    cwd: repoRoot,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onData = (chunk: Buffer): void => {
    out.write(chunk);
    const text = chunk.toString('utf8');
    output += text;
    last = text.trim().split('\n').at(-1) ?? last;
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const heartbeat = setInterval(() => {
    console.log(`    … ${String(Math.round((performance.now() - started) / 1000))}s: ${last.slice(0, 110)}`);
  }, 30_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    return { code, ms: performance.now() - started, output, log };
  } finally {
    clearInterval(heartbeat);
    await new Promise<void>((resolve) => out.end(resolve));
  }
}

export { labIsUp } from '../../native/lib/state.ts';

/** Compose host name -> the native lab's address of its namespace (written by native:up). */
export function labAddresses(): Map<string, string> {
  return new Map(Object.entries(readState().addresses));
}

export function labAddress(service: string): string {
  const address = labAddresses().get(service);
  if (address === undefined) throw new Error(`the native lab has no address for ${service}`);
  return address;
}

/** The lab's running processes by component name (port forwarders are named `publish-<service>-<port>`). */
export function labProcesses(): { name: string; pid: number }[] {
  return pidRecords()
    .filter(isOurs)
    .map((r) => ({ name: r.name, pid: r.pid }));
}

/** The pids of the lab's running components among `names`. */
export function labPids(names: readonly string[]): number[] {
  return labProcesses()
    .filter((p) => names.includes(p.name))
    .map((p) => p.pid);
}

export interface Load {
  pid: number;
  /** Resolves when the load generator exits, with its last summary line. */
  done: Promise<{ code: number | null; summary: string }>;
  stop: () => void;
}

/** `native/load.ts`: the lab's own load plan (k6/plan.ts), `vus` virtual users, 0.5 s pause, bounded. */
export function startLoad(vus: number, durationMs: number, logName: string): Load {
  mkdirSync(benchLogDir, { recursive: true });
  const out = createWriteStream(path.join(benchLogDir, `${logName}.log`));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'native', 'load.ts'),
      '--vus',
      String(vus),
      '--pause',
      '0.5',
      '--duration',
      `${String(Math.ceil(durationMs / 1000))}s`,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const onData = (chunk: Buffer): void => {
    out.write(chunk);
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  if (child.pid === undefined) throw new Error('could not start native/load.ts');
  const done = new Promise<{ code: number | null; summary: string }>((resolve) => {
    child.on('close', (code) => {
      out.end();
      const summary = /^\d+ requests in .*$/m.exec(output)?.[0] ?? output.trim().split('\n').at(-1) ?? '';
      resolve({ code, summary });
    });
  });
  return {
    pid: child.pid,
    done,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}

// ---- /proc ----

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
export const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

export interface ProcSample {
  /** Resident set size, bytes (VmRSS). */
  rss: number;
  /** Proportional set size, bytes: shared pages divided among the processes sharing them (smaps_rollup). */
  pss: number;
  /** user + system CPU time, seconds. */
  cpuSeconds: number;
}

function kbField(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m?.[1] === undefined ? Number.NaN : Number(m[1]) * 1024;
}

/** One process's memory and CPU time, or undefined when it is gone. Needs root for other users' processes. */
export function readProc(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    const rollup = readFileSync(`/proc/${String(pid)}/smaps_rollup`, 'utf8');
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { rss: kbField(status, 'VmRSS'), pss: kbField(rollup, 'Pss'), cpuSeconds: ticks / CLK_TCK };
  } catch {
    return undefined;
  }
}

/** Total CPU seconds of a set of processes (0 for those gone). */
export function cpuSecondsOf(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (readProc(pid)?.cpuSeconds ?? 0), 0);
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
