import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULT_CHAIN_TIMEOUT_MS, loadConfig } from '@lab/common';

const valid = { PORT: '8000', TARGET_ONE_SVC: 'http://nestjs:8080', TARGET_TWO_SVC: 'http://express:3001/' };

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads the contract variables and defaults CHAIN_TIMEOUT_MS', () => {
    assert.deepEqual(loadConfig(valid), {
      port: 8000,
      targetOne: 'http://nestjs:8080',
      targetTwo: 'http://express:3001',
      chainTimeoutMs: DEFAULT_CHAIN_TIMEOUT_MS,
    });
    assert.equal(loadConfig({ ...valid, CHAIN_TIMEOUT_MS: ' 250 ' }).chainTimeoutMs, 250);
  });

  it('resolves FAULTS_FILE against the working directory; unset or empty means no fault file', () => {
    assert.equal(
      loadConfig({ ...valid, FAULTS_FILE: '../../faults/state/faults.json' }, '/app/services/nestjs')
        .faultsFile,
      '/app/faults/state/faults.json',
    );
    assert.equal(loadConfig({ ...valid, FAULTS_FILE: '/tmp/f.json' }, '/x').faultsFile, '/tmp/f.json');
    assert.equal('faultsFile' in loadConfig({ ...valid, FAULTS_FILE: ' ' }), false);
  });

  it('keeps a path prefix of a target base URL', () => {
    assert.equal(
      loadConfig({ ...valid, TARGET_ONE_SVC: 'https://gw.example/nest/' }).targetOne,
      'https://gw.example/nest',
    );
  });

  it('names every missing variable', () => {
    assert.deepEqual(problemsOf({}), [
      'PORT is required (an integer from 1 to 65535)',
      'TARGET_ONE_SVC is required (a base URL such as http://nestjs:8080)',
      'TARGET_TWO_SVC is required (a base URL such as http://nestjs:8080)',
    ]);
  });

  for (const [name, value, pattern] of [
    ['PORT', 'eighty', /^PORT must be an integer from 1 to 65535, got "eighty"$/],
    ['PORT', '70000', /^PORT must be an integer/],
    ['PORT', '0', /^PORT must be an integer/],
    ['PORT', '80.5', /^PORT must be an integer/],
    ['CHAIN_TIMEOUT_MS', '-1', /^CHAIN_TIMEOUT_MS must be an integer from 1 to 600000/],
    ['TARGET_ONE_SVC', 'nestjs:8080', /^TARGET_ONE_SVC must use http or https/],
    ['TARGET_ONE_SVC', 'not a url', /^TARGET_ONE_SVC must be an absolute http\(s\) URL/],
    ['TARGET_TWO_SVC', 'ftp://express', /^TARGET_TWO_SVC must use http or https/],
    ['TARGET_TWO_SVC', 'http://express:3001/?x=1', /^TARGET_TWO_SVC must be a plain base URL/],
  ] as const) {
    it(`rejects ${name}=${JSON.stringify(value)} with a message naming it`, () => {
      const problems = problemsOf({ ...valid, [name]: value });
      assert.equal(problems.length, 1);
      assert.match(problems[0] ?? '', pattern);
    });
  }

  it('puts every problem in the error message', () => {
    assert.throws(() => loadConfig({ PORT: 'x' }), {
      name: 'ConfigError',
      message: /PORT must be .*; TARGET_ONE_SVC is required.*; TARGET_TWO_SVC is required/,
    });
  });
});
