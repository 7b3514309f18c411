// Finds the real component binaries the native lab builds (npm run native:build) in its cache, so the static
// tests can run each component's own config validator when the binary is there.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { readDotEnv } from '../../verify/compose.ts';

const cacheRoot = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'otel-spm-lab');

/**
 * `<cache>/otel-spm-lab/<component>-<version>/bin/<binary>`, version from .env (a leading `v` dropped),
 * or undefined when the native lab has not built it on this machine.
 */
export function nativeBinary(component: string, versionVariable: string, binary: string): string | undefined {
  const version = readDotEnv()[versionVariable]?.replace(/^v/, '');
  if (version === undefined) {
    throw new Error(`${versionVariable} is not set in .env`);
  }
  const path = join(cacheRoot, `${component}-${version}`, 'bin', binary);
  return existsSync(path) ? path : undefined;
}

/** The `skip` option for a test that needs a binary the native lab builds. */
export function skipUnlessBuilt(path: string | undefined, what: string): { skip?: string } {
  return path === undefined ? { skip: `${what} is not built yet (npm run native:build builds it)` } : {};
}
