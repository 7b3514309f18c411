// `npm run native:stop` / `native:start` (the fault and restart tests' way to take a backend away): which names
// they accept, and --kill's SIGKILL.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

import { isOurs, killAll } from '../../native/lib/processes.ts';
import { nativeServices } from '../../native/stop.ts';

test('native:stop/start refuse a name that is not a compose service, or not in the native lab', () => {
  assert.throws(() => nativeServices([]), /name at least one compose service/);
  assert.throws(() => nativeServices(['jaeger']), /jaeger: not a service of docker-compose\.yaml/);
  assert.throws(
    () => nativeServices(['jaeger-collector', 'grafana']),
    /grafana: not in the native lab \(.+\)/,
  );
  assert.throws(() => nativeServices(['k6']), /k6: not in the native lab/);
});

test('native:stop --kill: SIGKILL at once (no grace), and the process is gone when it returns', async () => {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => {
      resolve(signal);
    }),
  );
  assert.ok(child.pid !== undefined);
  const record = { name: 'unit-test-kill', pid: child.pid, exe: 'sleep', log: '' };
  assert.ok(isOurs(record), 'the record matches the running sleep');
  const t0 = Date.now();
  assert.deepEqual(await killAll([record]), [`unit-test-kill (pid ${String(child.pid)}) killed`]);
  assert.ok(Date.now() - t0 < 2_000, 'no grace period');
  assert.equal(await exited, 'SIGKILL');
  assert.equal(isOurs(record), false);
});
