// Turns the dashboards built in TypeScript into the exact bytes of the JSON files Grafana provisions.

import { fileURLToPath } from 'node:url';

import * as prettier from 'prettier';

import { sloDashboard } from './slo.ts';
import { spmDashboard } from './spm.ts';

/** The repository root (grafana/src/ is two levels below it). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every generated dashboard: path relative to the repository root, and its model. */
export function dashboards(): { path: string; model: unknown }[] {
  return [
    { path: 'grafana/dashboards/spm.json', model: spmDashboard() },
    { path: 'grafana/dashboards/slo.json', model: sloDashboard() },
  ];
}

/** The file content for a dashboard model: JSON formatted by the repository's Prettier settings. */
export async function renderDashboard(path: string, model: unknown): Promise<string> {
  const absolute = `${REPO_ROOT}${path}`;
  const options = (await prettier.resolveConfig(absolute)) ?? {};
  return prettier.format(JSON.stringify(model), { ...options, filepath: absolute });
}
