// Hop 3a: Tempo has recent traces of every service, and /chain traces that cross all three services.
import type { Check, LabContext, Outcome } from '../check.ts';
import { logsOf } from '../check.ts';
import { formatDuration } from '../duration.ts';
import type { TempoHit } from '../apis/tempo.ts';
import { search, traceById } from '../apis/tempo.ts';
import { APP_SERVICES } from '../lab.ts';
import { findCompleteTrace, judgeChain } from './chain.ts';
import { listWords, perService } from './common.ts';

const SEARCH_LIMIT = 20;

export function judgeRecentTraces(
  counts: ReadonlyMap<string, number>,
  ctx: Pick<LabContext, 'lab' | 'logDir' | 'lookbackMs'>,
): Outcome {
  const { missing, figure } = perService(counts, APP_SERVICES, (n) =>
    n >= SEARCH_LIMIT ? `${String(n)}+` : String(n),
  );
  const full = `${figure} traces in the last ${formatDuration(ctx.lookbackMs)}`;
  if (missing.length === 0) return { ok: true, figure: full };
  return {
    ok: false,
    figure: full,
    hint: `no recent trace of ${listWords(missing)} in Tempo: does the collector export to tempo:4317 (see the collector's exporter check)? ${logsOf(ctx, 'tempo', 'otel-collector')}`,
  };
}

export const tempoRecent: Check = {
  id: 'tempo.recent',
  component: 'tempo',
  title: 'recent traces of every service',
  run: async (ctx) => {
    const endMs = ctx.now();
    const counts = new Map<string, number>();
    await Promise.all(
      APP_SERVICES.map(async (service) => {
        const hits = await search(ctx.urls.tempo, {
          q: `{ resource.service.name = "${service}" }`,
          startMs: endMs - ctx.lookbackMs,
          endMs,
          limit: SEARCH_LIMIT,
        });
        counts.set(service, hits.length);
      }),
    );
    return judgeRecentTraces(counts, ctx);
  },
};

export const tempoChain: Check = {
  id: 'tempo.chain',
  component: 'tempo',
  title: '/chain traces hold all three services',
  run: async (ctx) => {
    const endMs = ctx.now();
    const findings = await Promise.all(
      APP_SERVICES.map(async (root) => {
        const hits: TempoHit[] = await search(ctx.urls.tempo, {
          q: `{ resource.service.name = "${root}" && span.http.route = "/chain" && kind = server }`,
          startMs: endMs - ctx.lookbackMs,
          endMs,
          limit: SEARCH_LIMIT,
        });
        return findCompleteTrace(root, hits, (id) => traceById(ctx.urls.tempo, id));
      }),
    );
    return judgeChain(
      findings,
      'Tempo',
      `a /chain trace spans the three services when each one propagates the trace context (traceparent) and exports its spans; is k6 calling /chain? ${logsOf(ctx, 'tempo', ...APP_SERVICES)}`,
    );
  },
};

export const tempoChecks: Check[] = [tempoRecent, tempoChain];
