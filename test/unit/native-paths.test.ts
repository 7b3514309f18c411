// Where the native lab keeps its data: .native/data by default, or the folder the bench names in
// NATIVE_LAB_DATA_DIR (so a bench run never touches a learner's lab data); a folder whose deletion
// (`native:down --volumes`) would take the repo with it is refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DATA_DIR_ENV, dataDirFrom, repoRoot, runRoot } from '../../native/lib/paths.ts';

describe('native lab data folder', () => {
  test('default: .native/data; unset and empty mean the same', () => {
    assert.equal(dataDirFrom({}), path.join(runRoot, 'data'));
    assert.equal(dataDirFrom({ [DATA_DIR_ENV]: ' ' }), path.join(runRoot, 'data'));
  });

  test('NATIVE_LAB_DATA_DIR moves it, normalised', () => {
    assert.equal(dataDirFrom({ [DATA_DIR_ENV]: '/tmp/bench//data/' }), '/tmp/bench/data');
    assert.equal(
      dataDirFrom({ [DATA_DIR_ENV]: path.join(runRoot, 'bench-data') }),
      path.join(runRoot, 'bench-data'),
    );
  });

  test('a relative path, the repo, a folder above it or the run directory itself is refused', () => {
    assert.throws(() => dataDirFrom({ [DATA_DIR_ENV]: 'data' }), /must be an absolute path/);
    for (const bad of ['/', repoRoot, path.dirname(repoRoot), runRoot, `${runRoot}/`]) {
      assert.throws(() => dataDirFrom({ [DATA_DIR_ENV]: bad }), /must not hold the repo/, bad);
    }
  });

  test('a native script run with the variable uses that folder (and the learner one without it)', () => {
    const print = `import('${path.join(repoRoot, 'native/lib/paths.ts')}').then((m) => console.log(m.dataDir))`;
    const run = (env: NodeJS.ProcessEnv): string =>
      spawnSync(process.execPath, ['--input-type=module', '-e', print], {
        env,
        encoding: 'utf8',
      }).stdout.trim();
    const without = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== DATA_DIR_ENV));
    assert.equal(run(without), path.join(runRoot, 'data'));
    assert.equal(run({ ...without, [DATA_DIR_ENV]: '/tmp/spm-bench-data' }), '/tmp/spm-bench-data');
  });
});
