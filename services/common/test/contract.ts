/**
 * The endpoint contract every service must meet, as one suite each service's tests run against
 * its own app listening on a free port. Exported as `@lab/common/contract-tests` (test builds only).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, mock } from 'node:test';
import {
  CPU_TASK_LIMIT,
  ERROR_TEST_MESSAGE,
  type Fault,
  FaultRules,
  type FaultSource,
  IO_TASK_MS,
  type Random,
  type ServiceConfig,
  chainUserAgent,
  countPrimes,
} from '@lab/common';

/** A config whose fields the suite fills in once the service and its stub targets listen. */
export interface MutableConfig {
  port: number;
  targetOne: string;
  targetTwo: string;
  chainTimeoutMs: number;
}

export interface RunningService {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  readonly close: () => Promise<void>;
}

export interface ContractOptions {
  readonly service: 'fastify' | 'nestjs' | 'express';
  /**
   * Builds the app with `config` (read at request time) and its run-time fault source, and listens on
   * 127.0.0.1, port 0.
   */
  readonly start: (config: ServiceConfig, faults: FaultSource) => Promise<RunningService>;
}

/** The fault source the contract hands the app: no faults, until a test switches some on. */
class SwitchableFaults implements FaultSource {
  private rules: FaultRules;
  private readonly service: string;

  constructor(service: string) {
    this.service = service;
    this.rules = new FaultRules(service, []);
  }

  plan(route: string, userAgent: string | undefined): ReturnType<FaultSource['plan']> {
    return this.rules.plan(route, userAgent);
  }

  set(faults: readonly Fault[], random?: Random): void {
    this.rules = new FaultRules(this.service, faults, random);
  }
}

export interface Stub {
  readonly url: string;
  readonly close: () => Promise<void>;
}

/** A plain HTTP server on 127.0.0.1 standing in for a chain target. */
export async function startStub(handler: RequestListener): Promise<Stub> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const stub = await startStub(() => undefined);
  await stub.close();
  return Number(new URL(stub.url).port);
}

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: unknown;
}

export async function get(
  baseUrl: string,
  path: string,
  method = 'GET',
  userAgent?: string,
): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: userAgent === undefined ? {} : { 'user-agent': userAgent },
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    contentType,
    body: contentType.includes('json') ? JSON.parse(text) : text,
  };
}

export function describeContract(options: ContractOptions): void {
  describe(`${options.service}: endpoint contract`, () => {
    const config: MutableConfig = { port: 0, targetOne: '', targetTwo: '', chainTimeoutMs: 2000 };
    let service: RunningService;
    let base = '';
    let goodTarget: Stub;
    const stubCalls: string[] = [];
    const faults = new SwitchableFaults(options.service);

    before(async () => {
      goodTarget = await startStub((request, response) => {
        stubCalls.push(request.url ?? '');
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ path: request.url }));
      });
      config.targetOne = goodTarget.url;
      config.targetTwo = goodTarget.url;
      service = await options.start(config, faults);
      config.port = service.port;
      base = `http://127.0.0.1:${String(service.port)}`;
    });

    after(async () => {
      await service.close();
      await goodTarget.close();
    });

    it('GET / answers a JSON hello naming the service', async () => {
      const answer = await get(base, '/');
      assert.equal(answer.status, 200);
      assert.match(answer.contentType, /^application\/json/);
      assert.deepEqual(answer.body, { message: `Hello from ${options.service}`, service: options.service });
    });

    it('GET /items/:item_id answers the integer and q', async () => {
      assert.deepEqual(await get(base, '/items/42?q=hello'), {
        status: 200,
        contentType: 'application/json; charset=utf-8',
        body: { item_id: 42, q: 'hello' },
      });
      assert.deepEqual((await get(base, '/items/-7')).body, { item_id: -7, q: null });
      assert.deepEqual((await get(base, '/items/5?q=a&q=b')).body, { item_id: 5, q: 'b' });
    });

    for (const [raw, type] of [
      ['abc', 'int_parsing'],
      ['1.5', 'int_parsing'],
      ['0x10', 'int_parsing'],
      ['99999999999999999999', 'int_parsing_size'],
    ] as const) {
      it(`GET /items/${raw} answers 422 naming item_id (${type})`, async () => {
        const answer = await get(base, `/items/${raw}`);
        assert.equal(answer.status, 422);
        assert.match(answer.contentType, /^application\/json/);
        const body = answer.body as {
          detail: { type: string; loc: string[]; msg: string; input: unknown }[];
        };
        assert.equal(body.detail.length, 1);
        const [issue] = body.detail;
        assert.deepEqual(issue?.loc, ['path', 'item_id']);
        assert.equal(issue.type, type);
        assert.equal(issue.input, raw);
        assert.match(issue.msg, /integer/);
      });
    }

    it('GET /io_task waits about 1 s without blocking other requests', async () => {
      const started = performance.now();
      const slow = get(base, '/io_task');
      const hello = await get(base, '/');
      assert.ok(performance.now() - started < IO_TASK_MS / 2, 'GET / answered while /io_task waits');
      assert.equal(hello.status, 200);
      const answer = await slow;
      assert.ok(performance.now() - started >= IO_TASK_MS - 20, '/io_task took its second');
      assert.deepEqual(answer.body, { path: '/io_task', waited_ms: IO_TASK_MS });
    });

    it('GET /cpu_task answers the fixed computation', async () => {
      const answer = await get(base, '/cpu_task');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, {
        path: '/cpu_task',
        primes_below: CPU_TASK_LIMIT,
        count: countPrimes(CPU_TASK_LIMIT),
      });
    });

    for (const [random, status] of [
      [0, 200],
      [0.3, 200],
      [0.5, 300],
      [0.7, 400],
      [0.99, 500],
    ] as const) {
      it(`GET /random_status answers ${String(status)} when the draw is ${String(random)}`, async (t) => {
        t.mock.method(Math, 'random', () => random);
        const answer = await get(base, '/random_status');
        assert.equal(answer.status, status);
        assert.deepEqual(answer.body, { path: '/random_status', status });
      });
    }

    it('GET /random_sleep sleeps the drawn time', async (t) => {
      t.mock.method(Math, 'random', () => 0.1);
      const started = performance.now();
      const answer = await get(base, '/random_sleep');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { path: '/random_sleep', slept_ms: 500 });
      assert.ok(performance.now() - started >= 480);
    });

    it('GET /error_test throws in the handler and the framework answers 500 JSON', async () => {
      const errors = mock.method(console, 'error', () => undefined);
      try {
        const answer = await get(base, '/error_test');
        assert.equal(answer.status, 500);
        assert.match(answer.contentType, /^application\/json/);
        assert.deepEqual(answer.body, { detail: 'Internal Server Error' });
        assert.notEqual(
          JSON.stringify(answer.body).includes(ERROR_TEST_MESSAGE),
          true,
          'no error details leak',
        );
      } finally {
        errors.mock.restore();
      }
    });

    it('unknown paths and methods answer 404 JSON', async () => {
      assert.deepEqual(await get(base, '/nope?x=1'), {
        status: 404,
        contentType: 'application/json; charset=utf-8',
        body: { detail: 'Not Found', method: 'GET', path: '/nope' },
      });
      assert.equal((await get(base, '/items/')).status, 404, 'an empty item_id matches no route');
      const post = await get(base, '/', 'POST');
      assert.equal(post.status, 404);
      assert.deepEqual(post.body, { detail: 'Not Found', method: 'POST', path: '/' });
    });

    describe('run-time faults, applied by the framework hook to the matched route', () => {
      const time = async (path: string, userAgent?: string): Promise<{ answer: Answer; ms: number }> => {
        const started = performance.now();
        const answer = await get(base, path, 'GET', userAgent);
        return { answer, ms: performance.now() - started };
      };
      const quietly = async <T>(run: () => Promise<T>): Promise<T> => {
        const errors = mock.method(console, 'error', () => undefined);
        try {
          return await run();
        } finally {
          errors.mock.restore();
        }
      };

      it('a latency fault on /items/:item_id delays that route only, and the answer stays the same', async () => {
        faults.set([
          { service: options.service, type: 'latency', route: '/items/:item_id', minMs: 300, maxMs: 300 },
        ]);
        try {
          const slow = await time('/items/42?q=x');
          assert.ok(slow.ms >= 290, `took ${String(slow.ms)} ms`);
          assert.deepEqual(slow.answer.body, { item_id: 42, q: 'x' });
          const invalid = await time('/items/abc');
          assert.equal(invalid.answer.status, 422, 'the handler still runs after the wait');
          assert.ok(invalid.ms >= 290);
          const other = await time('/');
          assert.equal(other.answer.status, 200);
          assert.ok(other.ms < 250, `GET / took ${String(other.ms)} ms`);
        } finally {
          faults.set([]);
        }
      });

      it('an error fault answers 500 JSON like /error_test when the draw falls below the rate', async () => {
        const rule: Fault = { service: options.service, type: 'errors', route: '/cpu_task', rate: 0.5 };
        try {
          faults.set([rule], () => 0.2);
          const failed = await quietly(() => get(base, '/cpu_task'));
          assert.equal(failed.status, 500);
          assert.match(failed.contentType, /^application\/json/);
          assert.deepEqual(failed.body, { detail: 'Internal Server Error' });
          assert.equal((await get(base, '/')).status, 200, 'another route is not affected');
          faults.set([rule], () => 0.7);
          assert.equal((await get(base, '/cpu_task')).status, 200, 'a draw above the rate passes');
        } finally {
          faults.set([]);
        }
      });

      it('a fault for every route reaches each route, but not the 404 answer', async () => {
        faults.set([{ service: options.service, type: 'errors', rate: 1 }]);
        try {
          const statuses = await quietly(async () => [
            (await get(base, '/')).status,
            (await get(base, '/random_status')).status,
            (await get(base, '/chain')).status,
            (await get(base, '/nope')).status,
          ]);
          assert.deepEqual(statuses, [500, 500, 500, 404]);
        } finally {
          faults.set([]);
        }
      });

      it('a slow-downstream fault delays the /chain hops of the named caller only', async () => {
        faults.set([
          { service: 'caller', type: 'slow-downstream', to: options.service, minMs: 300, maxMs: 300 },
        ]);
        try {
          const fromCaller = await time('/io_task', chainUserAgent('caller'));
          assert.equal(fromCaller.answer.status, 200);
          assert.ok(fromCaller.ms >= IO_TASK_MS + 290, `took ${String(fromCaller.ms)} ms`);
          const fromOthers = await time('/', chainUserAgent('someone-else'));
          assert.ok(fromOthers.ms < 250, `took ${String(fromOthers.ms)} ms`);
        } finally {
          faults.set([]);
        }
      });
    });

    describe('GET /chain', () => {
      it('calls its own /, TARGET_ONE_SVC /io_task, then TARGET_TWO_SVC /cpu_task', async () => {
        stubCalls.length = 0;
        const answer = await get(base, '/chain');
        assert.equal(answer.status, 200);
        const body = answer.body as { path: string; hops: { target: string; url: string; status: number }[] };
        assert.equal(body.path, '/chain');
        assert.deepEqual(
          body.hops.map(({ target, url, status }) => ({ target, url, status })),
          [
            { target: 'self', url: `${base}/`, status: 200 },
            { target: 'TARGET_ONE_SVC', url: `${goodTarget.url}/io_task`, status: 200 },
            { target: 'TARGET_TWO_SVC', url: `${goodTarget.url}/cpu_task`, status: 200 },
          ],
        );
        assert.deepEqual(stubCalls, ['/io_task', '/cpu_task']);
      });

      it('answers 502 naming a target that is down', async () => {
        const down = `http://127.0.0.1:${String(await closedPort())}`;
        config.targetOne = down;
        try {
          const answer = await get(base, '/chain');
          assert.equal(answer.status, 502);
          assert.match(answer.contentType, /^application\/json/);
          const body = answer.body as Record<string, string>;
          assert.equal(body.target, 'TARGET_ONE_SVC');
          assert.equal(body.service, '127.0.0.1');
          assert.equal(body.url, `${down}/io_task`);
          assert.match(body.detail ?? '', /TARGET_ONE_SVC .*ECONNREFUSED/);
        } finally {
          config.targetOne = goodTarget.url;
        }
      });

      it('answers 502 within CHAIN_TIMEOUT_MS when a target hangs', async () => {
        const hanging = await startStub(() => undefined);
        config.targetTwo = hanging.url;
        config.chainTimeoutMs = 300;
        try {
          const started = performance.now();
          const answer = await get(base, '/chain');
          assert.equal(answer.status, 502);
          const body = answer.body as Record<string, string>;
          assert.equal(body.target, 'TARGET_TWO_SVC');
          assert.equal(body.url, `${hanging.url}/cpu_task`);
          assert.match(body.detail ?? '', /timed out after 300 ms/);
          assert.ok(performance.now() - started < 1500, 'bounded by the timeout');
        } finally {
          config.targetTwo = goodTarget.url;
          config.chainTimeoutMs = 2000;
          await hanging.close();
        }
      });

      it('answers 502 when a target answers an error status', async () => {
        const failing = await startStub((_request, response) => {
          response.statusCode = 500;
          response.end('boom');
        });
        config.targetTwo = failing.url;
        try {
          const answer = await get(base, '/chain');
          assert.equal(answer.status, 502);
          const body = answer.body as Record<string, string>;
          assert.equal(body.target, 'TARGET_TWO_SVC');
          assert.match(body.detail ?? '', /answered 500/);
        } finally {
          config.targetTwo = goodTarget.url;
          await failing.close();
        }
      });
    });
  });
}

/** The service's entry point refuses to start without its environment, naming every variable. */
export function describeStartupErrors(service: ContractOptions['service'], mainJs: string): void {
  describe(`${service}: start-up`, () => {
    it('exits 1 naming each missing or invalid variable', () => {
      const run = spawnSync(process.execPath, [mainJs], {
        env: { PATH: process.env.PATH, PORT: 'http', TARGET_TWO_SVC: 'http://express:3001' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(run.status, 1, run.stderr);
      const lines = run.stderr.trim().split('\n');
      assert.deepEqual(lines, [
        `${service}: configuration error: PORT must be an integer from 1 to 65535, got "http"`,
        `${service}: configuration error: TARGET_ONE_SVC is required (a base URL such as http://nestjs:8080)`,
      ]);
      assert.equal(run.stdout, '', 'it did not start listening');
    });
  });
}
