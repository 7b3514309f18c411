import type { ServiceConfig } from './config';
import { chainUserAgent } from './faults';

/**
 * /chain: calls the service's own `/`, then TARGET_ONE_SVC `/io_task`, then TARGET_TWO_SVC `/cpu_task`,
 * one after the other, with the global fetch (the zero-code instrumentation propagates the trace
 * context over it). Every hop is bounded by CHAIN_TIMEOUT_MS; the first failing hop ends the chain
 * with a 502 naming the target, its service and URL. Each hop says which service's /chain sent it
 * (`User-Agent: <service>/chain`): a slow-downstream fault (faults.ts) is applied by the called service to
 * the requests of one caller only, and the header shows up on its SERVER span as `user_agent.original`.
 */

export interface ChainHop {
  /** `self` or the variable the target's base URL came from. */
  readonly target: 'self' | 'TARGET_ONE_SVC' | 'TARGET_TWO_SVC';
  readonly url: string;
}

export interface ChainHopResult extends ChainHop {
  readonly status: number;
  readonly duration_ms: number;
}

export interface ChainOkBody {
  readonly path: '/chain';
  readonly hops: readonly ChainHopResult[];
}

export interface ChainErrorBody {
  readonly detail: string;
  readonly target: ChainHop['target'];
  /** The service that failed: the host name of its URL (a compose service name in the lab). */
  readonly service: string;
  readonly url: string;
}

export type ChainResult =
  | { readonly ok: true; readonly status: 200; readonly body: ChainOkBody }
  | { readonly ok: false; readonly status: 502; readonly body: ChainErrorBody };

export type Fetch = typeof fetch;

export interface ChainOptions {
  readonly config: ServiceConfig;
  /** The calling service's name, sent as `User-Agent: <service>/chain`. */
  readonly service: string;
  /** Replaced in tests; the services use the global fetch. */
  readonly fetch?: Fetch;
}

/** The hops of one /chain call, in order. The service reaches itself on the loopback interface. */
export function chainHops(config: ServiceConfig): readonly ChainHop[] {
  return [
    { target: 'self', url: `http://127.0.0.1:${String(config.port)}/` },
    { target: 'TARGET_ONE_SVC', url: `${config.targetOne}/io_task` },
    { target: 'TARGET_TWO_SVC', url: `${config.targetTwo}/cpu_task` },
  ];
}

export async function chain(options: ChainOptions): Promise<ChainResult> {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.config.chainTimeoutMs;
  const headers = { 'user-agent': chainUserAgent(options.service) };
  const hops: ChainHopResult[] = [];
  for (const hop of chainHops(options.config)) {
    const started = performance.now();
    let problem: string;
    try {
      const response = await doFetch(hop.url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      // Read the whole body (within the same deadline) so the hop really finished.
      await response.arrayBuffer();
      if (response.ok) {
        hops.push({ ...hop, status: response.status, duration_ms: Math.round(performance.now() - started) });
        continue;
      }
      problem = `answered ${String(response.status)}`;
    } catch (error) {
      problem = describeFetchError(error, timeoutMs);
    }
    return { ok: false, status: 502, body: chainErrorBody(hop, problem) };
  }
  return { ok: true, status: 200, body: { path: '/chain', hops } };
}

function chainErrorBody(hop: ChainHop, problem: string): ChainErrorBody {
  const service = new URL(hop.url).hostname;
  return {
    detail: `chain: ${hop.target} (${service}) GET ${hop.url} ${problem}`,
    target: hop.target,
    service,
    url: hop.url,
  };
}

/** Names the reason a fetch failed: a timeout, or the network error's code (ECONNREFUSED, ENOTFOUND, ...). */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return `timed out after ${String(timeoutMs)} ms`;
    // fetch wraps network errors: `TypeError: fetch failed` with the socket error as its cause
    // (an AggregateError when several addresses were tried).
    let cause: unknown = error.cause;
    if (cause instanceof AggregateError && cause.errors[0] instanceof Error) cause = cause.errors[0];
    if (cause instanceof Error) {
      const code = (cause as NodeJS.ErrnoException).code;
      return `failed: ${code ?? (cause.message || cause.name)}`;
    }
    return `failed: ${error.message}`;
  }
  return `failed: ${String(error)}`;
}
