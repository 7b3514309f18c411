import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { closeHttpServer } from '@lab/common';
import { describeContract, describeStartupErrors, get } from '@lab/common/contract-tests';
import { SERVICE, buildApp } from '@lab/express/app';

const silent = { logError: () => undefined };

async function listen(server: Server): Promise<number> {
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  return (server.address() as AddressInfo).port;
}

describeStartupErrors(SERVICE, require.resolve('../main.js'));

describeContract({
  service: SERVICE,
  start: async (config, faults) => {
    const server = buildApp(config, { ...silent, faults }).listen(0, '127.0.0.1');
    return { port: await listen(server), close: () => closeHttpServer(server) };
  },
});

describe('express: framework specifics', () => {
  const config = {
    port: 0,
    targetOne: 'http://127.0.0.1:1',
    targetTwo: 'http://127.0.0.1:1',
    chainTimeoutMs: 100,
  };
  const logged: unknown[] = [];
  let server: Server;
  let base = '';

  before(async () => {
    const app = buildApp(config, { logError: (_message, error) => logged.push(error) });
    server = app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${String(await listen(server))}`;
  });

  after(() => closeHttpServer(server));

  it('its error handler logs the thrown error and answers 500', async () => {
    logged.length = 0;
    const answer = await get(base, '/error_test');
    assert.equal(answer.status, 500);
    assert.equal(logged.length, 1);
    assert.match(String(logged[0]), /error_test: deliberate unhandled error/);
  });

  it("keeps Express' own 4xx (a malformed path parameter) as a client error in the shared shape", async () => {
    const answer = await get(base, '/items/%E0%A4%A');
    assert.equal(answer.status, 400);
    assert.match((answer.body as { detail: string }).detail, /Failed to decode param/);
  });

  it('does not advertise the framework', async () => {
    const response = await fetch(`${base}/`);
    assert.equal(response.headers.get('x-powered-by'), null);
    await response.arrayBuffer();
  });
});
