// The two parts of the compose lab that no package registry this project reaches serves, and that the project
// never builds: Tempo (its Go module is AGPL, refused by the Go proxy) and the real Jaeger UI (not in Jaeger's Go
// module, which serves a placeholder page). The native lab runs them only from what a user supplies:
//   TEMPO_BINARY   Grafana's release binary of TEMPO_VERSION for this OS (else `tempo` on PATH); native:up asks it
//                  for its version and refuses another one
//   JAEGER_UI_DIR  the built Jaeger UI of the release the pinned Jaeger embeds (jaeger-ui's release assets.tar.gz,
//                  unpacked); jaeger-query serves it through ui.assets_path
// Without them the lab leaves Tempo out and jaeger-query serves the placeholder page; native:up, verify and the
// tests say so in one line each.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const TEMPO_BINARY_ENV = 'TEMPO_BINARY';
export const JAEGER_UI_ENV = 'JAEGER_UI_DIR';

/** A supplied part: where it is, or why it is left out (with how to bring it). */
export type Supplied = { found: true; path: string } | { found: false; reason: string };

/** Where a release binary of Tempo is published, for the hint. */
function tempoRelease(version: string): string {
  return `https://github.com/grafana/tempo/releases/tag/v${version}`;
}

/** How a user brings Tempo: one line, used in every "left out" message. */
export function tempoHint(version: string): string {
  return (
    `set ${TEMPO_BINARY_ENV} to the tempo ${version} release binary for your OS (${tempoRelease(version)}), ` +
    'or put it on PATH as `tempo`'
  );
}

/** How a user brings the Jaeger UI: one line. */
export function jaegerUiHint(uiVersion: string): string {
  return (
    `set ${JAEGER_UI_ENV} to the folder of jaeger-ui ${uiVersion}'s built UI (its release's assets.tar.gz, ` +
    `https://github.com/jaegertracing/jaeger-ui/releases/tag/v${uiVersion}, unpacked: the folder with index.html)`
  );
}

/** The version a Tempo binary prints for `--version` ("tempo, version 3.0.3 (branch: …)"), else undefined. */
export function parseTempoVersion(output: string): string | undefined {
  return /\bversion v?(\d+\.\d+\.\d+[^\s,()]*)/.exec(output)?.[1];
}

/** The first executable `name` on PATH, else undefined. */
function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, name);
    if (isExecutableFile(file)) return file;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Tempo from TEMPO_BINARY, else `tempo` on PATH: found when it is the pinned version; left out (with the hint)
 * when there is none. A binary that is named but missing, not executable, or of another version is refused: it
 * throws, in one line naming both versions, rather than run a Tempo the lab was not written for.
 */
export function findTempo(version: string, env: NodeJS.ProcessEnv = process.env): Supplied {
  const wanted = version.replace(/^v/, '');
  const named = env[TEMPO_BINARY_ENV] ?? '';
  const binary = named === '' ? onPath('tempo', env) : path.resolve(named);
  if (binary === undefined)
    return {
      found: false,
      reason: `no Tempo binary (${TEMPO_BINARY_ENV} unset, no tempo on PATH): ${tempoHint(wanted)}`,
    };
  const from = named === '' ? `tempo on PATH (${binary})` : `${TEMPO_BINARY_ENV}=${named}`;
  if (!existsSync(binary)) throw new Error(`${from}: no such file; ${tempoHint(wanted)}`);
  if (!isExecutableFile(binary)) throw new Error(`${from}: not an executable file; ${tempoHint(wanted)}`);
  // Tempo prints its version with Prometheus' version.Print and exits 0; bounded, so no binary can hang native:up.
  const res = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const output = `${res.stdout}${res.stderr}`;
  if (res.error !== undefined || res.status !== 0)
    throw new Error(
      `${from}: \`--version\` failed (${res.error?.message ?? `exit ${String(res.status)}`}); ${tempoHint(wanted)}`,
    );
  const got = parseTempoVersion(output);
  if (got !== wanted) {
    throw new Error(
      `${from} is Tempo ${got ?? `of unknown version ("${output.trim().split('\n')[0] ?? ''}")`}, but .env pins ` +
        `TEMPO_VERSION=${wanted}: supply the ${wanted} release (${tempoRelease(wanted)})`,
    );
  }
  return { found: true, path: binary };
}

/**
 * The Jaeger UI from JAEGER_UI_DIR: found when the folder holds the UI's index.html (its `jaeger-ui-root`);
 * left out when unset. A folder that is named but holds no UI build is refused (throws, naming what is missing).
 */
export function findJaegerUi(uiVersion: string, env: NodeJS.ProcessEnv = process.env): Supplied {
  const named = env[JAEGER_UI_ENV];
  if (named === undefined || named === '')
    return {
      found: false,
      reason: `no Jaeger UI build (${JAEGER_UI_ENV} unset): ${jaegerUiHint(uiVersion)}`,
    };
  const dir = path.resolve(named);
  const index = path.join(dir, 'index.html');
  if (!existsSync(index))
    throw new Error(`${JAEGER_UI_ENV}=${named}: no index.html there; ${jaegerUiHint(uiVersion)}`);
  if (!readFileSync(index, 'utf8').includes('id="jaeger-ui-root"'))
    throw new Error(
      `${JAEGER_UI_ENV}=${named}: index.html is not the Jaeger UI's (no jaeger-ui-root); ${jaegerUiHint(uiVersion)}`,
    );
  return { found: true, path: dir };
}

/** What the native lab runs beside its builds: the supplied parts' paths, and why each missing one is left out. */
export interface SuppliedParts {
  tempo?: string;
  jaegerUi?: string;
  /** `tempo` (a compose service) and `jaeger-ui` (a part of jaeger-query) -> why it is left out, and how to bring it. */
  skipped: Partial<Record<'tempo' | 'jaeger-ui', string>>;
}

/** Looks for both parts at the versions .env pins (the UI's follows the Jaeger pin); throws when one is refused. */
export function suppliedParts(
  versions: { tempo: string; jaegerUi: string },
  env: NodeJS.ProcessEnv = process.env,
): SuppliedParts {
  const parts: SuppliedParts = { skipped: {} };
  const tempo = findTempo(versions.tempo, env);
  if (tempo.found) parts.tempo = tempo.path;
  else parts.skipped.tempo = tempo.reason;
  const ui = findJaegerUi(versions.jaegerUi, env);
  if (ui.found) parts.jaegerUi = ui.path;
  else parts.skipped['jaeger-ui'] = ui.reason;
  return parts;
}
