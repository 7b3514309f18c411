// Bad input leaves every component up: malformed OTLP to the collector (bad protobuf and bad JSON to OTLP/HTTP,
// junk bytes and undecodable messages to OTLP/gRPC) and garbage to each service (unknown paths, `/items/abc`,
// oversized and invalid headers, malformed HTTP over a raw TCP connection). Each is answered with a client
// error, never a crash; afterwards every component still runs as the same process, answers its health check,
// and a normal `/chain` request still becomes a complete trace in Jaeger.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { CASSANDRA_CQL_PORT } from '../../native/lib/cassandra.ts';
import { isOurs, pidRecords, type PidRecord } from '../../native/lib/processes.ts';
import { APP_SERVICES } from '../../verify/lab.ts';
import {
  addressOf,
  collectorPorts,
  jaegerHealthPort,
  jaegerTrace,
  poll,
  printLogsOnFailure,
  sendChain,
  urls,
} from './lab.ts';

printLogsOnFailure();

const TRACE_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** Sends raw bytes over TCP and returns what the server answered before closing (or after 5 s). */
function rawExchange(host: string, port: number, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port }, () => socket.end(bytes));
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A server may reset a connection it refuses to speak on: that is an answer too.
      if (err.code !== 'ECONNRESET') reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** A gRPC call of the OTLP trace service with `body` as the (serialized) request message. */
function otlpGrpcCall(client: grpc.Client, body: Buffer): Promise<grpc.ServiceError | undefined> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      TRACE_EXPORT,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      { deadline: Date.now() + 10_000 },
      (err) => {
        resolve(err ?? undefined);
      },
    );
  });
}

/** Every component's health, the way its compose healthcheck (or native:up's readiness check) sees it. */
async function healthChecks(): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  const http = async (name: string, url: string): Promise<void> => {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    seen[name] = `${String(res.status)} ${(await res.text()).slice(0, 80)}`;
  };
  const tcp = (name: string, host: string, port: number): Promise<void> =>
    new Promise((resolve) => {
      const socket = connect({ host, port, timeout: 5_000 });
      socket.once('connect', () => {
        seen[name] = 'connects';
        socket.destroy();
        resolve();
      });
      socket.once('error', (e) => {
        seen[name] = e.message;
        resolve();
      });
      socket.once('timeout', () => {
        seen[name] = 'timeout';
        socket.destroy();
        resolve();
      });
    });
  const collector = collectorPorts();
  await Promise.all([
    ...APP_SERVICES.map((s) => tcp(s, '127.0.0.1', Number(new URL(urls.apps[s]).port))),
    http('otel-collector', `http://${addressOf('otel-collector')}:${String(collector.health)}/`),
    http(
      'jaeger-collector',
      `http://${addressOf('jaeger-collector')}:${String(jaegerHealthPort('collector'))}/status`,
    ),
    http('jaeger-query', `http://${addressOf('jaeger-query')}:${String(jaegerHealthPort('query'))}/status`),
    http('prometheus', `${urls.prometheus}/-/ready`),
    tcp('cassandra', addressOf('cassandra'), CASSANDRA_CQL_PORT),
  ]);
  return seen;
}

function assertAllHealthy(seen: Record<string, string>): void {
  for (const s of APP_SERVICES) assert.equal(seen[s], 'connects', `${s}: ${String(seen[s])}`);
  assert.match(seen['otel-collector'] ?? '', /^200 .*Server available/);
  assert.match(seen['jaeger-collector'] ?? '', /^200 .*"healthy":true/);
  assert.match(seen['jaeger-query'] ?? '', /^200 .*"healthy":true/);
  assert.match(seen.prometheus ?? '', /^200 /);
  assert.equal(seen.cassandra, 'connects');
}

describe('bad input leaves every component up', { timeout: 180_000 }, () => {
  let before: PidRecord[] = [];

  test('before: every component runs and is healthy', async () => {
    before = pidRecords().filter((r) => !r.name.startsWith('publish-'));
    assert.ok(before.length >= 8, `pid records: ${before.map((r) => r.name).join(', ')}`);
    assert.deepEqual(
      before.filter((r) => !isOurs(r)).map((r) => r.name),
      [],
      'not running',
    );
    assertAllHealthy(await healthChecks());
  });

  test('malformed OTLP/HTTP to the collector is refused with 4xx', async () => {
    const base = `http://${addressOf('otel-collector')}:${String(collectorPorts().http)}/v1/traces`;
    const post = async (contentType: string, body: string | Buffer, extra: Record<string, string> = {}) => {
      const res = await fetch(base, {
        method: 'POST',
        headers: { 'content-type': contentType, ...extra },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      return { status: res.status, body: await res.text() };
    };
    const cases: [string, () => ReturnType<typeof post>, number][] = [
      [
        'bad protobuf',
        () => post('application/x-protobuf', Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x99, 0x42, 0x07])),
        400,
      ],
      ['truncated JSON', () => post('application/json', '{"resourceSpans": ['), 400],
      ['JSON of the wrong shape', () => post('application/json', '{"resourceSpans": "nope"}'), 400],
      [
        'JSON with an invalid trace id',
        () =>
          post(
            'application/json',
            '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"1","name":"x"}]}]}]}',
          ),
        400,
      ],
      [
        'a body that claims gzip and is not',
        () => post('application/json', 'not gzip', { 'content-encoding': 'gzip' }),
        400,
      ],
      ['an unsupported content type', () => post('text/plain', 'hello'), 415],
    ];
    for (const [what, send, expected] of cases) {
      const res = await send();
      assert.equal(res.status, expected, `${what}: ${res.body.slice(0, 200)}`);
    }
  });

  test('junk bytes and undecodable messages to OTLP/gRPC are refused', async () => {
    const host = addressOf('otel-collector');
    const port = collectorPorts().grpc;
    // Not HTTP/2 at all: the server answers with its SETTINGS frame at most, then closes the connection.
    const answer = await rawExchange(
      host,
      port,
      Buffer.from('GARBAGE\x00\x01\x02 not http/2\r\n\r\n', 'latin1'),
    );
    assert.ok(!answer.toString('latin1').includes('HTTP/1.1 200'), 'no success answer to junk');
    const client = new grpc.Client(`${host}:${String(port)}`, grpc.credentials.createInsecure());
    try {
      for (const body of [Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x99, 0x42]), Buffer.from('junk junk junk')]) {
        const err = await otlpGrpcCall(client, body);
        assert.ok(err !== undefined, 'an undecodable Export request must fail');
        assert.equal(err.code, grpc.status.INTERNAL, err.details);
        assert.match(err.details, /unmarshal/);
      }
    } finally {
      client.close();
    }
  });

  for (const service of APP_SERVICES) {
    test(`${service}: garbage requests get 4xx answers`, async () => {
      const base = urls.apps[service];
      const get = async (path: string, headers: Record<string, string> = {}) => {
        const res = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
        return { status: res.status, body: await res.text() };
      };
      const notFound = await get('/no/such/path');
      assert.equal(notFound.status, 404);
      assert.deepEqual(JSON.parse(notFound.body), {
        detail: 'Not Found',
        method: 'GET',
        path: '/no/such/path',
      });
      const badItem = await get('/items/abc');
      assert.equal(badItem.status, 422);
      assert.match(badItem.body, /"item_id"/);
      for (const path of ['/items/', '/%zz', '/chain/../../etc/passwd', `/${'a'.repeat(9_000)}`]) {
        const res = await get(path);
        assert.ok(
          res.status >= 400 && res.status < 500,
          `${path.slice(0, 40)}: ${String(res.status)} ${res.body.slice(0, 120)}`,
        );
      }
      const posted = await fetch(`${base}/chain`, {
        method: 'POST',
        body: 'x'.repeat(10_000),
        signal: AbortSignal.timeout(10_000),
      });
      assert.equal(posted.status, 404, 'POST /chain is not a route');
      await posted.body?.cancel();
      // Node's HTTP server refuses request headers over 16 KiB.
      const huge = await get('/', { 'x-huge': 'a'.repeat(20_000) });
      assert.equal(huge.status, 431);

      const { port } = new URL(base);
      for (const raw of [
        'GARBAGE\r\n\r\n',
        'GET / HTTP/9.9\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: x\r\nBad Header Name: y\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
        '\x00\x01\x02\xff\xfe binary junk\r\n\r\n',
      ]) {
        const answer = await rawExchange('127.0.0.1', Number(port), Buffer.from(raw, 'latin1'));
        assert.match(
          answer.toString('latin1'),
          /^HTTP\/1\.1 400 /,
          `${JSON.stringify(raw)} -> ${answer.toString('latin1').slice(0, 60)}`,
        );
      }
    });
  }

  test('after: every component is the same process, healthy, and a /chain trace still reaches Jaeger', async () => {
    const after = pidRecords().filter((r) => !r.name.startsWith('publish-'));
    assert.deepEqual(
      after.map((r) => `${r.name} ${String(r.pid)}`).sort(),
      before.map((r) => `${r.name} ${String(r.pid)}`).sort(),
      'no component was restarted',
    );
    assert.deepEqual(
      after.filter((r) => !isOurs(r)).map((r) => r.name),
      [],
      'not running',
    );
    assertAllHealthy(await healthChecks());

    // A /chain of each service goes through every hop: service -> collector -> Jaeger collector -> Cassandra -> query.
    await Promise.all(
      APP_SERVICES.map(async (service) => {
        const traceId = await sendChain(service);
        await poll(
          `${service} /chain trace ${traceId} in Jaeger, with its root span and all three services`,
          async () => {
            const t = await jaegerTrace(traceId);
            const services = new Set(t?.spans.map((s) => s.service));
            const root = t?.spans.some((s) => s.service === service && s.operation === 'GET /chain') === true;
            if (!root || !APP_SERVICES.every((s) => services.has(s))) {
              throw new Error(
                `root span: ${String(root)}, services so far: ${[...services].join(', ') || 'none'}`,
              );
            }
          },
          { timeoutMs: 90_000 },
        );
      }),
    );
  });
});
