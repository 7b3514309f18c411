// HTTP and TCP probes with timeouts, whose errors say in plain words what went wrong.
import { connect } from 'node:net';

export const REQUEST_TIMEOUT_MS = 5000;

export type ProbeFailure = 'refused' | 'timeout' | 'unreachable' | 'status' | 'body';

/** A request that did not give a usable answer; `message` is written for the learner. */
export class ProbeError extends Error {
  readonly kind: ProbeFailure;
  readonly url: string;
  readonly status: number | undefined;
  constructor(kind: ProbeFailure, url: string, message: string, status?: number) {
    super(message);
    this.name = 'ProbeError';
    this.kind = kind;
    this.url = url;
    this.status = status;
  }
}

export interface TextAnswer {
  status: number;
  body: string;
  ms: number;
}

/** GET a URL; throws ProbeError unless the answer is 2xx (or `acceptStatus` allows it). */
export async function getText(
  url: string,
  options: { timeoutMs?: number; accept?: string; acceptStatus?: (status: number) => boolean } = {},
): Promise<TextAnswer> {
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const started = performance.now();
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: options.accept ? { accept: options.accept } : {},
    });
    body = await response.text();
  } catch (error) {
    throw describeFetchError(error, url, timeoutMs);
  }
  const ms = performance.now() - started;
  const ok = options.acceptStatus ? options.acceptStatus(response.status) : response.ok;
  if (!ok) {
    const snippet = body.replace(/\s+/g, ' ').trim().slice(0, 160);
    throw new ProbeError(
      'status',
      url,
      `${url} answered ${String(response.status)}${snippet ? `: ${snippet}` : ''}`,
      response.status,
    );
  }
  return { status: response.status, body, ms };
}

export async function getJson(url: string, options: { timeoutMs?: number } = {}): Promise<unknown> {
  const { body } = await getText(url, { ...options, accept: 'application/json' });
  return parseJson(url, body);
}

/** Like getJson, but undefined when the server answers 404 (e.g. a trace id it does not hold yet). */
export async function getJsonIfFound(url: string, options: { timeoutMs?: number } = {}): Promise<unknown> {
  const answer = await getText(url, {
    ...options,
    accept: 'application/json',
    acceptStatus: (s) => (s >= 200 && s < 300) || s === 404,
  });
  return answer.status === 404 ? undefined : parseJson(url, answer.body);
}

function parseJson(url: string, body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new ProbeError('body', url, `${url} answered something that is not JSON: ${body.slice(0, 80)}`);
  }
}

/** Builds a URL from a base, a path and query parameters (repeated for arrays, skipped when undefined). */
export function apiUrl(
  base: string,
  path: string,
  params: Record<string, string | number | boolean | readonly string[] | undefined> = {},
): string {
  const url = new URL(path, base);
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value as readonly string[]) url.searchParams.append(key, v);
    else url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/** Opens and closes a TCP connection; resolves with the connect time in ms. */
export function tcpConnect(host: string, port: number, timeoutMs = REQUEST_TIMEOUT_MS): Promise<number> {
  const url = `tcp://${host}:${String(port)}`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.destroy();
      resolve(performance.now() - started);
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(
        new ProbeError(
          'timeout',
          url,
          `${host}:${String(port)} did not accept a connection within ${String(timeoutMs)} ms`,
        ),
      );
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(describeFetchError(error, url, timeoutMs));
    });
  });
}

/** Turns fetch/socket errors into ProbeErrors: refused, timed out or unreachable. */
export function describeFetchError(error: unknown, url: string, timeoutMs: number): ProbeError {
  if (error instanceof ProbeError) return error;
  const where = url.startsWith('tcp://') ? url.slice('tcp://'.length) : url;
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new ProbeError('timeout', url, `${where} did not answer within ${String(timeoutMs)} ms`);
  }
  const code = errorCode(error);
  if (code === 'ECONNREFUSED') return new ProbeError('refused', url, `${where} refused the connection`);
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') {
    return new ProbeError('unreachable', url, `${where} closed the connection without answering`);
  }
  const detail = code ?? (error instanceof Error ? error.message : String(error));
  return new ProbeError('unreachable', url, `${where} could not be reached (${detail})`);
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth += 1) {
    if ('code' in e && typeof e.code === 'string') return e.code;
    e = 'cause' in e ? e.cause : undefined;
  }
  return undefined;
}
