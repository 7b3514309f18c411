import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';

describe('installGracefulShutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal}: stops accepting, finishes the request in flight, then runs earlier listeners and exits 0`, async () => {
      const child = spawn(process.execPath, [`${__dirname}/fixtures/shutdown-server.js`], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const lines: string[] = [];
      const reader = createInterface({ input: child.stdout });
      const firstLine = once(reader, 'line') as Promise<[string]>;
      reader.on('line', (line) => lines.push(line));
      const [ready] = await firstLine;
      const { port } = JSON.parse(ready) as { port: number };
      const base = `http://127.0.0.1:${String(port)}`;

      const inFlight = fetch(`${base}/slow`);
      await sleep(150);
      const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
      child.kill(signal);
      await sleep(150);

      await assert.rejects(fetch(`${base}/`), /fetch failed/, 'no new connections once closing');
      const response = await inFlight;
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { path: '/slow' });

      const [code] = await exited;
      assert.equal(code, 0);
      const log = lines.slice(1);
      assert.match(log[0] ?? '', new RegExp(`^fixture: ${signal} received, closing`));
      assert.equal(log[1], 'fixture: closed');
      if (signal === 'SIGTERM') {
        // The earlier SIGTERM listener ran only after the server drained, and its work finished before exit.
        assert.deepEqual(log.slice(2), ['earlier listener ran: SIGTERM', 'flushed']);
      } else {
        assert.deepEqual(log.slice(2), []);
      }
    });
  }
});
