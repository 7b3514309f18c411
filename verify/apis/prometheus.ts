// Prometheus' HTTP API (/api/v1/query, /api/v1/query_exemplars, /api/v1/rules, /api/v1/alertmanagers) and the text exposition format that the
// collector's prometheus exporter serves on :8889. Parsers are pure; shapes follow Prometheus' docs
// (docs/querying/api.md of v3).
import { apiUrl, getJson } from '../http.ts';
import { asArray, asNumber, asRecord, asString, isRecord, parsed } from './json.ts';

export type Labels = Record<string, string>;

export interface Sample {
  labels: Labels;
  value: number;
}

export interface Exemplar {
  series: Labels;
  labels: Labels;
  value: number;
  timestampMs: number;
}

/** The `data` of a successful answer, or an error naming what Prometheus said. */
function dataOf(body: unknown, what: string): unknown {
  const answer = asRecord(body, what);
  if (answer.status !== 'success') {
    const type = typeof answer.errorType === 'string' ? `${answer.errorType}: ` : '';
    const error = typeof answer.error === 'string' ? answer.error : JSON.stringify(body).slice(0, 160);
    throw new Error(`Prometheus ${what} failed: ${type}${error}`);
  }
  return answer.data;
}

/** An instant-query answer whose resultType is "vector" (or "scalar", as one unlabelled sample). */
export function parseVector(body: unknown): Sample[] {
  const data = asRecord(dataOf(body, 'query'), 'query data');
  if (data.resultType === 'scalar') {
    const [, value] = asArray(data.result, 'scalar');
    return [{ labels: {}, value: parseSampleValue(asString(value, 'scalar value')) }];
  }
  if (data.resultType !== 'vector') throw new Error(`expected a vector, got ${String(data.resultType)}`);
  return asArray(data.result, 'result').map((item) => {
    const entry = asRecord(item, 'sample');
    const [, value] = asArray(entry.value, 'sample value');
    return { labels: labelsOf(entry.metric), value: parseSampleValue(asString(value, 'sample value')) };
  });
}

/** A /api/v1/query_exemplars answer, flattened to one entry per exemplar. */
export function parseExemplars(body: unknown): Exemplar[] {
  return asArray(dataOf(body, 'exemplar query'), 'exemplar data').flatMap((item) => {
    const group = asRecord(item, 'exemplar series');
    const series = labelsOf(group.seriesLabels);
    return asArray(group.exemplars, 'exemplars').map((e) => {
      const exemplar = asRecord(e, 'exemplar');
      return {
        series,
        labels: labelsOf(exemplar.labels),
        value: parseSampleValue(String(exemplar.value)),
        timestampMs: Math.round(asNumber(exemplar.timestamp, 'exemplar timestamp') * 1000),
      };
    });
  });
}

function labelsOf(value: unknown): Labels {
  if (!isRecord(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/**
 * The Prometheus text format (and OpenMetrics): one sample per line, `name{label="value",…} value [ts]`,
 * with an optional exemplar after `#`. The metric name is returned as the `__name__` label.
 */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (name === undefined) continue;
    let rest = line.slice(name.length);
    const labels: Labels = { __name__: name };
    if (rest.startsWith('{')) {
      const parsed = parseLabelBlock(rest);
      Object.assign(labels, parsed.labels);
      rest = rest.slice(parsed.length);
    }
    const value = rest.trim().split(/\s+/)[0];
    if (value !== undefined && value !== '') samples.push({ labels, value: parseSampleValue(value) });
  }
  return samples;
}

function parseLabelBlock(text: string): { labels: Labels; length: number } {
  const labels: Labels = {};
  let i = 1;
  while (i < text.length && text[i] !== '}') {
    const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(text.slice(i));
    if (!m?.[1]) throw new Error(`unreadable labels: ${text.slice(0, 80)}`);
    i += m[0].length;
    let value = '';
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else {
        value += text.charAt(i);
        i += 1;
      }
    }
    labels[m[1]] = value;
    i += 1; // closing quote
    while (text[i] === ',' || text[i] === ' ') i += 1;
  }
  return { labels, length: i + 1 };
}

function parseSampleValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** Sums samples by one label: { fastify: 12, nestjs: 3 }. */
export function sumBy(samples: readonly Sample[], label: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const s of samples) {
    const key = s.labels[label];
    if (key !== undefined) sums.set(key, (sums.get(key) ?? 0) + s.value);
  }
  return sums;
}

// ---- requests ----

export async function instantQuery(base: string, promql: string): Promise<Sample[]> {
  const url = apiUrl(base, '/api/v1/query', { query: promql });
  return parsed(url, await getJson(url), parseVector);
}

export async function queryExemplars(
  base: string,
  promql: string,
  startMs: number,
  endMs: number,
): Promise<Exemplar[]> {
  const url = apiUrl(base, '/api/v1/query_exemplars', {
    query: promql,
    start: startMs / 1000,
    end: endMs / 1000,
  });
  return parsed(url, await getJson(url), parseExemplars);
}

/** A rule group as /api/v1/rules lists it: its rules' kinds and health. */
export interface RuleGroup {
  name: string;
  file: string;
  rules: { type: 'alerting' | 'recording'; name: string; health: string; lastError?: string }[];
}

/** /api/v1/rules -> the rule groups Prometheus loaded. */
export function parseRuleGroups(body: unknown): RuleGroup[] {
  const data = asRecord(dataOf(body, 'rules'), 'rules data');
  return asArray(data.groups, 'groups').map((item) => {
    const group = asRecord(item, 'rule group');
    return {
      name: asString(group.name, 'group name'),
      file: asString(group.file, 'group file'),
      rules: asArray(group.rules, 'rules').map((r) => {
        const rule = asRecord(r, 'rule');
        const type = rule.type === 'alerting' ? 'alerting' : 'recording';
        return {
          type,
          name: asString(rule.name, 'rule name'),
          health: asString(rule.health, 'rule health'),
          ...(typeof rule.lastError === 'string' && rule.lastError !== ''
            ? { lastError: rule.lastError }
            : {}),
        };
      }),
    };
  });
}

/** /api/v1/alertmanagers -> the URLs of the Alertmanagers Prometheus sends alerts to (the active ones). */
export function parseAlertmanagers(body: unknown): string[] {
  const data = asRecord(dataOf(body, 'alertmanagers'), 'alertmanagers data');
  return asArray(data.activeAlertmanagers, 'activeAlertmanagers').map((a) =>
    asString(asRecord(a, 'alertmanager').url, 'alertmanager url'),
  );
}

export async function ruleGroups(base: string): Promise<RuleGroup[]> {
  const url = apiUrl(base, '/api/v1/rules');
  return parsed(url, await getJson(url), parseRuleGroups);
}

export async function alertmanagers(base: string): Promise<string[]> {
  const url = apiUrl(base, '/api/v1/alertmanagers');
  return parsed(url, await getJson(url), parseAlertmanagers);
}

/** An alert of an alerting rule as /api/v1/alerts lists it: pending (its expression holds) or firing. */
export interface RuleAlert {
  labels: Labels;
  state: string;
}

/** /api/v1/alerts -> the alerts Prometheus' rules hold now. */
export function parseRuleAlerts(body: unknown): RuleAlert[] {
  const data = asRecord(dataOf(body, 'alerts'), 'alerts data');
  return asArray(data.alerts, 'alerts').map((item) => {
    const alert = asRecord(item, 'alert');
    return { labels: labelsOf(alert.labels), state: asString(alert.state, 'alert state') };
  });
}

export async function ruleAlerts(base: string): Promise<RuleAlert[]> {
  const url = apiUrl(base, '/api/v1/alerts');
  return parsed(url, await getJson(url), parseRuleAlerts);
}
