import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Fetch, type ServiceConfig, chain, chainHops, describeFetchError } from '@lab/common';
import { closedPort, startStub } from '@lab/common/contract-tests';

const config: ServiceConfig = {
  port: 8000,
  targetOne: 'http://nestjs:8080',
  targetTwo: 'http://express:3001',
  chainTimeoutMs: 250,
};

/** A fetch that answers from a table by URL and records what was asked, with which deadline. */
function fakeFetch(statuses: Record<string, number>, calls: string[]): Fetch {
  return (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.push(url);
    assert.ok(init?.signal instanceof AbortSignal, 'every hop has a deadline');
    return Promise.resolve(new Response('{}', { status: statuses[url] ?? 200 }));
  };
}

describe('chain', () => {
  it('hops: own / on the loopback, TARGET_ONE_SVC /io_task, TARGET_TWO_SVC /cpu_task', () => {
    assert.deepEqual(chainHops(config), [
      { target: 'self', url: 'http://127.0.0.1:8000/' },
      { target: 'TARGET_ONE_SVC', url: 'http://nestjs:8080/io_task' },
      { target: 'TARGET_TWO_SVC', url: 'http://express:3001/cpu_task' },
    ]);
  });

  it('calls the hops in order and reports each status', async () => {
    const calls: string[] = [];
    const result = await chain({ config, service: 'fastify', fetch: fakeFetch({}, calls) });
    assert.ok(result.ok);
    assert.equal(result.status, 200);
    assert.deepEqual(
      calls,
      chainHops(config).map((hop) => hop.url),
    );
    assert.deepEqual(
      result.body.hops.map((hop) => [hop.target, hop.status]),
      [
        ['self', 200],
        ['TARGET_ONE_SVC', 200],
        ['TARGET_TWO_SVC', 200],
      ],
    );
  });

  it('names the calling service in the User-Agent of every hop', async () => {
    const agents: (string | undefined)[] = [];
    const stub = await startStub((request, response) => {
      agents.push(request.headers['user-agent']);
      response.end('{}');
    });
    try {
      const port = Number(new URL(stub.url).port);
      const result = await chain({
        // A generous timeout: this test is about the header, and a busy machine can take 250 ms per hop.
        config: { ...config, chainTimeoutMs: 10_000, port, targetOne: stub.url, targetTwo: stub.url },
        service: 'nestjs',
      });
      assert.ok(result.ok);
      assert.deepEqual(agents, ['nestjs/chain', 'nestjs/chain', 'nestjs/chain']);
    } finally {
      await stub.close();
    }
  });

  it('stops at the first hop that answers an error status and names it', async () => {
    const calls: string[] = [];
    const result = await chain({
      config,
      service: 'fastify',
      fetch: fakeFetch({ 'http://nestjs:8080/io_task': 503 }, calls),
    });
    assert.equal(calls.length, 2, 'TARGET_TWO_SVC is not called');
    assert.deepEqual(result, {
      ok: false,
      status: 502,
      body: {
        detail: 'chain: TARGET_ONE_SVC (nestjs) GET http://nestjs:8080/io_task answered 503',
        target: 'TARGET_ONE_SVC',
        service: 'nestjs',
        url: 'http://nestjs:8080/io_task',
      },
    });
  });

  it('a real connection refused gives a 502 naming the code', async () => {
    const port = await closedPort();
    const good = await startStub((_request, response) => response.end('{}'));
    try {
      const result = await chain({
        config: {
          ...config,
          port: Number(new URL(good.url).port),
          targetOne: good.url,
          targetTwo: `http://127.0.0.1:${String(port)}`,
        },
        service: 'fastify',
      });
      assert.ok(!result.ok);
      assert.equal(result.status, 502);
      assert.equal(result.body.target, 'TARGET_TWO_SVC');
      assert.match(result.body.detail, /ECONNREFUSED$/);
    } finally {
      await good.close();
    }
  });

  it('a hop that hangs is cut at CHAIN_TIMEOUT_MS', async () => {
    const hanging = await startStub(() => undefined);
    try {
      const started = performance.now();
      const result = await chain({
        config: { ...config, port: Number(new URL(hanging.url).port) },
        service: 'fastify',
      });
      const elapsed = performance.now() - started;
      assert.ok(!result.ok);
      assert.equal(result.body.detail, `chain: self (127.0.0.1) GET ${hanging.url}/ timed out after 250 ms`);
      assert.ok(elapsed >= 240 && elapsed < 1000, `took ${String(elapsed)} ms`);
    } finally {
      await hanging.close();
    }
  });

  it('describeFetchError names timeouts, socket codes and other failures', () => {
    assert.equal(describeFetchError(new DOMException('x', 'TimeoutError'), 5), 'timed out after 5 ms');
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    assert.equal(
      describeFetchError(new TypeError('fetch failed', { cause: refused }), 5),
      'failed: ECONNREFUSED',
    );
    const several = new AggregateError([Object.assign(new Error('x'), { code: 'EHOSTUNREACH' })]);
    assert.equal(
      describeFetchError(new TypeError('fetch failed', { cause: several }), 5),
      'failed: EHOSTUNREACH',
    );
    assert.equal(
      describeFetchError(new TypeError('fetch failed', { cause: new Error('bad') }), 5),
      'failed: bad',
    );
    assert.equal(describeFetchError('weird', 5), 'failed: weird');
  });
});
