// Where the native lab keeps things: the repo it runs from, the build cache outside the repo, and the
// run directory (pid files, logs, data) inside the repo but gitignored (.native/).
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NATIVE_LOG_DIR, NATIVE_RUN_DIR, NATIVE_STATE_FILE } from '../../verify/native-lab.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `${XDG_CACHE_HOME:-~/.cache}/otel-spm-lab`: built binaries, keyed `<component>-<version>`. */
export const cacheRoot = path.join(
  process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'),
  'otel-spm-lab',
);

export function cacheDir(component: string, version: string): string {
  return path.join(cacheRoot, `${component}-${version.replace(/^v/, '')}`); // PROMETHEUS_VERSION has a leading v
}

/** The run folder, and where logs and the state file are: defined in verify/ (its compose tool reads them too). */
export const runRoot = NATIVE_RUN_DIR;
export const pidDir = path.join(runRoot, 'pids');
export const logDir = NATIVE_LOG_DIR;
/**
 * Set only by the bench (bench/main.ts): the lab's data (compose's volumes) in a folder of the bench's own, so a
 * bench run neither reads, adds to nor wipes the learner's .native/data.
 */
export const DATA_DIR_ENV = 'NATIVE_LAB_DATA_DIR';

/**
 * The data folder: .native/data, or the absolute path in NATIVE_LAB_DATA_DIR. `native:down --volumes` deletes
 * it, so a path that holds the repo (or is the run directory itself) is refused.
 */
export function dataDirFrom(env: Readonly<Record<string, string | undefined>>): string {
  const value = env[DATA_DIR_ENV];
  if (value === undefined || value.trim() === '') return path.join(runRoot, 'data');
  if (!path.isAbsolute(value)) throw new Error(`${DATA_DIR_ENV}=${value}: must be an absolute path`);
  const dir = path.resolve(value);
  const holdsRepo = !path.relative(dir, repoRoot).startsWith('..');
  if (holdsRepo || dir === runRoot)
    throw new Error(
      `${DATA_DIR_ENV}=${value}: must not hold the repo or be ${runRoot} (down --volumes deletes it)`,
    );
  return dir;
}

/** Per-component stand-in for a container's own filesystem (data paths that compose leaves in the image). */
export const dataDir = dataDirFrom(process.env);
/** Files the native lab generates for a component (e.g. cassandra.yaml), never the repo's configs. */
export const genDir = path.join(runRoot, 'generated');
/** The state `up` recorded (addresses, ports), read by `down`. */
export const stateFile = NATIVE_STATE_FILE;
