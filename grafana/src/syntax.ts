// Syntax checks with the grammars the query editors themselves use: Prometheus' PromQL grammar
// (@prometheus-io/lezer-promql, the Prometheus UI's) and Grafana's TraceQL grammar (@grafana/lezer-traceql,
// Grafana's Tempo editor's). They catch a typo without a running Prometheus or Tempo.

import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

/** Both grammars are Lezer LR parsers. */
function syntaxErrors(parser: typeof promqlParser, text: string): string[] {
  const errors: string[] = [];
  parser.parse(text).iterate({
    enter: (node) => {
      if (node.type.isError)
        errors.push(`at ${String(node.from)}: …${text.slice(Math.max(0, node.from - 20), node.from + 20)}…`);
    },
  });
  return errors;
}

/** Syntax errors of a PromQL expression (Grafana variables must be substituted first). */
export function promqlErrors(expr: string): string[] {
  return syntaxErrors(promqlParser, expr);
}

/** Syntax errors of a TraceQL query, search or metrics. */
export function traceqlErrors(query: string): string[] {
  return syntaxErrors(traceqlParser, query);
}

/** Metric names a PromQL expression reads (identifiers followed by a label matcher, `[` or whitespace). */
export function promqlMetricNames(expr: string): string[] {
  const names = new Set<string>();
  promqlParser.parse(expr).iterate({
    enter: (node) => {
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier');
        if (identifier) names.add(expr.slice(identifier.from, identifier.to));
      }
    },
  });
  return [...names];
}
