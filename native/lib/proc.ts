// Running child processes for the native lab: build steps with visible progress and a full log file.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${String(s)}s` : `${String(Math.floor(s / 60))}m${String(s % 60).padStart(2, '0')}s`;
}

export interface StepOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Every line of output goes here; the terminal only sees a heartbeat with the latest line. */
  logFile: string;
}

/**
 * Runs one build step. Prints a heartbeat every 10 s (elapsed time and the step's latest output line),
 * so a cold Go build that takes minutes never looks stuck. Rejects with the log's tail on failure.
 */
export async function step(
  label: string,
  cmd: string,
  args: readonly string[],
  opts: StepOptions,
): Promise<void> {
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  log.write(`\n$ ${[cmd, ...args].join(' ')}\n`);
  const started = Date.now();
  let last = '(no output yet)';
  const tail: string[] = [];
  const onData = (chunk: Buffer): void => {
    log.write(chunk);
    for (const line of chunk.toString('utf8').split('\n')) {
      const trimmed = line.trim();
      if (trimmed === '') continue;
      last = trimmed;
      tail.push(trimmed);
      if (tail.length > 25) tail.shift();
    }
  };
  console.log(`  ${label}: ${[path.basename(cmd), ...args].join(' ').slice(0, 140)}`);
  const timer = setInterval(() => {
    console.log(`  ${label}: ${formatDuration(Date.now() - started)} … ${last.slice(0, 120)}`);
  }, 10_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(cmd, args, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) {
      throw new Error(
        `${label}: \`${[cmd, ...args].join(' ')}\` exited with ${String(code)}; last lines (full log: ${opts.logFile}):\n` +
          tail.map((l) => `    ${l}`).join('\n'),
      );
    }
  } finally {
    clearInterval(timer);
    await new Promise<void>((resolve) => log.end(resolve));
  }
}

/** Runs a short command synchronously and returns its stdout; throws with stderr on failure. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { input?: string; allowFail?: boolean } = {},
): string {
  const res = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input });
  if (res.error !== undefined) throw new Error(`${cmd}: ${res.error.message}`);
  if (res.status !== 0 && opts.allowFail !== true) {
    throw new Error(
      `\`${[cmd, ...args].join(' ')}\` exited with ${String(res.status)}: ${res.stderr.trim()}`,
    );
  }
  return res.stdout;
}

export function commandExists(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
