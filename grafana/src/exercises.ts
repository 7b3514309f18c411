// The Explore exercises' answers, read from the exercise documents themselves (docs/exercises.md and its
// Traditional Chinese twin), so the queries a test runs are exactly the ones a learner reads.
//
// An exercise is a `### <number>. <title>` section: the question, then `<details><summary>Hint</summary>`,
// then `<details><summary>Answer</summary>` holding one fenced block whose info string is
// `<language> answer=<id>`, where <language> is promql, traceql or jaeger (a Jaeger UI / API path).

import { readFile } from 'node:fs/promises';

import type { DatasourceUid } from './names.ts';
import { REPO_ROOT } from './render.ts';

export const EXERCISE_DOCS = {
  en: 'docs/exercises.md',
  'zh-TW': 'docs/exercises.zh-TW.md',
} as const;
export type Language = keyof typeof EXERCISE_DOCS;

/** The `<summary>` words of each language. */
const SUMMARIES: Record<Language, { hint: string; answer: string }> = {
  en: { hint: 'Hint', answer: 'Answer' },
  'zh-TW': { hint: '提示', answer: '答案' },
};

export type AnswerKind =
  /** PromQL: Prometheus `/api/v1/query` (instant) or `/api/v1/query_range`. */
  | 'promql'
  /** TraceQL search: Tempo `/api/search?q=`. */
  | 'traceql-search'
  /** TraceQL metrics: Tempo `/api/metrics/query_range?q=`. */
  | 'traceql-metrics'
  /** Jaeger trace search: the UI's `/search?…`, whose parameters Jaeger's `/api/traces` takes as they are. */
  | 'jaeger-search'
  /** Jaeger Monitor tab data: `/api/metrics/{calls,errors,latencies}?…`. */
  | 'jaeger-metrics';

export interface Exercise {
  number: number;
  title: string;
  question: string;
  hint: string;
  /** The answer section without its fenced block: what the learner should see and why. */
  explanation: string;
  id: string;
  kind: AnswerKind;
  datasourceUid: DatasourceUid;
  /** The fenced block's content, exactly as a learner copies it. */
  query: string;
  /** jaeger-*: the path and its query parameters, decoded. */
  jaeger?: { path: string; params: Record<string, string> };
}

const EXERCISE_HEADING = /^### (\d+)\. (.+)$/gm;
const ANY_HEADING = /^#{1,3} /m;
const DETAILS = /<details>\s*<summary>(.+?)<\/summary>([\s\S]*?)<\/details>/g;
const ANSWER_FENCE = /^```(\w+) answer=([a-z0-9-]+)\n([\s\S]*?)\n```$/gm;
/** A TraceQL query is a metrics query when its pipeline ends in a metrics function. */
const TRACEQL_METRICS =
  /\|\s*(rate|count_over_time|min_over_time|max_over_time|avg_over_time|sum_over_time|quantile_over_time|histogram_over_time|compare)\s*\(/;

function classify(
  language: string,
  query: string,
  where: string,
): Pick<Exercise, 'kind' | 'datasourceUid' | 'jaeger'> {
  if (language === 'promql') return { kind: 'promql', datasourceUid: 'prometheus' };
  if (language === 'traceql') {
    return {
      kind: TRACEQL_METRICS.test(query) ? 'traceql-metrics' : 'traceql-search',
      datasourceUid: 'tempo',
    };
  }
  if (language === 'jaeger') {
    const [path = '', search = ''] = query.split('?', 2);
    const jaeger = { path, params: Object.fromEntries(new URLSearchParams(search)) };
    if (path === '/search') return { kind: 'jaeger-search', datasourceUid: 'jaeger', jaeger };
    if (/^\/api\/metrics\/(calls|errors|latencies)$/.test(path)) {
      return { kind: 'jaeger-metrics', datasourceUid: 'jaeger', jaeger };
    }
    throw new Error(`${where}: a jaeger answer is /search?… or /api/metrics/…, not ${query}`);
  }
  throw new Error(`${where}: unknown answer language ${language}`);
}

/** Parses the exercises of one exercise document. Throws, naming the exercise, on anything malformed. */
export function parseExercises(markdown: string, language: Language): Exercise[] {
  const headings = [...markdown.matchAll(EXERCISE_HEADING)];
  return headings.map((heading) => {
    const number = Number(heading[1]);
    const title = (heading[2] ?? '').trim();
    const where = `${EXERCISE_DOCS[language]}, exercise ${String(number)}`;
    const start = heading.index + heading[0].length;
    const rest = markdown.slice(start);
    const end = ANY_HEADING.exec(rest)?.index ?? rest.length;
    const body = rest.slice(0, end);

    const details = [...body.matchAll(DETAILS)].map((match) => ({
      summary: (match[1] ?? '').trim(),
      content: (match[2] ?? '').trim(),
    }));
    const section = (summary: string): string => {
      const found = details.filter((d) => d.summary === summary);
      if (found.length !== 1 || found[0] === undefined) {
        throw new Error(`${where}: needs exactly one <details><summary>${summary}</summary>`);
      }
      return found[0].content;
    };
    const question = body.slice(0, body.indexOf('<details>')).trim();
    const hint = section(SUMMARIES[language].hint);
    const answer = section(SUMMARIES[language].answer);

    const fences = [...answer.matchAll(ANSWER_FENCE)];
    const fence = fences[0];
    if (fences.length !== 1 || fence === undefined) {
      throw new Error(`${where}: the answer needs exactly one \`\`\`<language> answer=<id> block`);
    }
    const [block, fenceLanguage = '', id = '', query = ''] = fence;
    const explanation = answer.replace(block, '').trim();
    for (const [name, text] of Object.entries({ question, hint, explanation, query })) {
      if (text.trim() === '') throw new Error(`${where}: empty ${name}`);
    }
    return {
      number,
      title,
      question,
      hint,
      explanation,
      id,
      query,
      ...classify(fenceLanguage, query, where),
    };
  });
}

/** The exercises of one language's document. */
export async function loadExercises(language: Language = 'en'): Promise<Exercise[]> {
  return parseExercises(await readFile(`${REPO_ROOT}${EXERCISE_DOCS[language]}`, 'utf8'), language);
}
