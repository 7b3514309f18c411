// The load plan shared by k6 (k6/load.ts) and the native lab's Node driver.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import {
  DEFAULT_PAUSE_SECONDS,
  DEFAULT_TARGETS,
  ENDPOINTS,
  parsePauseSeconds,
  parseTargets,
  planLoop,
  serviceOf,
} from '../../k6/plan.ts';
import { COMPOSE_FILE, loadCompose, readDotEnv, REPO_ROOT } from '../../verify/compose.ts';

describe('k6/plan.ts', () => {
  test("one loop calls every service's endpoints in order: the original seven, then /items valid and invalid", () => {
    const loop = planLoop(parseTargets(undefined), 0);
    assert.equal(loop.length, 3 * 9);
    assert.deepEqual(
      loop.slice(0, 9).map((request) => request.url),
      [
        'http://fastify:8000/',
        'http://fastify:8000/io_task',
        'http://fastify:8000/cpu_task',
        'http://fastify:8000/random_status',
        'http://fastify:8000/random_sleep',
        'http://fastify:8000/error_test',
        'http://fastify:8000/chain',
        'http://fastify:8000/items/1?q=lab',
        'http://fastify:8000/items/not-a-number',
      ],
    );
    assert.deepEqual([...new Set(loop.map((request) => request.service))], ['fastify', 'nestjs', 'express']);
  });

  test('names are routes (low cardinality) and expected statuses follow the service contract', () => {
    const loop = planLoop(['http://express:3001'], 41);
    const byUrl = new Map(loop.map((request) => [request.url.replace('http://express:3001', ''), request]));
    assert.equal(byUrl.get('/items/42?q=lab')?.name, 'GET /items/:item_id');
    assert.deepEqual(byUrl.get('/items/42?q=lab')?.expectedStatuses, [200]);
    assert.deepEqual(byUrl.get('/items/not-a-number')?.expectedStatuses, [422]);
    assert.deepEqual(byUrl.get('/error_test')?.expectedStatuses, [500]);
    assert.deepEqual(byUrl.get('/random_status')?.expectedStatuses, [200, 300, 400, 500]);
    assert.equal(new Set(loop.map((request) => request.name)).size, ENDPOINTS.length - 1);
    assert.equal(planLoop(['http://express:3001'], 99)[7]?.url, 'http://express:3001/items/100?q=lab');
    assert.equal(planLoop(['http://express:3001'], 100)[7]?.url, 'http://express:3001/items/1?q=lab');
  });

  test('TARGETS: comma-separated base URLs, trimmed; bad entries are refused naming the variable', () => {
    assert.deepEqual(parseTargets(' http://a:1 , http://b-c.d:2/ '), ['http://a:1', 'http://b-c.d:2']);
    assert.deepEqual(parseTargets(''), DEFAULT_TARGETS.split(','));
    assert.throws(() => parseTargets('fastify:8000'), /TARGETS: "fastify:8000"/);
    assert.throws(() => parseTargets('http://fastify:8000/chain'), /TARGETS/);
    assert.throws(() => parseTargets(','), /TARGETS: no base URL/);
    assert.equal(serviceOf('http://127.0.0.1:8000'), '127.0.0.1');
  });

  test('PAUSE_SECONDS: seconds >= 0, default 0.5', () => {
    assert.equal(parsePauseSeconds(undefined), 0.5);
    assert.equal(parsePauseSeconds(' '), DEFAULT_PAUSE_SECONDS);
    assert.equal(parsePauseSeconds('0'), 0);
    assert.equal(parsePauseSeconds('1.25'), 1.25);
    assert.throws(() => parsePauseSeconds('-1'), /PAUSE_SECONDS/);
    assert.throws(() => parsePauseSeconds('soon'), /PAUSE_SECONDS/);
  });

  test('defaults agree with .env and docker-compose.yaml; the module uses no k6 or Node API', () => {
    const env = readDotEnv();
    assert.equal(Number(env['PAUSE_SECONDS']), DEFAULT_PAUSE_SECONDS);
    assert.equal(
      loadCompose(COMPOSE_FILE, {}, { strict: true }).services.k6?.environment.TARGETS,
      DEFAULT_TARGETS,
    );
    const source = readFileSync(join(REPO_ROOT, 'k6', 'plan.ts'), 'utf8');
    assert.doesNotMatch(source, /^\s*import\s/m, 'plan.ts must not import anything');
    assert.doesNotMatch(source, /\b(process|require|__ENV|URL)\b[.(]/, 'plan.ts must not use runtime APIs');
  });
});
