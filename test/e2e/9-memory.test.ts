// Memory limits, held natively: every component the native lab runs sits in a memory cgroup whose limit is its
// compose `deploy.resources.limits.memory`, and after the whole suite's load and faults none was OOM-killed or
// pinned at its limit. Prints each component's peak against its limit (the figures docker-compose.yaml cites).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCompose } from '../../verify/compose.ts';
import { readState } from '../../native/lib/state.ts';
import { labGroups, memoryProblem, readUsage } from '../../verify/apis/cgroup.ts';
import { printLogsOnFailure } from './lab.ts';

printLogsOnFailure();

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0).padStart(5);

test(
  'every native component runs in a memory cgroup with its compose limit, and stayed within it',
  { timeout: 60_000 },
  () => {
    const state = readState();
    const running = Object.values(loadCompose().services).filter(
      (s) => state.addresses[s.name] !== undefined && state.skipped[s.name] === undefined,
    );
    // Cassandra, both Jaeger roles, the collector, Prometheus and the three services; Tempo too when supplied.
    assert.ok(running.length >= 8, `${String(running.length)} components running`);
    assert.deepEqual(
      labGroups(),
      running.map((s) => s.name).sort(),
      'one memory cgroup per running component',
    );
    console.log('component           peak MiB  anon MiB  limit MiB  OOM kills');
    const problems: string[] = [];
    for (const service of running) {
      const usage = readUsage(service.name);
      assert.ok(usage !== undefined, `${service.name}: no memory cgroup`);
      assert.equal(usage.limitBytes, service.memoryLimitBytes, `${service.name}: the cgroup's limit`);
      console.log(
        `${service.name.padEnd(18)} ${mib(usage.peakBytes)}     ${mib(usage.anonBytes)}     ${mib(usage.limitBytes)}      ${String(usage.oomKills)}`,
      );
      const problem = memoryProblem(usage);
      if (problem !== undefined) problems.push(problem);
    }
    assert.deepEqual(problems, [], 'no component OOM-killed or pinned at its limit');
  },
);
