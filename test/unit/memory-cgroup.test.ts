// The native lab's memory cgroups (native/lib/cgroup.ts makes them, verify/apis/cgroup.ts reads them), on a
// folder laid out like /sys/fs/cgroup with the kernel's file names for v1 and v2; and verify's judgement.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { prepareGroup } from '../../native/lib/cgroup.ts';
import { cgroupVersion, labGroups, memoryProblem, readUsage } from '../../verify/apis/cgroup.ts';
import { judgeMemory } from '../../verify/checks/memory.ts';

const MiB = 2 ** 20;

function fakeRoot(version: 'v1' | 'v2'): string {
  const root = mkdtempSync(path.join(tmpdir(), `cgroup-${version}-`));
  if (version === 'v2') {
    writeFileSync(path.join(root, 'cgroup.controllers'), 'cpu memory pids\n');
  } else {
    mkdirSync(path.join(root, 'memory'));
    writeFileSync(path.join(root, 'memory', 'memory.limit_in_bytes'), '9223372036854771712\n');
  }
  return root;
}

describe('memory cgroups', () => {
  it('v2: makes the group with memory.max, delegates the controller, and reads the kernel figures back', () => {
    const root = fakeRoot('v2');
    mkdirSync(path.join(root, 'otel-spm-lab'));
    writeFileSync(path.join(root, 'otel-spm-lab', 'cgroup.subtree_control'), '');
    const procs = prepareGroup('tempo', 320 * MiB, root);
    const dir = path.dirname(procs);
    assert.equal(cgroupVersion(root), 'v2');
    assert.equal(readFileSync(path.join(dir, 'memory.max'), 'utf8'), String(320 * MiB));
    assert.equal(readFileSync(path.join(root, 'otel-spm-lab', 'cgroup.subtree_control'), 'utf8'), '+memory');
    writeFileSync(path.join(dir, 'memory.peak'), String(200 * MiB));
    writeFileSync(path.join(dir, 'memory.stat'), `anon ${String(150 * MiB)}\nfile 1000\n`);
    writeFileSync(path.join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
    assert.deepEqual(labGroups(root), ['tempo']);
    const usage = readUsage('tempo', root);
    assert.deepEqual(usage, {
      service: 'tempo',
      limitBytes: 320 * MiB,
      peakBytes: 200 * MiB,
      anonBytes: 150 * MiB,
      oomKills: 1,
    });
    assert.equal(memoryProblem(usage), 'tempo: OOM-killed 1× at its 320 MiB limit');
  });

  it('v1: memory.limit_in_bytes, max_usage_in_bytes, total_rss and oom_control', () => {
    const root = fakeRoot('v1');
    const dir = path.dirname(prepareGroup('cassandra', 1024 * MiB, root));
    assert.equal(cgroupVersion(root), 'v1');
    assert.equal(readFileSync(path.join(dir, 'memory.limit_in_bytes'), 'utf8'), String(1024 * MiB));
    writeFileSync(path.join(dir, 'memory.max_usage_in_bytes'), String(1024 * MiB));
    writeFileSync(
      path.join(dir, 'memory.stat'),
      `cache 5\nrss 1\ntotal_cache 9\ntotal_rss ${String(990 * MiB)}\n`,
    );
    writeFileSync(path.join(dir, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n');
    const usage = readUsage('cassandra', root);
    assert.ok(usage !== undefined);
    assert.equal(usage.oomKills, 0);
    assert.equal(memoryProblem(usage), 'cassandra: 990 MiB anonymous memory, pinned at its 1024 MiB limit');
    assert.equal(
      memoryProblem({ ...usage, anonBytes: 700 * MiB }),
      undefined,
      'page cache up to the limit is fine',
    );
  });

  it('a machine without the memory controller is named', () => {
    const none = mkdtempSync(path.join(tmpdir(), 'none-'));
    assert.equal(cgroupVersion(none), undefined);
    assert.throws(() => prepareGroup('x', MiB, none), /no memory cgroup controller under/);
  });
});

describe('verify: every component within its limit', () => {
  const ctx = { lab: 'native' as const, logDir: '.native/logs' };
  const usage = {
    service: 'tempo',
    limitBytes: 320 * MiB,
    peakBytes: 180 * MiB,
    anonBytes: 120 * MiB,
    oomKills: 0,
  };

  it('passes with each peak against its limit', () => {
    assert.deepEqual(judgeMemory([usage], ctx), { ok: true, figure: 'tempo 180/320 MiB (peak/limit)' });
  });

  it('fails naming the OOM-killed component, with the compose key to raise and its log', () => {
    const outcome = judgeMemory([usage, { ...usage, service: 'cassandra', oomKills: 2 }], ctx);
    assert.equal(outcome.ok, false);
    assert.match(outcome.figure, /cassandra: OOM-killed 2×/);
    assert.match(
      outcome.hint ?? '',
      /deploy\.resources\.limits\.memory of cassandra .*\.native\/logs\/cassandra\.log/,
    );
  });

  it('fails when the native lab made no group at all', () => {
    assert.equal(judgeMemory([], ctx).ok, false);
  });
});
