import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../verify/duration.ts';

describe('verify durations', () => {
  it('parses Go/Prometheus style durations to milliseconds', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('1500ms'), 1500);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('45'), 45_000);
  });

  it('refuses what is not a duration', () => {
    for (const text of ['', 'soon', '90 s', '1d', 's', '-5s']) {
      assert.throws(() => parseDuration(text), /is not a duration/, text);
    }
  });

  it('formats durations shortly', () => {
    assert.equal(formatDuration(850), '850ms');
    assert.equal(formatDuration(12_000), '12s');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(900_000), '15m');
    assert.equal(formatDuration(7_500_000), '2h5m');
  });
});
