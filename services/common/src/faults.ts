import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Random } from './endpoints';

/**
 * Run-time faults a trainer switches on and off (`npm run fault`, docs/scenarios.md): added latency, a share
 * of requests failing with 500, and a slow /chain hop. This module is the only place that decides and applies
 * them; each framework adapter calls `plan()` per request from its own hook and awaits `applyFault()`.
 *
 * The control channel is a JSON file (FAULTS_FILE) that `npm run fault` writes and every service polls. Why a
 * file and not an admin HTTP port: every HTTP server in the process is traced by the zero-code
 * instrumentation, and neither @opentelemetry/auto-instrumentations-node nor instrumentation-http (0.82) has
 * an environment variable to leave a port or path out (`ignoreIncomingRequestHook` exists only in code, which
 * the services must not contain). A file creates no spans, is reachable over no network, needs no host port
 * (compose mounts the folder read-only; natively it is the same folder), and works the same in both labs.
 *
 * Cost when no fault is set: the file is polled with fs.watchFile (a stat every FAULTS_POLL_MS, off the
 * request path, read only when it changed); per request, `plan()` returns at once when no rule concerns this
 * service.
 */

/** How often a service checks the fault file for changes. */
export const FAULTS_POLL_MS = 1000;

/** The longest latency a rule may add: far above CHAIN_TIMEOUT_MS, below the k6 per-request timeout (60 s). */
export const MAX_FAULT_DELAY_MS = 30_000;

export const FAULT_FILE_VERSION = 1;

/** Added latency: a fixed delay (minMs = maxMs) or one drawn uniformly from [minMs, maxMs]. */
export interface LatencyFault {
  readonly service: string;
  readonly type: 'latency';
  /** A route template (`/items/:item_id`); absent = every route of the service. */
  readonly route?: string;
  readonly minMs: number;
  readonly maxMs: number;
  /** When it was switched on (ISO 8601), shown by `npm run fault -- list`. */
  readonly since?: string;
}

/** A share of requests fails with 500 and an ERROR span, like /error_test. */
export interface ErrorFault {
  readonly service: string;
  readonly type: 'errors';
  readonly route?: string;
  /** Probability that a request fails, in (0, 1]. */
  readonly rate: number;
  readonly since?: string;
}

/**
 * One /chain hop made slow: `service`'s /chain calls to `to` take longer. The delay happens in `to` (its SERVER
 * span and the caller's CLIENT span both show it, as for any slow dependency), only for the requests that
 * `service`'s /chain sends (they carry `User-Agent: <service>/chain`, see chainUserAgent).
 */
export interface SlowDownstreamFault {
  readonly service: string;
  readonly type: 'slow-downstream';
  readonly to: string;
  readonly minMs: number;
  readonly maxMs: number;
  readonly since?: string;
}

export type Fault = LatencyFault | ErrorFault | SlowDownstreamFault;
export type FaultType = Fault['type'];
export const FAULT_TYPES: readonly FaultType[] = ['latency', 'errors', 'slow-downstream'];

export interface FaultFile {
  readonly version: typeof FAULT_FILE_VERSION;
  readonly faults: readonly Fault[];
}

/** What to do to one request: wait `delayMs`, then fail if `error` is set. */
export interface FaultPlan {
  readonly delayMs: number;
  readonly error: string | undefined;
}

/** What an adapter needs: the plan for one request, or undefined to leave it alone (the usual case). */
export interface FaultSource {
  /**
   * @param route the route template the framework matched (`/items/:item_id`), as in the span's http.route
   * @param userAgent the request's User-Agent header, which names the caller of a /chain hop
   */
  plan(route: string, userAgent: string | undefined): FaultPlan | undefined;
}

/** No faults at all: what a service uses when FAULTS_FILE is not set, and the tests' default. */
export const NO_FAULTS: FaultSource = { plan: () => undefined };

/** The error an injected fault throws inside the handler's hook; the framework answers it with a 500. */
export class InjectedFaultError extends Error {
  override readonly name = 'InjectedFaultError';
}

/** The User-Agent of the requests a service's /chain sends: downstream services tell the caller by it. */
export function chainUserAgent(service: string): string {
  return `${service}/chain`;
}

/** The service whose /chain sent a request, from its User-Agent; undefined for any other client. */
export function chainCaller(userAgent: string | undefined): string | undefined {
  if (userAgent === undefined) return undefined;
  const match = /^([a-z][a-z0-9-]*)\/chain$/.exec(userAgent);
  return match?.[1];
}

// ---- the file ----

/** A fault file that cannot be used: `message` names the entry and field. */
export class FaultFileError extends Error {
  override readonly name = 'FaultFileError';
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function name(value: unknown, where: string): string {
  if (typeof value !== 'string' || !/^[a-z][a-z0-9-]*$/.test(value)) {
    throw new FaultFileError(`${where} must be a service name, got ${JSON.stringify(value)}`);
  }
  return value;
}

function delay(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_FAULT_DELAY_MS) {
    throw new FaultFileError(
      `${where} must be an integer number of ms from 0 to ${String(MAX_FAULT_DELAY_MS)}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function optionalRoute(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new FaultFileError(
      `${where} must be a route template starting with /, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function optionalSince(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new FaultFileError(`${where} must be an ISO 8601 time, got ${JSON.stringify(value)}`);
  }
  return value;
}

function range(entry: Json, where: string): { minMs: number; maxMs: number } {
  const minMs = delay(entry.minMs, `${where}.minMs`);
  const maxMs = delay(entry.maxMs, `${where}.maxMs`);
  if (maxMs < minMs)
    throw new FaultFileError(`${where}: maxMs (${String(maxMs)}) is below minMs (${String(minMs)})`);
  if (maxMs === 0) throw new FaultFileError(`${where}: a latency of 0 ms is no fault`);
  return { minMs, maxMs };
}

/** Validates one entry of `faults`; unknown fields are refused so a typo never passes silently. */
export function parseFault(raw: unknown, where = 'fault'): Fault {
  if (!isRecord(raw)) throw new FaultFileError(`${where} must be an object`);
  const service = name(raw.service, `${where}.service`);
  const since = optionalSince(raw.since, `${where}.since`);
  const allowed = (fields: readonly string[]): void => {
    const extra = Object.keys(raw).filter((key) => !['service', 'type', 'since', ...fields].includes(key));
    if (extra.length > 0)
      throw new FaultFileError(`${where}: unknown field ${extra.map((k) => JSON.stringify(k)).join(', ')}`);
  };
  const withSince = <T extends Fault>(fault: T): T => (since === undefined ? fault : { ...fault, since });
  switch (raw.type) {
    case 'latency': {
      allowed(['route', 'minMs', 'maxMs']);
      const route = optionalRoute(raw.route, `${where}.route`);
      return withSince({
        service,
        type: 'latency',
        ...(route === undefined ? {} : { route }),
        ...range(raw, where),
      });
    }
    case 'errors': {
      allowed(['route', 'rate']);
      const route = optionalRoute(raw.route, `${where}.route`);
      const rate = raw.rate;
      if (typeof rate !== 'number' || !(rate > 0 && rate <= 1)) {
        throw new FaultFileError(`${where}.rate must be a number in (0, 1], got ${JSON.stringify(rate)}`);
      }
      return withSince({ service, type: 'errors', ...(route === undefined ? {} : { route }), rate });
    }
    case 'slow-downstream': {
      allowed(['to', 'minMs', 'maxMs']);
      const to = name(raw.to, `${where}.to`);
      if (to === service) throw new FaultFileError(`${where}.to must be another service than ${service}`);
      return withSince({ service, type: 'slow-downstream', to, ...range(raw, where) });
    }
    default:
      throw new FaultFileError(
        `${where}.type must be one of ${FAULT_TYPES.join(', ')}, got ${JSON.stringify(raw.type)}`,
      );
  }
}

/** Parses the text of a fault file (`{"version": 1, "faults": [...]}`); throws FaultFileError naming the problem. */
export function parseFaultFile(text: string): Fault[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new FaultFileError(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isRecord(doc)) throw new FaultFileError('must be a JSON object');
  if (doc.version !== FAULT_FILE_VERSION) {
    throw new FaultFileError(
      `version must be ${String(FAULT_FILE_VERSION)}, got ${JSON.stringify(doc.version)}`,
    );
  }
  if (!Array.isArray(doc.faults)) throw new FaultFileError('faults must be a list');
  return doc.faults.map((entry, index) => parseFault(entry, `faults[${String(index)}]`));
}

// ---- the rules of one service ----

/** `800ms`, `200ms-1000ms`. */
export function describeRange(minMs: number, maxMs: number): string {
  return minMs === maxMs ? `${String(minMs)}ms` : `${String(minMs)}ms-${String(maxMs)}ms`;
}

/** One line per fault, as the services log them and `npm run fault -- list` shows them. */
export function describeFault(fault: Fault): string {
  switch (fault.type) {
    case 'latency':
      return `${fault.service} latency ${describeRange(fault.minMs, fault.maxMs)} on ${fault.route ?? 'every route'}`;
    case 'errors':
      return `${fault.service} errors ${String(Math.round(fault.rate * 10_000) / 100)}% on ${fault.route ?? 'every route'}`;
    case 'slow-downstream':
      return `${fault.service} slow-downstream ${describeRange(fault.minMs, fault.maxMs)} to ${fault.to}`;
  }
}

const EVERY_ROUTE = '';

interface Range {
  readonly minMs: number;
  readonly maxMs: number;
}

/**
 * The faults that concern one service, ready for the request path: its own latency and error rules by route
 * (a rule for the route wins over one for every route), and the slow-downstream rules aimed at it, by caller.
 * Latencies add up (a slow route that is also a slow hop waits both); the error draw follows the wait.
 */
export class FaultRules implements FaultSource {
  readonly faults: readonly Fault[];
  private readonly latency = new Map<string, Range>();
  private readonly errors = new Map<string, ErrorFault>();
  private readonly slowFrom = new Map<string, Range>();
  private readonly random: Random;

  constructor(service: string, faults: readonly Fault[], random: Random = Math.random) {
    this.random = random;
    this.faults = faults.filter(
      (fault) => fault.service === service || (fault.type === 'slow-downstream' && fault.to === service),
    );
    for (const fault of this.faults) {
      if (fault.type === 'latency' && fault.service === service)
        this.latency.set(fault.route ?? EVERY_ROUTE, fault);
      if (fault.type === 'errors' && fault.service === service)
        this.errors.set(fault.route ?? EVERY_ROUTE, fault);
      if (fault.type === 'slow-downstream' && fault.to === service) this.slowFrom.set(fault.service, fault);
    }
  }

  /** True when no fault concerns this service: `plan()` then always answers undefined. */
  get empty(): boolean {
    return this.faults.length === 0;
  }

  plan(route: string, userAgent: string | undefined): FaultPlan | undefined {
    if (this.faults.length === 0) return undefined;
    let delayMs = 0;
    const latency = this.latency.get(route) ?? this.latency.get(EVERY_ROUTE);
    if (latency !== undefined) delayMs += this.draw(latency);
    if (this.slowFrom.size > 0) {
      const caller = chainCaller(userAgent);
      const slow = caller === undefined ? undefined : this.slowFrom.get(caller);
      if (slow !== undefined) delayMs += this.draw(slow);
    }
    const errors = this.errors.get(route) ?? this.errors.get(EVERY_ROUTE);
    const error = errors !== undefined && this.random() < errors.rate ? errorMessage(errors) : undefined;
    return delayMs === 0 && error === undefined ? undefined : { delayMs, error };
  }

  private draw({ minMs, maxMs }: Range): number {
    return minMs === maxMs ? minMs : Math.round(minMs + this.random() * (maxMs - minMs));
  }
}

function errorMessage(fault: ErrorFault): string {
  return `injected fault (fault tool): ${describeFault(fault)}`;
}

/** Waits the plan's delay without blocking, then throws an InjectedFaultError if the plan fails the request. */
export async function applyFault(plan: FaultPlan): Promise<void> {
  if (plan.delayMs > 0) await sleep(plan.delayMs);
  if (plan.error !== undefined) throw new InjectedFaultError(plan.error);
}

// ---- the file, watched ----

export interface FaultFileWatcherOptions {
  readonly service: string;
  /** Absolute path of the fault file; a missing file means no faults. */
  readonly file: string;
  readonly pollMs?: number;
  readonly random?: Random;
  readonly log?: (message: string) => void;
}

/**
 * The rules of one service, kept up to date from the fault file. A missing file means no faults. A file that
 * does not parse (a hand edit gone wrong) is reported and ignored: the rules in force stay as they were.
 */
export class FaultFileWatcher implements FaultSource {
  private rules: FaultRules;
  private readonly options: FaultFileWatcherOptions;
  private readonly log: (message: string) => void;
  private watching = false;
  /** The last complaint about an unreadable file, until the file reads again. */
  private complaint: string | undefined;
  private readonly onChange = (): void => {
    this.reload();
  };

  constructor(options: FaultFileWatcherOptions) {
    this.options = options;
    this.log =
      options.log ??
      ((message: string) => {
        console.log(message);
      });
    this.rules = new FaultRules(options.service, [], options.random);
  }

  plan(route: string, userAgent: string | undefined): FaultPlan | undefined {
    return this.rules.plan(route, userAgent);
  }

  /** The faults in force for this service. */
  get faults(): readonly Fault[] {
    return this.rules.faults;
  }

  /**
   * Reads the file now, then polls it. The poll timer never keeps the process alive. The poller only reports
   * changes after its first look at the file, which it takes asynchronously: a write landing between this read
   * and that look would go unseen, so the file is read once more when the poller has surely looked.
   */
  start(): this {
    if (!this.watching) {
      const interval = this.options.pollMs ?? FAULTS_POLL_MS;
      watchFile(this.options.file, { interval, persistent: false }, this.onChange);
      this.watching = true;
      setTimeout(() => {
        if (this.watching) this.reload();
      }, 2 * interval).unref();
    }
    this.reload();
    return this;
  }

  stop(): void {
    if (this.watching) unwatchFile(this.options.file, this.onChange);
    this.watching = false;
  }

  /** Re-reads the file (start() and every change call it). */
  reload(): void {
    const { service, file } = this.options;
    let faults: Fault[];
    try {
      faults = parseFaultFile(readFileSync(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        faults = [];
      } else {
        const reason = error instanceof Error ? error.message : String(error);
        const complaint = `${service}: faults: ignoring ${file} (${reason}); the faults in force stay`;
        // Said once per broken state, however often the file is read meanwhile.
        if (complaint !== this.complaint) this.log(complaint);
        this.complaint = complaint;
        return;
      }
    }
    this.complaint = undefined;
    const next = new FaultRules(service, faults, this.options.random);
    const before = this.rules.faults.map(describeFault).join('; ');
    const after = next.faults.map(describeFault).join('; ');
    this.rules = next;
    if (after !== before) this.log(`${service}: faults: ${after === '' ? 'none' : after}`);
  }
}

/** The fault source of a service: the watched file when FAULTS_FILE is set, otherwise none. */
export function startFaults(service: string, file: string | undefined): FaultSource & { stop(): void } {
  if (file === undefined) return { ...NO_FAULTS, stop: () => undefined };
  return new FaultFileWatcher({ service, file }).start();
}
