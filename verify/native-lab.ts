// Whether the native lab (`npm run native:up`) is up in this checkout: verify then checks it without being told
// (`--lab native`), with its log folder for the hints and the components native:up left out reported skipped
// with native:up's reason. The run folder is defined here, inside verify/ (the only folder the compose tool
// mounts), and native/lib/paths.ts takes it from here.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './compose.ts';

/** The native lab's run folder (pids, logs, data, state), gitignored. */
export const NATIVE_RUN_DIR = path.join(REPO_ROOT, '.native');
/** What native:up records about the running lab; it exists exactly while the lab is up. */
export const NATIVE_STATE_FILE = path.join(NATIVE_RUN_DIR, 'state.json');
/** Where the native lab writes `<compose service>.log`. */
export const NATIVE_LOG_DIR = path.join(NATIVE_RUN_DIR, 'logs');

export interface NativeLabSeen {
  logDir: string;
  /** Compose service -> why native:up left it out. */
  skipped: Record<string, string>;
}

/** The native lab of this checkout when it is up (its state file), else undefined. */
export function nativeLabUp(stateFile = NATIVE_STATE_FILE): NativeLabSeen | undefined {
  if (!existsSync(stateFile)) return undefined;
  let skipped: Record<string, string> = {};
  try {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { skipped?: Record<string, string> };
    skipped = state.skipped ?? {};
  } catch {
    // a state file being written right now: the lab is up, its skips unknown for this run
  }
  return { logDir: path.join(path.dirname(stateFile), 'logs'), skipped };
}
