// Jaeger's System Architecture tab (issue 23): the jaeger-dependencies service runs upstream's spark-dependencies
// job (Cassandra build) against this lab's Cassandra and Jaeger configuration, never holds the lab back, and its
// loop (jaeger/dependencies-loop.sh) runs for real here with a stand-in for the job: today's UTC day, again and
// again, a failed run retried, the heartbeat its healthcheck reads.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { COMPOSE_FILE, loadCompose, REPO_ROOT } from '../../verify/compose.ts';
import { jaegerCassandra } from '../e2e/dependency-links.ts';

const lab = loadCompose(COMPOSE_FILE, {}, { strict: true });
const job = lab.services['jaeger-dependencies'];
const LOOP = path.join(REPO_ROOT, 'jaeger', 'dependencies-loop.sh');

describe('docker-compose.yaml: jaeger-dependencies', () => {
  test('the pinned Cassandra build of spark-dependencies, run by the loop, mounted read-only', () => {
    assert.ok(job !== undefined, 'no jaeger-dependencies service');
    assert.match(
      lab.raw.services['jaeger-dependencies']?.image ?? '',
      /^ghcr\.io\/jaegertracing\/spark-dependencies\/spark-dependencies:\$\{SPARK_DEPENDENCIES_VERSION\}-cassandra$/,
    );
    assert.deepEqual(job.entrypoint, ['/bin/sh', '/usr/local/lab/dependencies-loop.sh']);
    const loop = job.mounts.find((m) => m.target === '/usr/local/lab/dependencies-loop.sh');
    assert.equal(loop?.source, LOOP);
    assert.equal(loop.readOnly, true);
  });

  test("it reads and writes the keyspace Jaeger creates, on the lab's Cassandra, in Cassandra's datacenter", () => {
    assert.ok(job !== undefined);
    const jaeger = jaegerCassandra();
    const env = job.environment;
    assert.equal(env.CASSANDRA_KEYSPACE, jaeger.keyspace, 'the job defaults to jaeger_v1_dc1');
    assert.deepEqual([env.CASSANDRA_CONTACT_POINTS], jaeger.servers, 'the same Cassandra as Jaeger');
    const dc = /-Dspark\.cassandra\.connection\.localDC=(\S+)/.exec(env.JAVA_OPTS ?? '')?.[1];
    assert.equal(dc, jaeger.localDc, "Spark's localDC is Jaeger's local_dc");
    assert.equal(dc, lab.services.cassandra?.environment.CASSANDRA_DC, "and Cassandra's CASSANDRA_DC");
  });

  test('its heap is one Spark accepts (≥ 450 MiB) and its memory limit leaves room beside it', () => {
    assert.ok(job !== undefined);
    const xmx = /-Xmx(\d+)m/.exec(job.environment.JAVA_OPTS ?? '')?.[1];
    assert.ok(xmx !== undefined, 'JAVA_OPTS sets -Xmx in MiB');
    assert.ok(Number(xmx) >= 450, `-Xmx${xmx}m`);
    assert.ok((job.memoryLimitBytes ?? 0) >= (Number(xmx) + 256) * 1024 ** 2, 'limit ≥ heap + 256 MiB');
  });

  test('it waits for Cassandra and the schema, and nothing waits for it', () => {
    assert.ok(job !== undefined);
    assert.deepEqual(job.dependsOn, { cassandra: 'service_healthy', 'jaeger-collector': 'service_healthy' });
    for (const [name, service] of Object.entries(lab.services))
      assert.ok(!('jaeger-dependencies' in service.dependsOn), `${name} depends on jaeger-dependencies`);
    assert.match(
      job.healthcheck,
      /lab-dependencies\.heartbeat/,
      'healthy from the heartbeat the loop touches',
    );
  });
});

const dir = mkdtempSync(path.join(tmpdir(), 'dependencies-loop-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the loop with a stand-in job for `ms`, then stops it; the stand-in logs each day it is given. */
function runLoop(
  jobScript: string,
  env: Record<string, string>,
  ms: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const standIn = path.join(dir, `job-${String(Date.now())}.sh`);
  writeFileSync(standIn, jobScript);
  chmodSync(standIn, 0o755);
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', [LOOP], {
      env: { PATH: process.env.PATH, LAB_DEPENDENCIES_JOB: standIn, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('jaeger/dependencies-loop.sh, for real with a stand-in job', () => {
  test("it runs the job for today's UTC day, again after each interval, touching the heartbeat first", async () => {
    const log = path.join(dir, 'days.log');
    const heartbeat = path.join(dir, 'heartbeat');
    const run = await runLoop(
      `#!/bin/sh\necho "$1" >> ${log}\n`,
      { DEPENDENCIES_EVERY_S: '1', LAB_DEPENDENCIES_HEARTBEAT: heartbeat },
      2_600,
    );
    const days = readFileSync(log, 'utf8').trim().split('\n');
    assert.ok(days.length >= 2, `runs: ${String(days.length)}\n${run.stdout}${run.stderr}`);
    const today = new Date().toISOString().slice(0, 10);
    assert.ok(
      days.every((d) => d === today),
      `${days.join(', ')}: the current UTC day, as the job's argument`,
    );
    assert.ok(existsSync(heartbeat), 'the heartbeat file the healthcheck reads');
    assert.match(run.stdout, /computing the links of \d{4}-\d{2}-\d{2}/);
  });

  test('a failed run is reported and tried again at the next turn: the loop does not exit', async () => {
    const log = path.join(dir, 'failures.log');
    const run = await runLoop(
      `#!/bin/sh\necho x >> ${log}\nexit 3\n`,
      { DEPENDENCIES_EVERY_S: '1', LAB_DEPENDENCIES_HEARTBEAT: path.join(dir, 'hb2') },
      2_600,
    );
    assert.ok(readFileSync(log, 'utf8').trim().split('\n').length >= 2, 'tried again');
    assert.match(run.stderr, /the run failed \(exit 3\); next try in 1s/);
    assert.equal(run.code, null, 'still running when stopped');
  });

  test('a run that hangs is ended after the run limit', async () => {
    const log = path.join(dir, 'hangs.log');
    const run = await runLoop(
      `#!/bin/sh\necho start >> ${log}\nsleep 30\n`,
      {
        DEPENDENCIES_EVERY_S: '0',
        LAB_DEPENDENCIES_RUN_LIMIT_S: '1',
        LAB_DEPENDENCIES_HEARTBEAT: path.join(dir, 'hb3'),
      },
      2_600,
    );
    assert.ok(
      readFileSync(log, 'utf8').trim().split('\n').length >= 2,
      'the hung run was ended and another started',
    );
    assert.match(run.stderr, /the run failed \(exit 124\)/);
  });

  test('a DEPENDENCIES_EVERY_S that is not a number of seconds stops it at once, naming the setting', async () => {
    const run = await runLoop('#!/bin/sh\nexit 0\n', { DEPENDENCIES_EVERY_S: '2m' }, 5_000);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /DEPENDENCIES_EVERY_S=2m: a whole number of seconds is needed \(\.env\)/);
  });
});
