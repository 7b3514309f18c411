// One native lab for the whole end-to-end run (node --test --test-global-setup): `npm run native:up` (it builds
// what is missing: ~12 min cold, its progress printed as it goes), then the lab's load in the background for the
// whole run, as k6 runs in the compose lab (`native:load`, bounded). Teardown stops the load and runs
// `npm run native:down`, also when a test failed; on Ctrl-C or SIGTERM (a CI timeout) too. A lab that is already
// up is left alone: the suite refuses to start rather than tear down someone's lab; a lab that is down loses its
// data (.native/data), so every run starts from the fresh volumes of a clean clone.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { logDir, repoRoot, stateFile } from '../../native/lib/paths.ts';
import { forgetFaults, LOAD_PID_ENV, LOAD_STARTED_ENV, logTails, npmRun } from './lab.ts';

/** The most native:up (with a cold build) may take before the run fails instead of hanging. */
const UP_TIMEOUT_MS = 45 * 60_000;

/** Safety bound of the background load; teardown stops it long before. */
const LOAD_BOUND = '30m';
/** One virtual user, as compose's k6 by default (K6_VUS in .env): the lab's ambient traffic; tests add their own. */
const LOAD_VUS = '1';

let load: ChildProcess | undefined;

async function stopLoad(): Promise<void> {
  const child = load;
  load = undefined;
  if (child === undefined) return;
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  if (!running()) return;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  child.kill('SIGTERM');
  await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  if (running()) child.kill('SIGKILL');
}

async function down(): Promise<void> {
  await stopLoad();
  console.log('e2e: npm run native:down');
  const result = await npmRun('native:down', [], { echo: true, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`npm run native:down exited with ${String(result.code)}`);
}

/** Ctrl-C or a CI timeout while the lab runs: take it down before exiting. */
function onSignal(signal: NodeJS.Signals): void {
  console.error(`\ne2e: ${signal}: stopping the load and the native lab`);
  if (load?.pid !== undefined) load.kill('SIGKILL');
  spawnSync('npm', ['run', '--silent', 'native:down'], { cwd: repoRoot, stdio: 'inherit' });
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

export async function globalSetup(): Promise<void> {
  if (existsSync(stateFile)) {
    throw new Error(
      'a native lab is already up (.native/state.json): the end-to-end suite starts its own. Stop it first: npm run native:down',
    );
  }
  // Fresh volumes, as a clean CI clone has them: Prometheus restarted on old data would serve the previous
  // lab's counters (e.g. exporter failures) for 5 minutes, and Jaeger would find earlier runs' traces.
  const wipe = await npmRun('native:down', ['--volumes'], { timeoutMs: 60_000 });
  if (wipe.code !== 0) throw new Error(`npm run native:down -- --volumes failed:\n${wipe.output}`);
  forgetFaults();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = Date.now();
  console.log('e2e: npm run native:up (builds what is missing first: about 12 min on a cold cache)');
  // Bounded like every e2e file: a cold build plus the start take ~20 min on 2 cores (BENCHMARKS.md).
  const up = await npmRun('native:up', [], { echo: true, timeoutMs: UP_TIMEOUT_MS });
  if (up.code !== 0) {
    console.log(`\n===== native:up failed: component logs =====\n${logTails()}\n=====`);
    await down();
    throw new Error(`npm run native:up exited with ${String(up.code)}`);
  }
  console.log(`e2e: lab up in ${String(Math.round((Date.now() - started) / 1000))}s`);

  // native/load.ts is what `npm run native:load` runs; started directly so its pid is the process to stop.
  mkdirSync(logDir, { recursive: true });
  const log = path.join(logDir, 'e2e-load.log');
  const fd = openSync(log, 'a');
  load = spawn(process.execPath, ['native/load.ts', '--duration', LOAD_BOUND, '--vus', LOAD_VUS], {
    cwd: repoRoot,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  process.env[LOAD_STARTED_ENV] = String(Date.now());
  process.env[LOAD_PID_ENV] = String(load.pid);
  console.log(`e2e: load running in the background (${LOAD_VUS} VUs, log ${path.relative(repoRoot, log)})`);
}

export async function globalTeardown(): Promise<void> {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await down();
}
