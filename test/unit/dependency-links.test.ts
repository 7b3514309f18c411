// The links test/e2e/8-dependencies.test.ts writes in place of the spark-dependencies job: the same rules as the
// job's SpansToDependencyLinks (v0.7.2), on a /chain-shaped trace; and /api/dependencies' answer read back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDependencies } from '../../verify/apis/jaeger.ts';
import { dependencyLinks, type ModelTrace, utcDay } from '../e2e/dependency-links.ts';

const ref = (spanID: string): { refType: string; spanID: string }[] => [{ refType: 'CHILD_OF', spanID }];

/** fastify's /chain: its server span, a client span to nestjs, nestjs' server span, and a leaf to a peer service. */
const chain: ModelTrace = {
  processes: { p1: { serviceName: 'fastify' }, p2: { serviceName: 'nestjs' } },
  spans: [
    { spanID: 'a', processID: 'p1' },
    { spanID: 'b', processID: 'p1', references: ref('a') },
    { spanID: 'c', processID: 'p2', references: ref('b') },
    {
      spanID: 'd',
      processID: 'p2',
      references: ref('c'),
      tags: [{ key: 'peer.service', value: 'payments' }],
    },
    { spanID: 'e', processID: 'p2', references: ref('missing') },
  ],
};

test('each reference is one link, within a service too; a leaf with peer.service links to it; sums over traces', () => {
  assert.deepEqual(dependencyLinks([chain, chain]), [
    { parent: 'fastify', child: 'fastify', callCount: 2 },
    { parent: 'fastify', child: 'nestjs', callCount: 2 },
    { parent: 'nestjs', child: 'nestjs', callCount: 2 },
    { parent: 'nestjs', child: 'payments', callCount: 2 },
  ]);
  assert.deepEqual(dependencyLinks([]), []);
});

test("the job's day: midnight UTC of the moment given", () => {
  assert.equal(utcDay(Date.parse('2026-12-06T23:59:59.999Z')).toISOString(), '2026-12-06T00:00:00.000Z');
  assert.equal(utcDay(Date.parse('2026-12-07T00:00:00.000Z')).toISOString(), '2026-12-07T00:00:00.000Z');
});

test('/api/dependencies: the links of its data, an empty answer as none', () => {
  const body = {
    data: [{ parent: 'fastify', child: 'nestjs', callCount: 42, source: 'jaeger' }],
    total: 0,
    limit: 0,
    offset: 0,
    errors: null,
  };
  assert.deepEqual(parseDependencies(body), [{ parent: 'fastify', child: 'nestjs', callCount: 42 }]);
  assert.deepEqual(parseDependencies({ data: null, errors: null }), []);
  assert.throws(() => parseDependencies({ data: null, errors: [{ code: 500, msg: 'boom' }] }), /boom/);
});
