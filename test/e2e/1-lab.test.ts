// The native lab as a whole: after a minute of load, the lab doctor (`npm run verify -- --wait …`) passes every
// check. A component native:up left out (Tempo when nobody supplied its binary, see native/lib/supplied.ts) has
// its checks reported skipped with the reason, never passed; with TEMPO_BINARY set nothing is skipped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readState } from '../../native/lib/state.ts';
import { COMPONENTS, type Component } from '../../verify/check.ts';
import { MARKS } from '../../verify/format.ts';
import { APP_SERVICES } from '../../verify/lab.ts';
import { ALL_CHECKS } from '../../verify/main.ts';
import { assertLoadRunning, loadRunningFor, npmRun, printLogsOnFailure } from './lab.ts';

printLogsOnFailure();

/** The compose services behind each of verify's components. */
const COMPOSE_SERVICES: Record<Component, readonly string[]> = {
  services: APP_SERVICES,
  collector: ['otel-collector'],
  tempo: ['tempo'],
  jaeger: ['jaeger-collector', 'jaeger-query'],
  prometheus: ['prometheus'],
  memory: [],
};

/** verify's components this native lab does not run, with native:up's reason. */
const skippedByUp = readState().skipped;
const absent = (Object.keys(COMPONENTS) as Component[]).flatMap((component) =>
  COMPOSE_SERVICES[component]
    .flatMap((service) => {
      const reason = skippedByUp[service];
      return reason === undefined ? [] : [{ component, reason }];
    })
    .slice(0, 1),
);

/** verify's output, split into its component sections (a header line, then one line per check). */
function sections(output: string): Map<string, string[]> {
  const titles = new Set<string>(Object.values(COMPONENTS).map((c) => c.title));
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of output.split('\n')) {
    if (titles.has(line.trim())) {
      current = [];
      out.set(line.trim(), current);
    } else if (current !== undefined && line.startsWith('  ')) {
      current.push(line);
    } else {
      current = undefined;
    }
  }
  return out;
}

test(
  'after a minute of load, verify --wait passes every check of the native lab',
  { timeout: 360_000 },
  async () => {
    for (const a of absent) console.log(`e2e: verify's ${a.component} checks are skipped: ${a.reason}`);
    assert.ok(
      absent.every((a) => a.component === 'tempo'),
      `only Tempo may be missing (no binary supplied): ${absent.map((a) => a.component).join(', ')}`,
    );
    await loadRunningFor(60_000);
    assertLoadRunning();
    const skips = absent.map((a) => `${a.component}=${a.reason}`);
    const { code, output } = await npmRun(
      'verify',
      [
        '--wait',
        '3m',
        '--lab',
        'native',
        '--log-dir',
        '.native/logs',
        ...skips.flatMap((s) => ['--skip', s]),
      ],
      { echo: true, timeoutMs: 300_000 },
    );
    assert.equal(code, 0, 'verify exit code');

    const bySection = sections(output);
    let passed = 0;
    let skipped = 0;
    for (const check of ALL_CHECKS) {
      const title = COMPONENTS[check.component].title;
      const lines = bySection.get(title);
      assert.ok(lines !== undefined, `verify printed no "${title}" section`);
      const line = lines.find((l) => l.slice(4).startsWith(check.title));
      assert.ok(line !== undefined, `${title}: no line for "${check.title}"`);
      const absentAs = absent.find(
        (a) => a.component === check.component || check.needs?.includes(a.component),
      );
      if (absentAs === undefined) {
        assert.ok(line.startsWith(`  ${MARKS.pass} `), `expected a pass: ${line}`);
        passed += 1;
      } else {
        assert.ok(line.startsWith(`  ${MARKS.skip} `), `expected skipped, never passed: ${line}`);
        assert.match(line, /skipped: .+/);
        skipped += 1;
      }
    }
    assert.equal(passed + skipped, ALL_CHECKS.length);
    assert.equal(
      skipped > 0,
      absent.length > 0,
      `${String(skipped)} skipped for ${String(absent.length)} absent`,
    );
    assert.ok(!output.includes(` ${MARKS.fail} `), 'no check failed');
    assert.match(
      output,
      new RegExp(`^verify: ${String(passed)} passed, 0 failed, ${String(skipped)} skipped$`, 'm'),
    );
  },
);
