import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpException, type INestApplication } from '@nestjs/common';
import { describeContract, describeStartupErrors, get } from '@lab/common/contract-tests';
import { IntParamPipe, LabService, SERVICE, buildApp } from '@lab/nestjs/app';

async function listen(app: INestApplication): Promise<number> {
  await app.listen(0, '127.0.0.1');
  return ((app.getHttpServer() as Server).address() as AddressInfo).port;
}

describeStartupErrors(SERVICE, require.resolve('../main.js'));

describeContract({
  service: SERVICE,
  start: async (config, faults) => {
    const app = await buildApp(config, false, faults);
    return { port: await listen(app), close: () => app.close() };
  },
});

describe('nestjs: framework specifics', () => {
  const config = {
    port: 0,
    targetOne: 'http://127.0.0.1:1',
    targetTwo: 'http://127.0.0.1:1',
    chainTimeoutMs: 100,
  };
  let app: INestApplication;
  let base = '';

  before(async () => {
    app = await buildApp(config, false);
    base = `http://127.0.0.1:${String(await listen(app))}`;
  });

  after(() => app.close());

  it('injects one LabService holding the configuration', () => {
    const lab = app.get(LabService);
    assert.ok(lab instanceof LabService);
    assert.equal(app.get(LabService), lab, 'a singleton');
    assert.deepEqual(lab.hello(), { message: 'Hello from nestjs', service: 'nestjs' });
  });

  it('IntParamPipe names query parameters too', () => {
    const pipe = new IntParamPipe();
    assert.equal(pipe.transform('12', { type: 'param', data: 'item_id' }), 12);
    assert.throws(
      () => pipe.transform('x', { type: 'query', data: 'n' }),
      (error: unknown) => {
        assert.ok(error instanceof HttpException);
        assert.equal(error.getStatus(), 422);
        assert.deepEqual(error.getResponse(), {
          detail: [
            {
              type: 'int_parsing',
              loc: ['query', 'n'],
              msg: 'Input should be a valid integer, unable to parse string as an integer',
              input: 'x',
            },
          ],
        });
        return true;
      },
    );
  });

  it('the exception filter keeps framework 4xx in the shared shape', async () => {
    const answer = await get(base, '/items/%E0%A4%A');
    assert.equal(answer.status, 400);
    assert.match(answer.contentType, /^application\/json/);
    assert.equal(typeof (answer.body as { detail: unknown }).detail, 'string');
  });
});
