// The Explore exercises (docs/exercises.md, docs/exercises.zh-TW.md): enough of them, across every datasource
// and query kind issue 5 names, each with question, hint and answer; both languages give the same answers
// (grafana/src/exercises.ts reads them for the end-to-end tests); every answer is a well-formed query on
// series and services the lab really has; the dashboard tour names files that exist.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';

import { EXERCISE_DOCS, type Exercise, loadExercises, parseExercises } from '../../grafana/src/exercises.ts';
import { KNOWN_METRICS } from '../../grafana/src/queries.ts';
import { REPO_ROOT } from '../../grafana/src/render.ts';
import { promqlErrors, promqlMetricNames, traceqlErrors } from '../../grafana/src/syntax.ts';
import { APP_SERVICES, isAppService } from '../../verify/lab.ts';

const english = await loadExercises('en');
const chinese = await loadExercises('zh-TW');

/** Service names an answer mentions: `service_name="x"`, `resource.service.name = "x"`, `service=x`. */
function servicesIn(exercise: Exercise): string[] {
  const found = [
    ...exercise.query.matchAll(/service_name="([^"]+)"/g),
    ...exercise.query.matchAll(/resource\.service\.name = "([^"]+)"/g),
  ].map((match) => match[1] ?? '');
  if (exercise.jaeger?.params.service !== undefined) found.push(exercise.jaeger.params.service);
  return found;
}

describe('docs/exercises.md', () => {
  it('has at least 10 exercises, numbered 1..n, with unique answer ids', () => {
    assert.ok(english.length >= 10, `${String(english.length)} exercises`);
    assert.deepEqual(
      english.map((e) => e.number),
      english.map((_, i) => i + 1),
    );
    assert.equal(new Set(english.map((e) => e.id)).size, english.length);
  });

  it('covers PromQL, TraceQL search, TraceQL metrics, Jaeger search, compare and the Monitor tab', () => {
    const kinds = new Set(english.map((e) => e.kind));
    for (const kind of [
      'promql',
      'traceql-search',
      'traceql-metrics',
      'jaeger-search',
      'jaeger-metrics',
    ] as const) {
      assert.ok(kinds.has(kind), `no ${kind} exercise`);
    }
    const jaeger = english.filter((e) => e.datasourceUid === 'jaeger');
    assert.ok(
      jaeger.some((e) => e.question.includes('**Compare**')),
      'a Jaeger compare exercise',
    );
    assert.ok(
      jaeger.some((e) => e.question.includes('**Monitor**')),
      'a Jaeger Monitor tab exercise',
    );
    assert.ok(english.filter((e) => e.kind === 'promql').length >= 3);
    assert.ok(english.filter((e) => e.kind.startsWith('traceql')).length >= 3);
  });

  it('every exercise has a question, a hint and an explained answer', () => {
    for (const e of english) {
      assert.match(e.question, /\?/, `exercise ${String(e.number)}: the question asks something`);
      assert.ok(e.hint.length >= 40, `exercise ${String(e.number)}: hint`);
      assert.ok(e.explanation.length >= 40, `exercise ${String(e.number)}: what the learner should see`);
    }
  });

  it('every PromQL answer parses and reads only series the collector exports', () => {
    for (const e of english.filter((x) => x.kind === 'promql')) {
      assert.deepEqual(promqlErrors(e.query), [], `${e.id}: ${e.query}`);
      const metrics = promqlMetricNames(e.query);
      assert.ok(metrics.length > 0, e.id);
      for (const metric of metrics)
        assert.ok(KNOWN_METRICS.includes(metric), `${e.id}: unknown metric ${metric}`);
    }
  });

  it('every TraceQL answer parses, and TraceQL metrics answers are metrics queries', () => {
    for (const e of english.filter((x) => x.kind.startsWith('traceql'))) {
      assert.deepEqual(traceqlErrors(e.query), [], `${e.id}: ${e.query}`);
    }
  });

  it('every Jaeger answer names a lab service and Jaeger parameters', () => {
    for (const e of english.filter((x) => x.datasourceUid === 'jaeger')) {
      assert.ok(e.jaeger, e.id);
      const { path, params } = e.jaeger;
      assert.ok(isAppService(params.service ?? ''), `${e.id}: service=${String(params.service)}`);
      const allowed =
        path === '/search'
          ? ['service', 'operation', 'tags', 'minDuration', 'maxDuration', 'limit']
          : ['service', 'spanKind', 'groupByOperation', 'quantile', 'endTs', 'lookback', 'step', 'ratePer'];
      for (const name of Object.keys(params)) assert.ok(allowed.includes(name), `${e.id}: parameter ${name}`);
      if (params.tags !== undefined)
        assert.doesNotThrow(() => JSON.parse(params.tags ?? ''), `${e.id}: tags is JSON`);
    }
  });

  it('answers use only the lab’s services and no dashboard variables (Explore has none)', () => {
    const used = new Set<string>();
    for (const e of english) {
      for (const service of servicesIn(e)) {
        assert.ok(isAppService(service), `${e.id}: ${service} is not a lab service`);
        used.add(service);
      }
      assert.doesNotMatch(e.query, /\$/, `${e.id}: a Grafana variable`);
    }
    assert.deepEqual([...used].sort(), [...APP_SERVICES].sort(), 'the exercises visit every service');
  });
});

describe('docs/exercises.zh-TW.md', () => {
  it('has the same exercises with the same answers as the English page', () => {
    assert.deepEqual(
      chinese.map((e) => ({ number: e.number, id: e.id, kind: e.kind, query: e.query })),
      english.map((e) => ({ number: e.number, id: e.id, kind: e.kind, query: e.query })),
    );
  });

  it('is translated: questions, hints and explanations are in Traditional Chinese', () => {
    const han = /[\u4e00-\u9fff]/;
    for (const e of chinese) {
      for (const [part, text] of Object.entries({
        title: e.title,
        question: e.question,
        hint: e.hint,
        explanation: e.explanation,
      })) {
        assert.match(text, han, `exercise ${String(e.number)}: ${part} is not translated`);
      }
    }
    const text = chinese.map((e) => `${e.question}${e.hint}${e.explanation}`).join('');
    // Simplified forms that Taiwan usage writes differently.
    for (const simplified of ['数据', '查询', '请求', '服务', '错误', '时间', '选择', '链接']) {
      assert.ok(!text.includes(simplified), `simplified Chinese "${simplified}" in the zh-TW page`);
    }
  });
});

describe('the exercise parser (grafana/src/exercises.ts)', () => {
  const good = [
    '### 1. Title',
    '',
    'Why?',
    '',
    '<details><summary>Hint</summary>',
    '',
    'A hint.',
    '',
    '</details>',
    '',
    '<details><summary>Answer</summary>',
    '',
    '```promql answer=x-1',
    'up',
    '```',
    '',
    'Because.',
    '',
    '</details>',
  ].join('\n');

  it('reads the question, hint, answer and explanation of a section', () => {
    const [exercise] = parseExercises(good, 'en');
    assert.deepEqual(exercise && { ...exercise }, {
      number: 1,
      title: 'Title',
      question: 'Why?',
      hint: 'A hint.',
      explanation: 'Because.',
      id: 'x-1',
      query: 'up',
      kind: 'promql',
      datasourceUid: 'prometheus',
    });
  });

  it('refuses an exercise without a hint or without a tagged answer block', () => {
    assert.throws(
      () => parseExercises(good.replace('<summary>Hint</summary>', '<summary>Tip</summary>'), 'en'),
      /Hint/,
    );
    assert.throws(() => parseExercises(good.replace('```promql answer=x-1', '```promql'), 'en'), /answer=/);
  });
});

describe('the dashboard tour', () => {
  for (const [language, path] of Object.entries(EXERCISE_DOCS)) {
    it(`${path} names only repository files that exist`, async () => {
      const text = await readFile(`${REPO_ROOT}${path}`, 'utf8');
      const files = [...text.matchAll(/`((?:grafana|docs)\/[\w./-]+\.(?:ts|json|yaml|md))`/g)].map(
        (m) => m[1] ?? '',
      );
      assert.ok(files.length >= 6, `${language}: the tour points at the source files`);
      for (const file of files)
        assert.ok(existsSync(`${REPO_ROOT}${file}`), `${path}: ${file} does not exist`);
    });
  }
});
