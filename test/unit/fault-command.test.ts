// `npm run fault`: its grammar and input checks (faults/command.ts), what it writes (faults/main.ts, read back by
// the services' own parser), and the wiring that makes the services read that file in both labs
// (docker-compose.yaml's FAULTS_FILE and read-only mount; the native lab's working directories).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  type Command,
  type Fault,
  type Lab,
  UsageError,
  applyCommand,
  describeFault,
  formatList,
  parseCommand,
  parseLatency,
  parseRate,
  serialize,
} from '../../faults/command.ts';
import { FAULTS_DIR, FAULTS_FILE, labFromCompose, run, type Io } from '../../faults/main.ts';
import { IMAGE_APP_ROOT, recipeOf } from '../../native/lib/recipes.ts';
import { APP_SERVICES } from '../../verify/lab.ts';
import { COMPOSE_FILE, loadCompose, REPO_ROOT } from '../../verify/compose.ts';

const lab: Lab = labFromCompose();

function usageError(argv: string[]): string {
  try {
    parseCommand(argv, lab);
  } catch (error) {
    assert.ok(error instanceof UsageError, `a UsageError for ${argv.join(' ')}: ${String(error)}`);
    return error.message;
  }
  assert.fail(`npm run fault -- ${argv.join(' ')} was accepted`);
}

describe('npm run fault: the lab it checks against', () => {
  it('knows the three services, the eight routes and each /chain target pair from the lab files', () => {
    assert.deepEqual(lab.services, ['fastify', 'nestjs', 'express']);
    assert.deepEqual([...lab.routes].sort(), [
      '/',
      '/chain',
      '/cpu_task',
      '/error_test',
      '/io_task',
      '/items/:item_id',
      '/random_sleep',
      '/random_status',
    ]);
    assert.deepEqual(lab.chainTargets, {
      fastify: ['nestjs', 'express'],
      nestjs: ['express', 'fastify'],
      express: ['fastify', 'nestjs'],
    });
  });
});

describe('npm run fault: commands', () => {
  const cases: [string, Command][] = [
    [
      'nestjs latency 800ms --route /chain',
      { kind: 'set', fault: { service: 'nestjs', type: 'latency', route: '/chain', minMs: 800, maxMs: 800 } },
    ],
    [
      'nestjs latency 1.5s',
      { kind: 'set', fault: { service: 'nestjs', type: 'latency', minMs: 1500, maxMs: 1500 } },
    ],
    [
      'fastify latency 200ms-1s --route /items/:item_id',
      {
        kind: 'set',
        fault: { service: 'fastify', type: 'latency', route: '/items/:item_id', minMs: 200, maxMs: 1000 },
      },
    ],
    ['express errors 30%', { kind: 'set', fault: { service: 'express', type: 'errors', rate: 0.3 } }],
    [
      'express errors 100% --route /',
      { kind: 'set', fault: { service: 'express', type: 'errors', route: '/', rate: 1 } },
    ],
    [
      'fastify slow-downstream 2s',
      {
        kind: 'set',
        fault: { service: 'fastify', type: 'slow-downstream', to: 'nestjs', minMs: 2000, maxMs: 2000 },
      },
    ],
    [
      'fastify slow-downstream 1s-3s --to express',
      {
        kind: 'set',
        fault: { service: 'fastify', type: 'slow-downstream', to: 'express', minMs: 1000, maxMs: 3000 },
      },
    ],
    [
      '--route=/chain nestjs latency 5ms',
      { kind: 'set', fault: { service: 'nestjs', type: 'latency', route: '/chain', minMs: 5, maxMs: 5 } },
    ],
    ['list', { kind: 'list' }],
    ['clear', { kind: 'clear' }],
    ['clear nestjs', { kind: 'clear', service: 'nestjs' }],
    ['clear nestjs latency', { kind: 'clear', service: 'nestjs', type: 'latency' }],
    [
      'clear nestjs latency --route /chain',
      { kind: 'clear', service: 'nestjs', type: 'latency', route: '/chain' },
    ],
    [
      'clear fastify slow-downstream --to express',
      { kind: 'clear', service: 'fastify', type: 'slow-downstream', to: 'express' },
    ],
    ['help', { kind: 'help' }],
    ['--help', { kind: 'help' }],
  ];
  for (const [args, expected] of cases) {
    it(`npm run fault -- ${args}`, () => {
      assert.deepEqual(parseCommand(args.split(' '), lab), expected);
    });
  }
});

describe('npm run fault: bad input is refused, naming the bad part', () => {
  const cases: [string, RegExp][] = [
    ['', /say what to do/],
    ['nginx latency 1s', /unknown service "nginx": choose one of fastify, nestjs, express/],
    ['nestjs', /what should happen to nestjs\? one of latency, errors, slow-downstream/],
    ['nestjs slow 1s', /unknown fault type "slow": choose one of latency, errors, slow-downstream/],
    ['nestjs latency', /latency needs a value, e.g. nestjs latency 800ms/],
    ['nestjs latency 800', /latency "800" is not a duration: add a unit, 800ms or 800s/],
    ['nestjs latency fast', /latency "fast" is not a duration \(examples: 800ms, 2s, 1.5s\)/],
    ['nestjs latency -5ms', /Unknown option|not a duration/],
    ['nestjs latency 2m', /latency "2m" is not a duration/],
    ['nestjs latency 31s', /latency "31s" is too long: at most 30s/],
    ['nestjs latency 0ms', /adds no latency; to switch a fault off use clear/],
    ['nestjs latency 1s-200ms', /the range must go from low to high/],
    ['nestjs latency 1s-2s-3s', /neither a duration \(800ms\) nor a range \(200ms-1s\)/],
    ['nestjs latency 1s-', /neither a duration/],
    ['nestjs latency 800ms --route /chian', /unknown route "\/chian": choose one of \/, \/io_task/],
    ['nestjs latency 800ms --route chain', /unknown route "chain"/],
    ['nestjs latency 800ms --to express', /latency has no --to \(that is for slow-downstream\); use --route/],
    ['nestjs latency 800ms 900ms', /unexpected "900ms" at the end/],
    ['express errors 30', /error rate "30" is not a percentage: add a %, 30%/],
    ['express errors 0.3', /error rate "0.3" is not a percentage: add a %, 0.3%/],
    ['express errors 0%', /must be more than 0% and at most 100%/],
    ['express errors 101%', /must be more than 0% and at most 100%/],
    ['express errors lots', /is not a percentage \(examples: 30%, 100%, 0.5%\)/],
    ['fastify slow-downstream 2s --route /chain', /slow-downstream has no --route/],
    [
      'fastify slow-downstream 2s --to fastify',
      /--to fastify: fastify's \/chain does not call it; it calls nestjs and express/,
    ],
    ['fastify slow-downstream 2s --to redis', /--to redis: fastify's \/chain does not call it/],
    ['nestjs latency 800ms --rout /chain', /Unknown option '--rout'/],
    ['nestjs latency 800ms --route', /--route/],
    ['list nestjs', /unexpected "nestjs" at the end/],
    ['list --route /', /list takes no --route/],
    ['clear nginx', /unknown service "nginx"/],
    ['clear nestjs slow', /unknown fault type "slow"/],
    ['clear --route /chain', /clear takes --route or --to only after a service and a fault type/],
    ['clear nestjs errors --to express', /errors has no --to/],
    ['clear nestjs latency extra', /unexpected "extra" at the end/],
  ];
  for (const [args, message] of cases) {
    it(`npm run fault -- ${args}`, () => {
      assert.match(usageError(args === '' ? [] : args.split(' ')), message);
    });
  }

  it('durations and percentages are exact', () => {
    assert.deepEqual(parseLatency('0ms-250ms', 'latency'), { minMs: 0, maxMs: 250 });
    assert.deepEqual(parseLatency('30s', 'latency'), { minMs: 30_000, maxMs: 30_000 });
    assert.equal(parseRate('0.5%', 'rate'), 0.005);
    assert.equal(parseRate('100%', 'rate'), 1);
  });
});

describe('npm run fault: what a command does to the faults in force', () => {
  const now = new Date('2026-11-24T10:00:00.000Z');
  const set = (args: string, faults: readonly Fault[]): Fault[] => {
    const command = parseCommand(args.split(' '), lab);
    assert.ok(command.kind === 'set');
    return applyCommand(command, faults, now).faults;
  };
  const clear = (args: string, faults: readonly Fault[]): Fault[] => {
    const command = parseCommand(args.split(' '), lab);
    assert.ok(command.kind === 'clear');
    return applyCommand(command, faults, now).faults;
  };
  const names = (faults: readonly Fault[]): string[] => faults.map(describeFault);

  let faults: Fault[] = [];
  faults = set('nestjs latency 800ms --route /chain', faults);
  faults = set('nestjs latency 100ms', faults);
  faults = set('nestjs errors 10% --route /chain', faults);
  faults = set('express errors 30%', faults);
  faults = set('fastify slow-downstream 2s', faults);
  faults = set('fastify slow-downstream 1s --to express', faults);

  it('adds one rule per service, type and route (or target), stamped with the time', () => {
    assert.deepEqual(names(faults), [
      'nestjs latency 800ms on /chain',
      'nestjs latency 100ms on every route',
      'nestjs errors 10% on /chain',
      'express errors 30% on every route',
      'fastify slow-downstream 2s: its /chain calls to nestjs',
      'fastify slow-downstream 1s: its /chain calls to express',
    ]);
    assert.ok(faults.every((f) => f.since === now.toISOString()));
  });

  it('replaces the same rule instead of adding a second one', () => {
    const again = set('nestjs latency 1200ms --route /chain', faults);
    assert.equal(again.length, faults.length);
    assert.deepEqual(
      names(again).filter((n) => n.includes('on /chain')),
      ['nestjs errors 10% on /chain', 'nestjs latency 1.2s on /chain'],
    );
  });

  it('clears everything, a service, a type, or one rule', () => {
    assert.deepEqual(clear('clear', faults), []);
    assert.deepEqual(
      names(clear('clear nestjs', faults)),
      names(faults).filter((n) => !n.startsWith('nestjs')),
    );
    assert.deepEqual(names(clear('clear nestjs latency', faults)), [
      'nestjs errors 10% on /chain',
      'express errors 30% on every route',
      'fastify slow-downstream 2s: its /chain calls to nestjs',
      'fastify slow-downstream 1s: its /chain calls to express',
    ]);
    assert.deepEqual(
      names(clear('clear nestjs latency --route /chain', faults)),
      names(faults).filter((n) => n !== 'nestjs latency 800ms on /chain'),
    );
    assert.deepEqual(
      names(clear('clear fastify slow-downstream --to express', faults)),
      names(faults).filter((n) => !n.endsWith('to express')),
    );
  });

  it('lists them with their start time', () => {
    assert.equal(formatList([]), 'No faults: the lab runs normally.');
    assert.equal(
      formatList(faults.slice(0, 1)),
      '1 fault in force:\n  nestjs latency 800ms on /chain  (since 2026-11-24 10:00:00Z)',
    );
  });

  it('writes what the services read: their own parser (services/common) accepts it unchanged', () => {
    const require = createRequire(import.meta.url);
    const common = require('@lab/common') as { parseFaultFile: (text: string) => unknown };
    assert.deepEqual(common.parseFaultFile(serialize(faults)), faults);
    assert.deepEqual(common.parseFaultFile(serialize([])), []);
  });
});

describe('npm run fault: the file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fault-cli-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function io(file: string): Io & { lines: string[]; errors: string[] } {
    const lines: string[] = [];
    const errors: string[] = [];
    return {
      command: 'npm run fault --',
      file,
      lab,
      now: () => new Date('2026-11-24T10:00:00.000Z'),
      out: (line) => lines.push(line),
      err: (line) => errors.push(line),
      lines,
      errors,
    };
  }

  it('switches a fault on, lists it and clears it; the file is always a complete fault file', () => {
    const file = path.join(dir, 'state', 'faults.json');
    const session = io(file);
    assert.equal(run(['nestjs', 'latency', '800ms', '--route', '/chain'], session), 0);
    assert.match(session.lines[0] ?? '', /^Switched on: nestjs latency 800ms on \/chain\. /);
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { faults: unknown[] }).faults.length, 1);
    assert.equal(run(['list'], session), 0);
    assert.match(session.lines.at(-1) ?? '', /nestjs latency 800ms on \/chain/);
    assert.equal(run(['clear'], session), 0);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { version: 1, faults: [] });
    assert.deepEqual(session.errors, []);
  });

  it('bad input changes nothing and exits 2', () => {
    const file = path.join(dir, 'bad-input.json');
    const session = io(file);
    assert.equal(run(['express', 'errors', '30%'], session), 0);
    const before = readFileSync(file, 'utf8');
    for (const args of [
      ['express', 'errors', '30'],
      ['express', 'latency', '1s', '--route', '/nope'],
      ['clear', 'nginx'],
    ]) {
      assert.equal(run(args, session), 2, args.join(' '));
    }
    assert.equal(readFileSync(file, 'utf8'), before);
    assert.match(
      session.errors[0] ?? '',
      /^npm run fault: error rate "30" is not a percentage: add a %, 30%\. Nothing changed\.$/,
    );
  });

  it('refuses to edit a file it cannot read, but clear starts over', () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{"version": 1, "faults": [{"service": "nestjs"}]}');
    const session = io(file);
    assert.equal(run(['nestjs', 'errors', '5%'], session), 1);
    assert.match(
      session.errors[0] ?? '',
      /is not a fault file this command can read .*npm run fault -- clear/,
    );
    assert.equal(run(['clear'], session), 0);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { version: 1, faults: [] });
  });

  it('from the shell: `npm run fault` checks its input before it touches the file', () => {
    const result = spawnSync(process.execPath, ['faults/main.ts', 'express', 'errors', '30'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /error rate "30" is not a percentage/);
  });
});

describe('the fault file reaches every service, in docker compose and in the native lab', () => {
  const lab = loadCompose(COMPOSE_FILE, {}, { strict: true });
  const compose = lab.doc;

  it('faults/state exists in the repository (compose would create it root-owned otherwise)', () => {
    assert.ok(existsSync(path.join(FAULTS_DIR, '.gitkeep')));
    assert.equal(path.relative(REPO_ROOT, FAULTS_FILE), path.join('faults', 'state', 'faults.json'));
  });

  for (const name of APP_SERVICES) {
    it(`${name}: FAULTS_FILE is the file npm run fault writes, mounted read-only`, () => {
      const service = compose.services[name] ?? {};
      const relative = lab.services[name]?.environment.FAULTS_FILE;
      assert.ok(relative !== undefined, `${name} has FAULTS_FILE`);
      const recipe = recipeOf(name);
      assert.ok(recipe.kind === 'node');
      // In the container: resolved against the image's WORKDIR, inside a read-only bind of faults/state.
      const inContainer = path.posix.resolve(recipe.imageWorkdir, relative);
      const mounts = (service.volumes ?? []).filter((v): v is string => typeof v === 'string');
      const mount = mounts
        .map((v) => v.split(':'))
        .find(([, target]) => target !== undefined && inContainer.startsWith(`${target}/`));
      assert.ok(mount, `${name}: ${inContainer} lies in a mounted folder (${mounts.join(', ')})`);
      const [source = '', target = '', mode = ''] = mount;
      assert.equal(mode, 'ro', `${name}: the services only read faults`);
      assert.equal(path.resolve(REPO_ROOT, source, path.posix.relative(target, inContainer)), FAULTS_FILE);
      // Natively: the same relative path from services/<name> (the image's /app is the repository).
      const workdir = path.join(REPO_ROOT, path.posix.relative(IMAGE_APP_ROOT, recipe.imageWorkdir));
      assert.equal(path.resolve(workdir, relative), FAULTS_FILE);
    });
  }
});
