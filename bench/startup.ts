// native:up, timed from the outside: the wall-clock time from `node native/up.ts` to its exit once every
// component answered its readiness check: cold (empty build cache and data: everything compiled, Cassandra's
// schema created), fresh (build cache current, data deleted: a first start of built components) and warm
// (both kept: a restart). Each start is also timed to "all green": from native:up's start until the lab doctor
// (`npm run verify -- --wait`) passes every check, with the lab's default load (1 VU) started as soon as
// native:up returns, as compose starts k6 with the lab.
// The data is the bench's own (NATIVE_LAB_DATA_DIR, set by bench/main.ts), never the learner's .native/data.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDuration } from '../verify/duration.ts';
import { runNative, runVerify, startLoad, type ScriptResult } from './lib/lab.ts';

export type StartKind = 'cold' | 'fresh' | 'warm';

export interface UpSample {
  kind: StartKind;
  ms: number;
  /** native:up's own split: build/check, then starting the components (from its last line). */
  buildMs: number;
  startMs: number;
  /** Each component's time from start to ready, as native:up printed it. */
  components: Record<string, number>;
  /** native:up's start -> `verify --wait` passed every check (verify retries every 3 s). */
  greenMs: number;
}

/** How long verify may retry before the start counts as never green. */
export const GREEN_WAIT = '5m';

/** Reads native:up's summary (`native lab up in 1m05s (build/check 12s, start 53s)`) and `✓ x ready in 9s` lines. */
export function parseUpOutput(output: string): Omit<UpSample, 'kind' | 'ms' | 'greenMs'> {
  const total = /native lab up in (\S+) \(build\/check (\S+), start (\S+)\)/.exec(output);
  const components: Record<string, number> = {};
  for (const m of output.matchAll(/✓ (\S+) ready in (\S+)/g)) {
    if (m[1] !== undefined && m[2] !== undefined) components[m[1]] = parseDuration(m[2]);
  }
  return {
    buildMs: total?.[2] === undefined ? Number.NaN : parseDuration(total[2]),
    startMs: total?.[3] === undefined ? Number.NaN : parseDuration(total[3]),
    components,
  };
}

function failure(what: string, r: ScriptResult): Error {
  const tail = r.output.trim().split('\n').slice(-12).join('\n    ');
  return new Error(`${what} failed (exit ${String(r.code)}); log ${r.log}:\n    ${tail}`);
}

export async function labDown(volumes: boolean, logName: string): Promise<void> {
  const r = await runNative('down', volumes ? ['--volumes'] : [], { logName });
  if (r.code !== 0) throw failure('native:down', r);
}

/** Makes sure the build cache is current (untimed), so that a warm start measures a warm start. */
export async function ensureBuilt(): Promise<void> {
  const r = await runNative('build', [], { logName: 'build' });
  if (r.code !== 0) throw failure('native:build', r);
}

export async function timedUp(kind: StartKind, logName: string, env?: NodeJS.ProcessEnv): Promise<UpSample> {
  const r = await runNative('up', [], { logName, ...(env === undefined ? {} : { env }) });
  if (r.code !== 0) throw failure(`native:up (${kind})`, r);
  const load = startLoad(1, 10 * 60_000, `${logName}-load`);
  try {
    const v = await runVerify(['--wait', GREEN_WAIT], `${logName}-verify`);
    if (v.code !== 0) throw failure(`verify after native:up (${kind})`, v);
    return { kind, ms: r.ms, greenMs: r.ms + v.ms, ...parseUpOutput(r.output) };
  } finally {
    load.stop();
    await load.done;
  }
}

/**
 * A cold start: native:up with XDG_CACHE_HOME (and so Go's build cache, GOCACHE) in an empty temporary
 * directory, so the collector, Jaeger and Prometheus are compiled and Cassandra's jars copied from scratch,
 * and with the lab's data deleted first (Cassandra starts empty and Jaeger creates its schema). Go's module
 * download cache and Maven's local repository stay: downloads are not builds, and this machine's registries
 * are mirrors whose speed says nothing about a learner's network. The lab is brought down again and the
 * temporary cache deleted.
 */
export async function coldUp(): Promise<UpSample> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'spm-bench-cold-'));
  try {
    await labDown(true, 'down-before-cold');
    const env = { ...process.env, XDG_CACHE_HOME: tmp, GOCACHE: path.join(tmp, 'go-build') };
    const sample = await timedUp('cold', 'up-cold', env);
    await labDown(false, 'down-after-cold');
    return sample;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * A start with the build cache current and the lab's data deleted first (Cassandra empty, Jaeger creating its
 * schema, Prometheus with no history), brought down again after. It also leaves the run's later phases nothing
 * of an earlier run's data: a Prometheus restarted on old data serves the previous lab's counters for minutes.
 */
export async function freshUp(): Promise<UpSample> {
  await labDown(true, 'down-before-fresh');
  const sample = await timedUp('fresh', 'up-fresh');
  await labDown(false, 'down-after-fresh');
  return sample;
}
