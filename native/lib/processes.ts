// Long-running lab processes: started detached with output to a log file, remembered in a pid file
// (.native/pids/<name>.json), stopped by pid (never by name).
import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  closeSync,
} from 'node:fs';
import path from 'node:path';
import { logDir, pidDir } from './paths.ts';

export interface PidRecord {
  name: string;
  pid: number;
  /** argv[0] as launched, checked against /proc before signalling so a recycled pid is never hit. */
  exe: string;
  log: string;
}

export interface Launched {
  record: PidRecord;
  child: ChildProcess;
  /** Set when the process has exited (code or signal), while this Node process watches it. */
  exited: () => string | undefined;
}

export function launch(
  name: string,
  command: string,
  args: readonly string[],
  opts: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    /** the program that ends up running (after `ip netns exec`) */ exe?: string;
  },
): Launched {
  mkdirSync(pidDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const log = path.join(logDir, `${name}.log`);
  const fd = openSync(log, 'a');
  writeFileSync(fd, `\n==== ${new Date().toISOString()} ${[command, ...args].join(' ')}\n`);
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  let exit: string | undefined;
  child.on('exit', (code, signal) => {
    exit = signal === null ? `exited with code ${String(code)}` : `killed by ${signal}`;
  });
  child.on('error', (err) => {
    exit = err.message;
  });
  child.unref();
  const record: PidRecord = { name, pid: child.pid, exe: opts.exe ?? command, log };
  writeFileSync(path.join(pidDir, `${name}.json`), JSON.stringify(record));
  return { record, child, exited: () => exit };
}

export function pidRecords(): PidRecord[] {
  if (!existsSync(pidDir)) return [];
  return readdirSync(pidDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(pidDir, f), 'utf8')) as PidRecord);
}

/** True when `pid` still runs the program it was started as (ip netns exec replaces itself with it). */
export function isOurs(record: PidRecord): boolean {
  try {
    const cmdline = readFileSync(`/proc/${String(record.pid)}/cmdline`, 'utf8').split('\0');
    const stat = readFileSync(`/proc/${String(record.pid)}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z/.test(stat)) return false; // a zombie is already dead
    return cmdline.some((arg) => path.basename(arg) === path.basename(record.exe) || arg === record.exe);
  } catch {
    return false;
  }
}

/** SIGTERM every recorded process, wait up to `graceMs`, SIGKILL the rest; removes the pid files. */
export async function stopAll(records: readonly PidRecord[], graceMs: number): Promise<string[]> {
  const report: string[] = [];
  const alive = records.filter(isOurs);
  for (const r of alive) signal(r.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive.some(isOurs) && Date.now() < deadline) await sleep(200);
  for (const r of alive) {
    if (isOurs(r)) {
      signal(r.pid, 'SIGKILL');
      report.push(`${r.name} (pid ${String(r.pid)}) did not stop in ${String(graceMs / 1000)}s: killed`);
    } else {
      report.push(`${r.name} (pid ${String(r.pid)}) stopped`);
    }
  }
  for (const r of records) rmSync(path.join(pidDir, `${r.name}.json`), { force: true });
  return report;
}

/** SIGKILL every recorded process at once (a crash: no grace, no flush), waits until gone; removes the pid files. */
export async function killAll(records: readonly PidRecord[]): Promise<string[]> {
  const alive = records.filter(isOurs);
  for (const r of alive) signal(r.pid, 'SIGKILL');
  const deadline = Date.now() + 5_000;
  while (alive.some(isOurs) && Date.now() < deadline) await sleep(100);
  for (const r of records) rmSync(path.join(pidDir, `${r.name}.json`), { force: true });
  return alive.map((r) => `${r.name} (pid ${String(r.pid)}) killed`);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
