// The failure scenarios (docs/scenarios.md and its Traditional Chinese twin): 3–5 incidents, each with what to
// switch on, where it shows and how to confirm the cause; every `docker compose run --rm fault` command in them is one the
// command accepts; every PromQL and TraceQL query is well-formed and reads series the lab has; every panel
// named is a panel of the SPM dashboard; both languages give the same commands and queries.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseCommand } from '../../faults/command.ts';
import { labFromCompose } from '../../faults/main.ts';
import { KNOWN_METRICS } from '../../grafana/src/queries.ts';
import { promqlErrors, promqlMetricNames, traceqlErrors } from '../../grafana/src/syntax.ts';
import { REPO_ROOT } from '../../verify/compose.ts';

const DOCS = { en: 'docs/scenarios.md', 'zh-TW': 'docs/scenarios.zh-TW.md' } as const;
const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const english = read(DOCS.en);
const chinese = read(DOCS['zh-TW']);

/** The fenced blocks of a document: language and content. */
function fences(text: string): { lang: string; body: string }[] {
  return [...text.matchAll(/^ *```(\w*)\n([\s\S]*?)\n *```$/gm)].map((m) => ({
    lang: m[1] ?? '',
    body: (m[2] ?? '')
      .split('\n')
      .map((line) => line.trim())
      .join('\n'),
  }));
}

/** Every `docker compose run --rm fault …` command, in code blocks (comments dropped) and inline code. */
function faultCommands(text: string): string[] {
  const commands = [
    ...text.matchAll(/^\s*docker compose run --rm fault ([^#\n]*)/gm),
    ...text.matchAll(/`docker compose run --rm fault ([^`…]*)`/g),
  ].map((m) => (m[1] ?? '').trim());
  return [...new Set(commands)].sort();
}

/** Panel titles of the generated SPM dashboard. */
function panelTitles(): Set<string> {
  const titles = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      if (typeof record.title === 'string' && 'type' in record) titles.add(record.title);
      Object.values(record).forEach(visit);
    }
  };
  visit(JSON.parse(read('grafana/dashboards/spm.json')));
  return titles;
}

/** Bold words that are UI elements outside the dashboard's panels, or the documents' own labels. */
const OTHER_BOLD = new Set([
  'Service Performance Monitoring',
  'Explore',
  'Monitor',
  'Compare',
  'Search',
  'Min Duration',
  'Max Duration',
  'Events',
  'Exemplars',
  'Span kind',
  // the fault types, in "How faults work"
  'latency',
  'errors',
  'slow-downstream',
]);
const LABELS = {
  en: ['Switch on:', 'Tell the learners:', 'Where it shows:', 'Confirm the root cause:', 'Clear:'],
  'zh-TW': ['開啟：', '告訴學員：', '在哪裡看得到：', '確認根本原因：', '清除：'],
} as const;

const bold = (text: string): string[] =>
  [...text.matchAll(/\*\*([^*]+)\*\*/g)].map((m) => (m[1] ?? '').replace(/\s+/g, ' '));

describe('docs/scenarios.md', () => {
  const scenarios = english.split(/^## \d+\. /m).slice(1);

  it('has 3 to 5 scenarios, including the three the workshop needs', () => {
    assert.ok(scenarios.length >= 3 && scenarios.length <= 5, `${String(scenarios.length)} scenarios`);
    const titles = [...english.matchAll(/^## \d+\. (.+)$/gm)].map((m) => m[1]);
    for (const wanted of ['Checkout is slow', 'Errors after a deploy', 'One dependency drags the chain']) {
      assert.ok(titles.includes(wanted), `a scenario "${wanted}" (have: ${titles.join(', ')})`);
    }
  });

  for (const [language, text] of Object.entries({ en: english, 'zh-TW': chinese }) as [
    keyof typeof DOCS,
    string,
  ][]) {
    it(`${language}: every scenario says what to switch on, where it shows, how to confirm and clear`, () => {
      const parts = text.split(/^## \d+\. /m).slice(1);
      assert.equal(parts.length, scenarios.length);
      for (const [index, part] of parts.entries()) {
        const labels = bold(part);
        for (const label of LABELS[language]) {
          assert.ok(labels.includes(label), `${DOCS[language]} scenario ${String(index + 1)}: **${label}**`);
        }
        assert.match(
          part,
          /docker compose run --rm fault [a-z]+ (latency|errors|slow-downstream) /,
          'a fault to switch on',
        );
        assert.match(part, /```traceql/, 'a TraceQL query');
        assert.match(part, /Monitor/, 'the Jaeger Monitor tab');
        assert.match(part, /docker compose run --rm fault clear/, 'how to clear');
      }
    });
  }

  it('every fault command in both languages is accepted, and they are the same', () => {
    const lab = labFromCompose();
    const commands = faultCommands(english);
    assert.ok(commands.length >= 8, commands.join('\n'));
    for (const command of commands) {
      assert.doesNotThrow(() => parseCommand(command.split(/\s+/), lab), command);
    }
    assert.deepEqual(faultCommands(chinese), commands);
  });

  it('every PromQL and TraceQL query is well-formed, on series the lab has, the same in both languages', () => {
    const queries = fences(english).filter((f) => f.lang === 'promql' || f.lang === 'traceql');
    assert.ok(queries.some((q) => q.lang === 'promql') && queries.some((q) => q.lang === 'traceql'));
    for (const { lang, body } of queries) {
      if (lang === 'promql') {
        assert.deepEqual(promqlErrors(body), [], body);
        for (const metric of promqlMetricNames(body)) assert.ok(KNOWN_METRICS.includes(metric), metric);
      } else {
        assert.deepEqual(traceqlErrors(body), [], body);
      }
    }
    const queriesOf = (text: string): { lang: string; body: string }[] =>
      fences(text).filter((f) => f.lang !== 'sh');
    assert.deepEqual(queriesOf(chinese), queriesOf(english));
  });

  it('names only panels the dashboard has (and the same ones in both languages)', () => {
    const panels = panelTitles();
    const labels = new Set<string>(LABELS.en);
    const named = bold(english).filter((b) => !labels.has(b) && !OTHER_BOLD.has(b));
    assert.ok(named.length >= 5, named.join(', '));
    for (const title of named) assert.ok(panels.has(title), `"${title}" is a panel of the SPM dashboard`);
    const zhNamed = bold(chinese).filter((b) => panels.has(b));
    assert.deepEqual(new Set(zhNamed), new Set(named));
  });
});

describe('scenario 5 quotes the SLO figures of BENCHMARKS.md', () => {
  const bench = read('BENCHMARKS.md');
  /** p50 and p95 of a row of the bench's SLO table (bench/report.ts sloTable). */
  const figures = (label: string): [string, string] => {
    const line = bench.split('\n').find((l) => l.startsWith(`| ${label} |`));
    const [, p50, p95] = (line ?? '')
      .split('|')
      .map((c) => c.trim())
      .slice(1);
    if (p50 === undefined || p95 === undefined) return assert.fail(`BENCHMARKS.md has no row "${label}"`);
    return [p50, p95];
  };

  for (const [language, text] of Object.entries({ en: english, 'zh-TW': chinese })) {
    it(`${language}: the page's fire and resolve times are the bench's p50 and p95`, () => {
      const scenario5 = text.split(/^## \d+\. /m)[5] ?? assert.fail('no scenario 5');
      for (const label of [
        'fault on -> page firing in Prometheus',
        'fault cleared -> page resolved in Prometheus',
      ]) {
        for (const figure of figures(label))
          assert.ok(
            scenario5.includes(figure),
            `scenario 5 does not quote ${label}: ${figure} (BENCHMARKS.md)`,
          );
      }
    });
  }
});
