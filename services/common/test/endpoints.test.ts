import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CPU_TASK_LIMIT,
  ERROR_TEST_MESSAGE,
  RANDOM_SLEEP_MAX_MS,
  countPrimes,
  cpuTask,
  errorTest,
  hello,
  item,
  notFoundBody,
  parseIntParam,
  queryValue,
  randomSleep,
  randomStatus,
} from '@lab/common';

describe('endpoint behaviour', () => {
  it('hello and item build the documented bodies', () => {
    assert.deepEqual(hello('nestjs'), { message: 'Hello from nestjs', service: 'nestjs' });
    assert.deepEqual(item(3, null), { item_id: 3, q: null });
  });

  it('queryValue takes the last of repeated values and ignores non-strings', () => {
    assert.equal(queryValue('a'), 'a');
    assert.equal(queryValue(['a', 'b']), 'b');
    assert.equal(queryValue(undefined), null);
    assert.equal(queryValue({ nested: 'x' }), null);
  });

  it('countPrimes is a real computation', () => {
    assert.equal(countPrimes(10), 4);
    assert.equal(countPrimes(100), 25);
    assert.equal(cpuTask().count, 9592);
    assert.equal(cpuTask().primes_below, CPU_TASK_LIMIT);
  });

  it('randomStatus draws from 200, 200, 300, 400, 500', () => {
    const drawn = [0, 0.2, 0.4, 0.6, 0.8, 0.999999].map((r) => randomStatus(() => r).status);
    assert.deepEqual(drawn, [200, 200, 300, 400, 500, 500]);
    assert.deepEqual(randomStatus(() => 0.6).body, { path: '/random_status', status: 400 });
    // A generator returning exactly 1 stays in range.
    assert.equal(randomStatus(() => 1).status, 500);
  });

  it('randomSleep waits the drawn time, at most 5 s', async () => {
    assert.deepEqual(await randomSleep(() => 0), { path: '/random_sleep', slept_ms: 0 });
    const started = performance.now();
    assert.equal((await randomSleep(() => 0.05)).slept_ms, 250);
    assert.ok(performance.now() - started >= 240);
    assert.equal(Math.floor(0.999999 * (RANDOM_SLEEP_MAX_MS + 1)), RANDOM_SLEEP_MAX_MS);
  });

  it('errorTest throws', () => {
    assert.throws(() => errorTest(), { message: ERROR_TEST_MESSAGE });
  });
});

describe('parseIntParam', () => {
  it('accepts integers, signed, within the safe range', () => {
    assert.deepEqual(parseIntParam('path', 'item_id', '42'), { ok: true, value: 42 });
    assert.deepEqual(parseIntParam('path', 'item_id', '-3'), { ok: true, value: -3 });
    assert.deepEqual(parseIntParam('path', 'item_id', '007'), { ok: true, value: 7 });
  });

  for (const raw of ['abc', '', '1.5', '1e3', '0x10', ' 1', '+1', undefined, ['1']]) {
    it(`rejects ${raw === undefined ? 'undefined' : JSON.stringify(raw)} in FastAPI's shape`, () => {
      assert.deepEqual(parseIntParam('path', 'item_id', raw), {
        ok: false,
        body: {
          detail: [
            {
              type: 'int_parsing',
              loc: ['path', 'item_id'],
              msg: 'Input should be a valid integer, unable to parse string as an integer',
              input: raw,
            },
          ],
        },
      });
    });
  }

  it('rejects integers beyond the safe range as int_parsing_size', () => {
    const result = parseIntParam('query', 'n', '9007199254740993');
    assert.ok(!result.ok);
    const [issue] = result.body.detail;
    assert.ok(issue);
    assert.deepEqual(issue.loc, ['query', 'n']);
    assert.equal(issue.type, 'int_parsing_size');
  });

  it('notFoundBody drops the query string', () => {
    assert.deepEqual(notFoundBody('GET', '/a/b?c=d'), { detail: 'Not Found', method: 'GET', path: '/a/b' });
  });
});
