// npm run slos — regenerates prometheus/rules/ from the SLO specs in slos/specs/ with the Sloth that .env pins
// (SLOTH_VERSION, built by native/build.ts), one rule file per spec file, on the lab's own SLO period and alert
// windows (slos/windows/). The rules are committed, so the compose lab needs no Sloth; test/unit/slo-rules.test.ts
// regenerates them and fails on any difference, as the dashboards are checked against their TypeScript.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { artifacts, buildSloth } from '../native/build.ts';
import { repoRoot } from '../native/lib/paths.ts';

export const SPECS_DIR = path.join(repoRoot, 'slos', 'specs');
export const WINDOWS_DIR = path.join(repoRoot, 'slos', 'windows');
export const RULES_DIR = path.join(repoRoot, 'prometheus', 'rules');
/** The period of slos/windows/workshop.yaml: Sloth picks the catalogue by it. */
export const SLO_PERIOD = '1d';

/** `sloth generate` of every spec into `outDir`; throws with Sloth's own message when it refuses one. */
export function generate(sloth: string, outDir: string): void {
  const args = [
    'generate',
    '--input',
    SPECS_DIR,
    '--out',
    outDir,
    '--slo-period-windows-path',
    WINDOWS_DIR,
    '--default-slo-period',
    SLO_PERIOD,
  ];
  const r = spawnSync(sloth, args, { encoding: 'utf8', cwd: repoRoot });
  if (r.status !== 0) {
    throw new Error(
      `sloth ${args.join(' ')} exited with ${String(r.status)}: ${r.stderr.trim() || r.stdout.trim()}`,
    );
  }
}

if (import.meta.main) {
  try {
    await buildSloth();
    generate(artifacts().sloth, RULES_DIR);
    console.log(
      `rules written to ${path.relative(repoRoot, RULES_DIR)}/ from ${path.relative(repoRoot, SPECS_DIR)}/`,
    );
  } catch (err) {
    console.error(`✗ ${(err as Error).message}`);
    process.exit(1);
  }
}
