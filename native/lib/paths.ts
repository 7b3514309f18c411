// Where the native lab keeps things: the repo it runs from, the build cache outside the repo, and the
// run directory (pid files, logs, data) inside the repo but gitignored (.native/).
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `${XDG_CACHE_HOME:-~/.cache}/otel-spm-lab`: built binaries, keyed `<component>-<version>`. */
export const cacheRoot = path.join(
  process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'),
  'otel-spm-lab',
);

export function cacheDir(component: string, version: string): string {
  return path.join(cacheRoot, `${component}-${version.replace(/^v/, '')}`); // PROMETHEUS_VERSION has a leading v
}

export const runRoot = path.join(repoRoot, '.native');
export const pidDir = path.join(runRoot, 'pids');
export const logDir = path.join(runRoot, 'logs');
/** Per-component stand-in for a container's own filesystem (data paths that compose leaves in the image). */
export const dataDir = path.join(runRoot, 'data');
/** Files the native lab generates for a component (e.g. cassandra.yaml), never the repo's configs. */
export const genDir = path.join(runRoot, 'generated');
/** The state `up` recorded (addresses, ports), read by `down`. */
export const stateFile = path.join(runRoot, 'state.json');
