import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Check, CheckResult } from '../../verify/check.ts';
import { formatNumber, formatResult, formatSummary } from '../../verify/format.ts';

const check: Check = {
  id: 'jaeger.services',
  component: 'jaeger',
  title: 'lists the three services',
  run: () => Promise.reject(new Error('not run')),
};
const result = (status: CheckResult['status'], figure: string, hint?: string): CheckResult => ({
  check,
  status,
  figure,
  attempts: 1,
  ...(hint === undefined ? {} : { hint }),
});
const plain = { titleWidth: 30, color: false };

describe('verify output', () => {
  it('prints one line per passing check: mark, padded title, figure', () => {
    assert.equal(
      formatResult(result('pass', 'fastify, nestjs, express'), plain),
      '  ✓ lists the three services        fastify, nestjs, express',
    );
  });

  it('puts what to look at under a failure', () => {
    assert.equal(
      formatResult(
        result(
          'fail',
          'Jaeger query at http://127.0.0.1:16686 refused the connection',
          'is the jaeger-query container up? docker compose logs jaeger-query',
        ),
        plain,
      ),
      [
        '  ✗ lists the three services        Jaeger query at http://127.0.0.1:16686 refused the connection',
        '      ↳ is the jaeger-query container up? docker compose logs jaeger-query',
      ].join('\n'),
    );
  });

  it('marks a skipped check and says why', () => {
    assert.equal(
      formatResult(result('skip', 'Tempo is not part of the native lab'), plain),
      '  – lists the three services        skipped: Tempo is not part of the native lab',
    );
  });

  it('colours only when asked', () => {
    const ESC = '\u001b';
    assert.ok(
      formatResult(result('pass', 'x'), { titleWidth: 0, color: true }).includes(`${ESC}[32m✓${ESC}[39m`),
    );
    assert.ok(!formatResult(result('pass', 'x'), plain).includes(ESC));
  });

  it('sums up as "N passed, N failed, N skipped"', () => {
    assert.equal(
      formatSummary([result('pass', ''), result('pass', ''), result('fail', ''), result('skip', '')]),
      'verify: 2 passed, 1 failed, 1 skipped',
    );
  });

  it('formats numbers for reading', () => {
    assert.equal(formatNumber(48201), '48,201');
    assert.equal(formatNumber(12.54), '12.5');
    assert.equal(formatNumber(0.256), '0.26');
    assert.equal(formatNumber(1020.7), '1,021');
    assert.equal(formatNumber(0), '0');
  });
});
