// `npm run dashboards`: writes every dashboard JSON from its TypeScript source.
// `node grafana/src/build.ts --check`: writes nothing, exits 1 when a checked-in file is out of date.

import { readFile, writeFile } from 'node:fs/promises';

import { REPO_ROOT, dashboards, renderDashboard } from './render.ts';

const check = process.argv.includes('--check');
let stale = 0;
for (const { path, model } of dashboards()) {
  const wanted = await renderDashboard(path, model);
  const current = await readFile(`${REPO_ROOT}${path}`, 'utf8').catch(() => undefined);
  if (current === wanted) {
    console.log(`up to date: ${path}`);
  } else if (check) {
    console.error(`out of date: ${path} (run npm run dashboards)`);
    stale++;
  } else {
    await writeFile(`${REPO_ROOT}${path}`, wanted);
    console.log(`wrote: ${path}`);
  }
}
process.exitCode = stale === 0 ? 0 : 1;
