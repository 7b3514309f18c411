import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions, splitSkipEnv, UsageError } from '../../verify/main.ts';

describe('verify command line', () => {
  it('defaults to one attempt, a 15 minute lookback and the compose lab', () => {
    const options = parseOptions([], {});
    assert.notEqual(options, 'help');
    if (options === 'help') return;
    assert.equal(options.waitMs, 0);
    assert.equal(options.lookbackMs, 900_000);
    assert.equal(options.lab, 'compose');
    assert.deepEqual([...options.skipped], []);
    assert.match(options.composeFile, /docker-compose\.yaml$/);
    assert.equal(options.inNetwork, false, 'published host ports unless VERIFY_IN_NETWORK=1');
  });

  it('goes in-network (compose names, container ports) only with VERIFY_IN_NETWORK=1', () => {
    const inside = parseOptions([], { VERIFY_IN_NETWORK: '1' });
    assert.ok(inside !== 'help' && inside.inNetwork);
    const empty = parseOptions([], { VERIFY_IN_NETWORK: '' });
    assert.ok(empty !== 'help' && !empty.inNetwork);
    assert.throws(
      () => parseOptions([], { VERIFY_IN_NETWORK: 'yes' }),
      /VERIFY_IN_NETWORK=yes: must be 1 or unset/,
    );
    assert.throws(() => parseOptions([], { VERIFY_IN_NETWORK: 'yes' }), UsageError);
  });

  it('reads --wait, --skip with reasons, --only, --lab and --log-dir', () => {
    const options = parseOptions(
      [
        '--wait',
        '90s',
        '--skip',
        'tempo=not in the native lab',
        '--skip',
        'jaeger',
        '--only',
        'collector',
        '--lab',
        'native',
        '--log-dir',
        '/tmp/logs',
      ],
      {},
    );
    assert.notEqual(options, 'help');
    if (options === 'help') return;
    assert.equal(options.waitMs, 90_000);
    assert.deepEqual(
      [...options.skipped],
      [
        ['tempo', 'not in the native lab'],
        ['jaeger', 'skipped with --skip'],
      ],
    );
    assert.deepEqual(options.only, ['collector']);
    assert.equal(options.lab, 'native');
    assert.equal(options.logDir, '/tmp/logs');
  });

  it('takes skips, lab and log dir from the environment the native runner sets', () => {
    const options = parseOptions([], {
      VERIFY_SKIP: 'tempo=Tempo, the AGPL one, is not built natively,jaeger',
      VERIFY_LAB: 'native',
      VERIFY_LOG_DIR: '/var/lab',
    });
    assert.notEqual(options, 'help');
    if (options === 'help') return;
    assert.deepEqual(
      [...options.skipped],
      [
        ['tempo', 'Tempo, the AGPL one, is not built natively'],
        ['jaeger', 'skipped with --skip'],
      ],
    );
    assert.equal(options.lab, 'native');
    assert.equal(options.logDir, '/var/lab');
  });

  it('splits VERIFY_SKIP only before component names', () => {
    assert.deepEqual(splitSkipEnv('tempo=a, b,prometheus'), ['tempo=a, b', 'prometheus']);
    assert.deepEqual(splitSkipEnv(''), []);
    assert.deepEqual(splitSkipEnv(undefined), []);
  });

  it('refuses unknown components, bad durations and unknown flags', () => {
    assert.throws(() => parseOptions(['--skip', 'grafana'], {}), UsageError);
    assert.throws(() => parseOptions(['--only', 'kafka'], {}), /--only kafka: not a component/);
    assert.throws(() => parseOptions(['--wait', 'soon'], {}), /--wait: "soon" is not a duration/);
    assert.throws(() => parseOptions(['--lab', 'k8s'], {}), /must be compose or native/);
    assert.throws(() => parseOptions(['--frobnicate'], {}), UsageError);
  });

  it('answers --help', () => {
    assert.equal(parseOptions(['-h'], {}), 'help');
  });
});
