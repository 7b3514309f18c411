// Source archives of the components no reachable package registry serves (Tempo: the Go proxy refuses its AGPL
// module; the Jaeger UI: not in Jaeger's Go module). The user points LAB_SOURCES at a folder holding
// `<name>-v<version>.tar.gz`, each a `git archive --prefix=<name>-<version>/` of the upstream tag; `.ci/run`
// points it at ../shared/sources when that folder exists. Without an archive the component is skipped, said so.
import { existsSync } from 'node:fs';
import path from 'node:path';

export const SOURCES_ENV = 'LAB_SOURCES';

export interface SourceSpec {
  /** Archive name prefix, e.g. `tempo` for tempo-v3.0.3.tar.gz. */
  name: string;
  /** Upstream repository on GitHub (owner/name). */
  repo: string;
}

export type SourceLookup =
  | { found: true; archive: string; /** the folder the archive unpacks to */ prefix: string }
  | { found: false; reason: string };

export function archiveName(spec: SourceSpec, version: string): string {
  return `${spec.name}-v${version.replace(/^v/, '')}.tar.gz`;
}

/** Finds the archive of `spec` at `version` in $LAB_SOURCES, or says why not and how to make one. */
export function findSource(
  spec: SourceSpec,
  version: string,
  env: NodeJS.ProcessEnv = process.env,
): SourceLookup {
  const bare = version.replace(/^v/, '');
  const file = archiveName(spec, version);
  const howTo =
    `make one with: git clone https://github.com/${spec.repo} && cd ${spec.repo.split('/')[1] ?? spec.name} && ` +
    `git archive --format=tar.gz --prefix=${spec.name}-${bare}/ -o <folder>/${file} v${bare}; ` +
    `then export ${SOURCES_ENV}=<folder>`;
  const dir = env[SOURCES_ENV];
  if (dir === undefined || dir === '')
    return { found: false, reason: `${SOURCES_ENV} is not set, so there is no ${file}; ${howTo}` };
  const archive = path.resolve(dir, file);
  if (!existsSync(archive)) return { found: false, reason: `${SOURCES_ENV}=${dir} has no ${file}; ${howTo}` };
  return { found: true, archive, prefix: `${spec.name}-${bare}` };
}
