// Runs k6/load.ts under Node against stand-ins for k6's modules (k6 itself cannot be built here): the script
// must load, read its env, send one loop of the plan with k6's request options, check each answer and pause.
import assert from 'node:assert/strict';
import { registerHooks } from 'node:module';
import { test } from 'node:test';

import { planLoop } from '../../k6/plan.ts';

interface Recorded {
  gets: { url: string; params: { tags: Record<string, string>; responseCallback: number[] } }[];
  checks: { status: number; results: Record<string, boolean> }[];
  sleeps: number[];
}

const recorded: Recorded = { gets: [], checks: [], sleeps: [] };
Object.assign(globalThis, {
  __k6: recorded,
  __ENV: { TARGETS: 'http://a:1,http://b:2', PAUSE_SECONDS: '0.25' },
});

// Minimal stand-ins with k6's shapes: http.get -> response with a status, http.expectedStatuses, check, sleep,
// exec.scenario.iterationInTest. The fake /random_status answers 400, the others what the plan expects.
const FAKES: Record<string, string> = {
  k6: `
    export function check(value, sets) {
      const results = Object.fromEntries(Object.entries(sets).map(([name, fn]) => [name, fn(value)]));
      globalThis.__k6.checks.push({ status: value.status, results });
      return Object.values(results).every(Boolean);
    }
    export function sleep(seconds) { globalThis.__k6.sleeps.push(seconds); }`,
  'k6/http': `
    const statusOf = (url) => url.includes('random_status') ? 400 : url.includes('error_test') ? 500
      : url.includes('not-a-number') ? 422 : 200;
    export default {
      get(url, params) { globalThis.__k6.gets.push({ url, params }); return { status: statusOf(url) }; },
      expectedStatuses(...statuses) { return statuses; },
    };`,
  'k6/execution': `export default { scenario: { iterationInTest: 7 } };`,
};

registerHooks({
  resolve(specifier, context, nextResolve) {
    const fake = FAKES[specifier];
    return fake === undefined
      ? nextResolve(specifier, context)
      : { url: `data:text/javascript,${encodeURIComponent(fake)}`, shortCircuit: true };
  },
});

test('k6/load.ts sends one loop of the plan to TARGETS, checks every answer, then pauses PAUSE_SECONDS', async () => {
  const script = await import('../../k6/load.ts');
  script.default();
  const expected = planLoop(['http://a:1', 'http://b:2'], 7);
  assert.deepEqual(
    recorded.gets.map((get) => get.url),
    expected.map((request) => request.url),
  );
  for (const [index, get] of recorded.gets.entries()) {
    const request = expected[index];
    assert.deepEqual(get.params.tags, { name: request?.name, service: request?.service });
    assert.deepEqual(get.params.responseCallback, request?.expectedStatuses);
  }
  assert.equal(recorded.checks.length, expected.length);
  assert.ok(
    recorded.checks.every((check) => Object.values(check.results).every(Boolean)),
    'every answer the plan expects passes its check',
  );
  assert.deepEqual(recorded.sleeps, [0.25]);
});
