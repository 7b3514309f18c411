// /chain traces in a trace backend (Tempo or Jaeger): for each root service, is there a trace that holds all
// three services?
import type { Outcome } from '../check.ts';
import type { AppService } from '../lab.ts';
import { APP_SERVICES } from '../lab.ts';
import { listWords, shortId } from './common.ts';

/** How many /chain traces per root service are opened, newest first, looking for a complete one. */
const TRACES_TO_OPEN = 5;

/** What was found for /chain traces rooted at one service. */
export interface ChainFinding {
  root: AppService;
  /** Traces found by the search. */
  found: number;
  /** The first trace that holds every app service, if any. */
  complete?: { traceID: string; spans: number };
  /** Services of the newest trace opened, when none was complete. */
  newestServices?: string[];
}

/** Judges /chain findings of a backend (Tempo or Jaeger): every root service needs a complete trace. */
export function judgeChain(findings: readonly ChainFinding[], backend: string, hint: string): Outcome {
  const incomplete = findings.filter((f) => !f.complete);
  const example = findings.find((f) => f.complete)?.complete;
  const exampleText = example ? ` (e.g. ${shortId(example.traceID)}: ${String(example.spans)} spans)` : '';
  if (incomplete.length === 0) {
    return {
      ok: true,
      figure: `/chain traces from ${listWords(findings.map((f) => f.root))} each hold all three services${exampleText}`,
    };
  }
  const problems = incomplete.map((f) =>
    f.found === 0
      ? `no /chain trace rooted at ${f.root}`
      : `${String(f.found)} /chain traces rooted at ${f.root}, none holding all three (newest has ${listWords(f.newestServices ?? [])})`,
  );
  return { ok: false, figure: `${backend}: ${problems.join('; ')}`, hint };
}

/** Opens the newest traces until one holds every app service. */
export async function findCompleteTrace(
  root: AppService,
  hits: readonly { traceID: string; startMs?: number }[],
  open: (traceID: string) => Promise<{ services: readonly string[]; spans: number } | undefined>,
): Promise<ChainFinding> {
  const newestFirst = [...hits].sort((a, b) => (b.startMs ?? 0) - (a.startMs ?? 0)).slice(0, TRACES_TO_OPEN);
  let newestServices: string[] | undefined;
  for (const hit of newestFirst) {
    const trace = await open(hit.traceID);
    if (!trace) continue;
    newestServices ??= [...trace.services];
    if (APP_SERVICES.every((s) => trace.services.includes(s))) {
      return { root, found: hits.length, complete: { traceID: hit.traceID, spans: trace.spans } };
    }
  }
  return { root, found: hits.length, ...(newestServices ? { newestServices } : {}) };
}
