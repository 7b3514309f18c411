import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { describeContract, describeStartupErrors } from '@lab/common/contract-tests';
import { SERVICE, buildApp } from '@lab/fastify/app';

const config = {
  port: 0,
  targetOne: 'http://127.0.0.1:1',
  targetTwo: 'http://127.0.0.1:1',
  chainTimeoutMs: 100,
};

describeStartupErrors(SERVICE, require.resolve('../main.js'));

describeContract({
  service: SERVICE,
  start: async (contractConfig, faults) => {
    const app = buildApp(contractConfig, { logger: false, faults });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
  },
});

describe('fastify: framework specifics', () => {
  it('its error handler keeps a 4xx thrown with a status code, in the shared JSON shape', async () => {
    const app = buildApp(config, { logger: false });
    app.get('/teapot', () => {
      throw Object.assign(new Error('short and stout'), { statusCode: 418 });
    });
    const answer = await app.inject({ method: 'GET', url: '/teapot' });
    assert.equal(answer.statusCode, 418);
    assert.deepEqual(answer.json(), { detail: 'short and stout' });
    await app.close();
  });

  it('answers 422 without entering the handler body (inject)', async () => {
    const app = buildApp(config, { logger: false });
    const answer = await app.inject({ method: 'GET', url: '/items/abc?q=x' });
    assert.equal(answer.statusCode, 422);
    assert.deepEqual(answer.json(), {
      detail: [
        {
          type: 'int_parsing',
          loc: ['path', 'item_id'],
          msg: 'Input should be a valid integer, unable to parse string as an integer',
          input: 'abc',
        },
      ],
    });
    await app.close();
  });

  it('declares each route with its path template (what becomes http.route)', async () => {
    const app = buildApp(config, { logger: false });
    await app.ready();
    for (const url of [
      '/',
      '/items/:item_id',
      '/io_task',
      '/cpu_task',
      '/random_status',
      '/random_sleep',
      '/error_test',
      '/chain',
    ]) {
      assert.ok(app.hasRoute({ method: 'GET', url }), url);
    }
    await app.close();
  });
});
