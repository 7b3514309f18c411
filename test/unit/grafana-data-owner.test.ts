// grafana/data-owner.sh, Grafana's entrypoint in docker-compose.yaml, run for real on this machine (issue 22): as
// root in a data/ owned by another uid (a learner's clone under rootful Docker), in one owned by root (a root clone;
// rootless Docker and Podman, where the learner is root of the container), and as an unprivileged user. Each time
// the stand-in for Grafana writes the way Grafana does (a 0750 folder, a 0640 file in it, under umask 022), and
// then the owner of data/ deletes all of it as their own user, with no sudo.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT } from '../../verify/compose.ts';

const SCRIPT = path.join(REPO_ROOT, 'grafana', 'data-owner.sh');
/** What Grafana does in its data folder: the plugins folder, a database, a subfolder with a file (os.MkdirAll 0750). */
const GRAFANA_WRITES =
  'umask 022; mkdir -p "$GF_PATHS_DATA/plugins" && : > "$GF_PATHS_DATA/grafana.db" && ' +
  'mkdir -m 0750 "$GF_PATHS_DATA/unified-search" && (umask 027; : > "$GF_PATHS_DATA/unified-search/index") && ' +
  'id -u > "$GF_PATHS_DATA/ran-as"';
const LEARNER = 4242; // a learner's uid that is not Grafana's (472), nor root
const OTHER = 4343;

const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const skip = !isRoot
  ? 'needs root, to give folders to other uids and run as them'
  : !hasSetpriv
    ? "needs util-linux's setpriv (as the Grafana image has)"
    : false;

const root = mkdtempSync(path.join(tmpdir(), 'grafana-data-'));
chmodSync(root, 0o755); // a clone's parent folders: other users may pass through
after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A data/ folder owned by `uid`, as a clone by that user leaves it (0755). */
function dataFolder(name: string, uid: number): string {
  const dir = path.join(root, name, 'data');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chownSync(path.dirname(dir), uid, uid);
  chownSync(dir, uid, uid);
  return dir;
}

/** `cmd` as `uid` (root: as is), with the environment the Grafana image sets. */
function runAs(uid: number, dir: string, cmd: readonly string[]): SpawnSyncReturns<string> {
  const as =
    uid === 0 ? [] : ['setpriv', `--reuid=${String(uid)}`, `--regid=${String(uid)}`, '--clear-groups'];
  const [file = '', ...args] = [...as, ...cmd];
  return spawnSync(file, args, { encoding: 'utf8', env: { PATH: process.env.PATH, GF_PATHS_DATA: dir } });
}

/** Grafana's entrypoint as compose runs it, started as `uid`, with the stand-in for /run.sh. */
const startGrafana = (uid: number, dir: string): SpawnSyncReturns<string> =>
  runAs(uid, dir, ['/bin/sh', SCRIPT, '/bin/sh', '-c', GRAFANA_WRITES]);

/** The reset README gives: the owner deletes data/'s contents as themselves. */
function resetAs(uid: number, dir: string): SpawnSyncReturns<string> {
  return runAs(uid, dir, ['/bin/sh', '-c', 'rm -rf "$GF_PATHS_DATA"/*']);
}

function assertRanAsAndDeletable(dir: string, owner: number, label: string): void {
  const ranAs = spawnSync('cat', [path.join(dir, 'ran-as')], { encoding: 'utf8' }).stdout.trim();
  assert.equal(ranAs, String(owner), `${label}: Grafana ran as data/'s owner`);
  for (const f of ['plugins', 'grafana.db', 'unified-search', 'unified-search/index'])
    assert.equal(statSync(path.join(dir, f)).uid, owner, `${label}: ${f} belongs to data/'s owner`);
  const reset = resetAs(owner, dir);
  assert.equal(reset.status, 0, `${label}: rm as the owner: ${reset.stderr}`);
  assert.deepEqual(readdirSync(dir), [], `${label}: data/ is empty after the reset`);
}

describe('grafana/data-owner.sh, for real', { skip }, () => {
  test('started as root, it runs Grafana as the learner who owns data/, and the learner deletes what it wrote', () => {
    const dir = dataFolder('learner-clone', LEARNER);
    const run = startGrafana(0, dir);
    assert.equal(run.status, 0, run.stderr);
    assertRanAsAndDeletable(dir, LEARNER, 'learner clone');
  });

  test('a root clone (and rootless Docker or Podman, where data/ shows as root): Grafana runs as root', () => {
    const dir = dataFolder('root-clone', 0);
    const run = startGrafana(0, dir);
    assert.equal(run.status, 0, run.stderr);
    assertRanAsAndDeletable(dir, 0, 'root clone');
  });

  test('a second start on data/ a first one wrote keeps working, as the same owner', () => {
    const dir = dataFolder('restart', LEARNER);
    assert.equal(startGrafana(0, dir).status, 0);
    const again = runAs(0, dir, [
      '/bin/sh',
      SCRIPT,
      '/bin/sh',
      '-c',
      'echo restarted >> "$GF_PATHS_DATA/grafana.db"',
    ]);
    assert.equal(again.status, 0, again.stderr);
    assertRanAsAndDeletable(dir, LEARNER, 'restart');
  });

  test('started as the unprivileged owner of data/ (a user: set by hand), it runs as that user', () => {
    const dir = dataFolder('unprivileged-owner', LEARNER);
    const run = startGrafana(LEARNER, dir);
    assert.equal(run.status, 0, run.stderr);
    assertRanAsAndDeletable(dir, LEARNER, 'unprivileged owner');
  });

  test('started unprivileged in a data/ another uid owns, it stops at once, saying why and what to change', () => {
    const dir = dataFolder('someone-elses', OTHER);
    const run = startGrafana(LEARNER, dir);
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      new RegExp(`/data belongs to uid ${String(OTHER)} and this runs as uid ${String(LEARNER)}, not root`),
    );
    assert.match(run.stderr, /user: '0:0'/);
    assert.ok(!existsSync(path.join(dir, 'ran-as')), 'Grafana did not start');
  });

  test('without a data folder or a command it refuses, naming what is missing', () => {
    const missing = runAs(0, path.join(root, 'nowhere'), ['/bin/sh', SCRIPT, '/bin/true']);
    assert.equal(missing.status, 1);
    assert.match(
      missing.stderr,
      /nowhere is not a folder: docker-compose\.yaml bind-mounts the repository's data\//,
    );
    const none = runAs(0, dataFolder('no-command', LEARNER), ['/bin/sh', SCRIPT]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no command to run/);
  });
});
