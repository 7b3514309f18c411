import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import {
  type Fault,
  FaultFileError,
  FaultFileWatcher,
  FaultRules,
  InjectedFaultError,
  MAX_FAULT_DELAY_MS,
  applyFault,
  chainCaller,
  chainUserAgent,
  describeFault,
  parseFaultFile,
  startFaults,
} from '@lab/common';

/** A random source that returns the given values in turn (and then the last one forever). */
function draws(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] ?? 0;
}

const file = (faults: unknown[]): string => JSON.stringify({ version: 1, faults });

describe('parseFaultFile', () => {
  it('reads each kind of fault, with and without a route and a start time', () => {
    const faults: Fault[] = [
      { service: 'nestjs', type: 'latency', route: '/chain', minMs: 800, maxMs: 800 },
      { service: 'nestjs', type: 'latency', minMs: 100, maxMs: 900, since: '2026-11-24T10:00:00.000Z' },
      { service: 'express', type: 'errors', rate: 0.3 },
      { service: 'express', type: 'errors', route: '/items/:item_id', rate: 1 },
      { service: 'fastify', type: 'slow-downstream', to: 'nestjs', minMs: 2000, maxMs: 2000 },
    ];
    assert.deepEqual(parseFaultFile(file(faults)), faults);
    assert.deepEqual(parseFaultFile(file([])), []);
  });

  for (const [what, text, message] of [
    ['not JSON', '{"version": 1,', /^not JSON/],
    ['not an object', '[]', /must be a JSON object/],
    ['another version', '{"version": 2, "faults": []}', /version must be 1, got 2/],
    ['no list', '{"version": 1}', /faults must be a list/],
    ['an unknown type', file([{ service: 'nestjs', type: 'slow' }]), /faults\[0\]\.type must be one of/],
    [
      'an unknown field',
      file([{ service: 'nestjs', type: 'errors', rate: 0.5, probability: 1 }]),
      /unknown field "probability"/,
    ],
    ['a bad service name', file([{ service: 'Nest JS', type: 'errors', rate: 0.5 }]), /faults\[0\]\.service/],
    [
      'a rate of 0',
      file([{ service: 'nestjs', type: 'errors', rate: 0 }]),
      /rate must be a number in \(0, 1\], got 0/,
    ],
    ['a rate above 1', file([{ service: 'nestjs', type: 'errors', rate: 30 }]), /got 30/],
    [
      'a negative delay',
      file([{ service: 'nestjs', type: 'latency', minMs: -1, maxMs: 5 }]),
      /minMs must be an integer/,
    ],
    [
      'a fractional delay',
      file([{ service: 'nestjs', type: 'latency', minMs: 1.5, maxMs: 5 }]),
      /minMs must be an integer/,
    ],
    [
      'a delay too long',
      file([{ service: 'nestjs', type: 'latency', minMs: 1, maxMs: MAX_FAULT_DELAY_MS + 1 }]),
      /maxMs must be/,
    ],
    [
      'an upside-down range',
      file([{ service: 'nestjs', type: 'latency', minMs: 500, maxMs: 100 }]),
      /maxMs \(100\) is below minMs \(500\)/,
    ],
    [
      'a zero latency',
      file([{ service: 'nestjs', type: 'latency', minMs: 0, maxMs: 0 }]),
      /0 ms is no fault/,
    ],
    [
      'a route without /',
      file([{ service: 'nestjs', type: 'latency', route: 'chain', minMs: 1, maxMs: 1 }]),
      /route must be a route template/,
    ],
    [
      'a slow hop to itself',
      file([{ service: 'nestjs', type: 'slow-downstream', to: 'nestjs', minMs: 1, maxMs: 1 }]),
      /to must be another service/,
    ],
    [
      'a bad time',
      file([{ service: 'nestjs', type: 'errors', rate: 1, since: 'yesterday' }]),
      /since must be an ISO 8601 time/,
    ],
  ] as const) {
    it(`refuses ${what}, naming the problem`, () => {
      assert.throws(
        () => parseFaultFile(text),
        (error: unknown) => {
          assert.ok(error instanceof FaultFileError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

describe('FaultRules', () => {
  it('leaves a service alone when no fault concerns it', () => {
    const rules = new FaultRules('fastify', [
      { service: 'nestjs', type: 'latency', minMs: 800, maxMs: 800 },
      { service: 'express', type: 'slow-downstream', to: 'nestjs', minMs: 1, maxMs: 1 },
    ]);
    assert.equal(rules.empty, true);
    assert.equal(rules.plan('/', undefined), undefined);
    assert.equal(new FaultRules('nestjs', []).plan('/chain', 'fastify/chain'), undefined);
  });

  it('applies a route rule to that route only', () => {
    const rules = new FaultRules('nestjs', [
      { service: 'nestjs', type: 'latency', route: '/chain', minMs: 800, maxMs: 800 },
    ]);
    assert.deepEqual(rules.plan('/chain', undefined), { delayMs: 800, error: undefined });
    assert.equal(rules.plan('/', undefined), undefined);
    assert.equal(rules.plan('/items/:item_id', undefined), undefined);
  });

  it('applies a rule without route to every route; a route rule wins over it', () => {
    const rules = new FaultRules('nestjs', [
      { service: 'nestjs', type: 'latency', minMs: 100, maxMs: 100 },
      { service: 'nestjs', type: 'latency', route: '/chain', minMs: 800, maxMs: 800 },
    ]);
    assert.equal(rules.plan('/', undefined)?.delayMs, 100);
    assert.equal(rules.plan('/items/:item_id', undefined)?.delayMs, 100);
    assert.equal(rules.plan('/chain', undefined)?.delayMs, 800);
  });

  it('draws a latency range uniformly with the injected random source', () => {
    const fault: Fault = { service: 'nestjs', type: 'latency', minMs: 200, maxMs: 1000 };
    const delays = [0, 0.25, 0.5, 0.999_999].map(
      (r) => new FaultRules('nestjs', [fault], () => r).plan('/', undefined)?.delayMs,
    );
    assert.deepEqual(delays, [200, 400, 600, 1000]);
    // A fixed latency draws nothing.
    let drawn = 0;
    const fixed = new FaultRules('nestjs', [{ ...fault, minMs: 300, maxMs: 300 }], () => {
      drawn += 1;
      return 0.5;
    });
    assert.equal(fixed.plan('/', undefined)?.delayMs, 300);
    assert.equal(drawn, 0);
  });

  it('fails a request when the draw falls below the error rate', () => {
    const fault: Fault = { service: 'express', type: 'errors', route: '/chain', rate: 0.3 };
    const plan = (r: number): unknown =>
      new FaultRules('express', [fault], () => r).plan('/chain', undefined);
    assert.deepEqual(plan(0), {
      delayMs: 0,
      error: 'injected fault (fault tool): express errors 30% on /chain',
    });
    assert.ok((plan(0.299) as { error?: string }).error);
    assert.equal(plan(0.3), undefined);
    assert.equal(plan(0.9), undefined);
    // About the rate over many requests, with a seeded generator.
    let seed = 42;
    const lcg = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const rules = new FaultRules('express', [fault], lcg);
    let failed = 0;
    for (let i = 0; i < 10_000; i++) if (rules.plan('/chain', undefined) !== undefined) failed += 1;
    assert.ok(failed > 2800 && failed < 3200, `${String(failed)} of 10000 failed`);
  });

  it('waits, then fails, when a route has both a latency and an error rule', () => {
    const rules = new FaultRules(
      'express',
      [
        { service: 'express', type: 'latency', minMs: 100, maxMs: 300 },
        { service: 'express', type: 'errors', rate: 0.5 },
      ],
      draws(0.5, 0.1),
    );
    assert.deepEqual(rules.plan('/', undefined), {
      delayMs: 200,
      error: 'injected fault (fault tool): express errors 50% on every route',
    });
  });

  it('slows only the /chain hops of the named caller, on top of the route latency', () => {
    const rules = new FaultRules('nestjs', [
      { service: 'fastify', type: 'slow-downstream', to: 'nestjs', minMs: 2000, maxMs: 2000 },
      { service: 'fastify', type: 'latency', minMs: 5, maxMs: 5 }, // fastify's own: not nestjs' business
    ]);
    assert.equal(rules.empty, false);
    assert.deepEqual(rules.plan('/io_task', chainUserAgent('fastify')), { delayMs: 2000, error: undefined });
    assert.equal(rules.plan('/io_task', chainUserAgent('express')), undefined);
    assert.equal(rules.plan('/io_task', 'k6/2.3.0'), undefined);
    assert.equal(rules.plan('/io_task', undefined), undefined);
    const both = new FaultRules('nestjs', [
      ...rules.faults,
      { service: 'nestjs', type: 'latency', route: '/io_task', minMs: 300, maxMs: 300 },
    ]);
    assert.equal(both.plan('/io_task', 'fastify/chain')?.delayMs, 2300);
  });
});

describe('chain callers', () => {
  it('names the caller in the User-Agent and reads it back, nothing else', () => {
    assert.equal(chainUserAgent('fastify'), 'fastify/chain');
    assert.equal(chainCaller('fastify/chain'), 'fastify');
    for (const other of [undefined, '', 'node', 'curl/8.0', 'fastify/chain extra', 'Fastify/chain']) {
      assert.equal(chainCaller(other), undefined, String(other));
    }
  });
});

describe('applyFault', () => {
  it('waits the delay, then throws the injected error', async () => {
    const started = performance.now();
    await assert.rejects(applyFault({ delayMs: 100, error: 'injected fault: x' }), (error: unknown) => {
      assert.ok(error instanceof InjectedFaultError);
      assert.equal(error.message, 'injected fault: x');
      return true;
    });
    assert.ok(performance.now() - started >= 95);
    await applyFault({ delayMs: 0, error: undefined });
  });
});

describe('describeFault', () => {
  it('says what a fault does in one line', () => {
    assert.deepEqual(
      [
        { service: 'nestjs', type: 'latency', route: '/chain', minMs: 800, maxMs: 800 },
        { service: 'nestjs', type: 'latency', minMs: 200, maxMs: 1000 },
        { service: 'express', type: 'errors', rate: 0.125 },
        { service: 'fastify', type: 'slow-downstream', to: 'express', minMs: 2000, maxMs: 2000 },
      ].map((fault) => describeFault(fault as Fault)),
      [
        'nestjs latency 800ms on /chain',
        'nestjs latency 200ms-1000ms on every route',
        'express errors 12.5% on every route',
        'fastify slow-downstream 2000ms to express',
      ],
    );
  });
});

describe('FaultFileWatcher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faults-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes the file the way `npm run fault` does: a temporary file renamed over it. */
  const write = (path: string, text: string): void => {
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  };

  async function until(what: string, check: () => boolean): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (check()) return;
      await sleep(20);
    }
    assert.fail(`timed out waiting for ${what}`);
  }

  it('follows the file: missing = none, written = its rules, broken = unchanged, removed = none', async () => {
    const path = join(dir, 'faults.json');
    const logs: string[] = [];
    const watcher = new FaultFileWatcher({
      service: 'nestjs',
      file: path,
      pollMs: 20,
      log: (m) => logs.push(m),
    });
    try {
      watcher.start();
      assert.equal(watcher.plan('/', undefined), undefined);
      assert.equal(logs.length, 0, 'nothing to say while there is no fault');

      write(path, file([{ service: 'nestjs', type: 'latency', route: '/', minMs: 700, maxMs: 700 }]));
      await until('the latency rule', () => watcher.plan('/', undefined)?.delayMs === 700);
      assert.deepEqual(logs, ['nestjs: faults: nestjs latency 700ms on /']);

      write(path, '{"version": 1, "faults": [{');
      await until('the complaint', () => logs.length === 2);
      assert.match(
        logs[1] ?? '',
        /^nestjs: faults: ignoring .*faults\.json \(not JSON: .*\); the faults in force stay$/,
      );
      assert.equal(watcher.plan('/', undefined)?.delayMs, 700);

      write(path, file([{ service: 'express', type: 'errors', rate: 1 }]));
      await until('no rule for nestjs', () => watcher.plan('/', undefined) === undefined);
      assert.equal(logs.at(-1), 'nestjs: faults: none');

      write(path, file([{ service: 'nestjs', type: 'errors', rate: 1 }]));
      await until('the error rule', () => watcher.plan('/', undefined)?.error !== undefined);
      rmSync(path);
      await until('no rules once the file is gone', () => watcher.plan('/', undefined) === undefined);
      assert.equal(logs.at(-1), 'nestjs: faults: none');
    } finally {
      watcher.stop();
    }
  });

  it('reads the rules already in force at start', () => {
    const path = join(dir, 'at-start.json');
    write(path, file([{ service: 'fastify', type: 'slow-downstream', to: 'express', minMs: 50, maxMs: 50 }]));
    const logs: string[] = [];
    const watcher = new FaultFileWatcher({
      service: 'express',
      file: path,
      log: (m) => logs.push(m),
    }).start();
    try {
      assert.equal(watcher.plan('/cpu_task', 'fastify/chain')?.delayMs, 50);
      assert.deepEqual(logs, ['express: faults: fastify slow-downstream 50ms to express']);
    } finally {
      watcher.stop();
    }
  });

  it('complains about a broken file once, however often it is read, and again after it was fixed', () => {
    const path = join(dir, 'broken.json');
    write(path, '{"version": 1');
    const logs: string[] = [];
    const watcher = new FaultFileWatcher({ service: 'nestjs', file: path, log: (m) => logs.push(m) });
    watcher.reload();
    watcher.reload();
    assert.equal(logs.length, 1);
    write(path, file([]));
    watcher.reload();
    write(path, '{"version": 1');
    watcher.reload();
    assert.equal(logs.length, 2);
    assert.match(logs[1] ?? '', /ignoring .*broken\.json/);
  });

  it('without FAULTS_FILE a service has no faults and no watcher', () => {
    const faults = startFaults('nestjs', undefined);
    assert.equal(faults.plan('/', 'fastify/chain'), undefined);
    faults.stop();
  });
});
