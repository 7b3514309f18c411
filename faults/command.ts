// The grammar of the fault tool (`npm run fault`, `docker compose run --rm fault`) and what each command does to the list of faults, as pure functions: no file,
// no console (faults/main.ts does those). Every input is checked before anything changes; a bad one is a
// UsageError whose message names the bad part and says what would be accepted.
//
// The fault entries are the ones the services read (services/common/src/faults.ts, the authority on the file
// format). The tools cannot import the services' CommonJS sources, so the shape is written down again here;
// test/unit/fault-command.test.ts feeds what this module writes to the services' own parser.
import { parseArgs } from 'node:util';

/** Mirrors services/common/src/faults.ts (FAULT_FILE_VERSION, Fault). */
export const FAULT_FILE_VERSION = 1;
export const MAX_FAULT_DELAY_MS = 30_000;

export interface LatencyFault {
  service: string;
  type: 'latency';
  route?: string;
  minMs: number;
  maxMs: number;
  since?: string;
}
export interface ErrorFault {
  service: string;
  type: 'errors';
  route?: string;
  rate: number;
  since?: string;
}
export interface SlowDownstreamFault {
  service: string;
  type: 'slow-downstream';
  to: string;
  minMs: number;
  maxMs: number;
  since?: string;
}
export type Fault = LatencyFault | ErrorFault | SlowDownstreamFault;
export type FaultType = Fault['type'];
export const FAULT_TYPES: readonly FaultType[] = ['latency', 'errors', 'slow-downstream'];

/** What the command line is checked against: the lab's services, their routes and /chain targets. */
export interface Lab {
  readonly services: readonly string[];
  /** Route templates every service has (`/`, `/items/:item_id`, …). */
  readonly routes: readonly string[];
  /** service -> the services its /chain calls (TARGET_ONE_SVC first). */
  readonly chainTargets: Readonly<Record<string, readonly string[]>>;
}

export type Command =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'set'; fault: Fault }
  | { kind: 'clear'; service?: string; type?: FaultType; route?: string; to?: string };

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The help text, its commands written the way the tool was started (`npm run fault --`, `docker compose run --rm fault`). */
export function usage(command: string): string {
  return `Switch faults on and off in the running lab (docs/scenarios.md).

  ${command} <service> latency <duration>[-<duration>] [--route <route>]
  ${command} <service> errors <percent> [--route <route>]
  ${command} <service> slow-downstream <duration>[-<duration>] [--to <service>]
  ${command} list
  ${command} clear [<service> [<type>] [--route <route> | --to <service>]]

  latency          every request to the route (default: every route) waits this long first;
                   a range such as 200ms-1s draws each wait at random in it
  errors           this share of the requests fails: 500, an ERROR span and an exception event
  slow-downstream  the /chain of <service> gets slow answers from one of the services it calls:
                   --to picks which (default: its TARGET_ONE_SVC)
  list             shows the faults in force
  clear            switches off every fault, those of one service, of one type, or one rule

  Durations take a unit: 800ms, 2s, 1.5s (at most 30s). Percentages take a %: 30%, 0.5%.
  Setting a fault again (same service, type and route or target) replaces it. The services apply a
  change within a second. Examples:

  ${command} nestjs latency 800ms --route /chain
  ${command} express errors 30%
  ${command} fastify slow-downstream 2s
  ${command} clear`;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000 };

/** `800ms`, `2s`, `1.5s` -> milliseconds. A unit is required: a bare `800` would be ambiguous. */
export function parseDuration(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  if (match === null) {
    const hint = /^\d+(\.\d+)?$/.test(text)
      ? `: add a unit, ${text}ms or ${text}s`
      : ' (examples: 800ms, 2s, 1.5s)';
    throw new UsageError(`${what} "${text}" is not a duration${hint}`);
  }
  const ms = Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1));
  if (ms > MAX_FAULT_DELAY_MS) {
    throw new UsageError(`${what} "${text}" is too long: at most ${String(MAX_FAULT_DELAY_MS / 1000)}s`);
  }
  return ms;
}

/** `800ms` (fixed) or `200ms-1s` (drawn uniformly in the range for each request). */
export function parseLatency(text: string, what: string): { minMs: number; maxMs: number } {
  const parts = text.split('-');
  if (parts.length > 2 || parts.some((part) => part === '')) {
    throw new UsageError(`${what} "${text}" is neither a duration (800ms) nor a range (200ms-1s)`);
  }
  const [minMs = 0, maxMs = minMs] = parts.map((part) => parseDuration(part, what));
  if (maxMs < minMs)
    throw new UsageError(`${what} "${text}": the range must go from low to high (e.g. 200ms-1s)`);
  if (maxMs === 0) throw new UsageError(`${what} "${text}" adds no latency; to switch a fault off use clear`);
  return { minMs, maxMs };
}

/** `30%` -> 0.3; more than 0 and at most 100 %. */
export function parseRate(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (match === null) {
    const hint = /^\d+(\.\d+)?$/.test(text) ? `: add a %, ${text}%` : ' (examples: 30%, 100%, 0.5%)';
    throw new UsageError(`${what} "${text}" is not a percentage${hint}`);
  }
  const percent = Number(match[1]);
  if (percent <= 0 || percent > 100) {
    throw new UsageError(
      `${what} "${text}" must be more than 0% and at most 100%; to switch a fault off use clear`,
    );
  }
  return percent / 100;
}

function oneOf(value: string, allowed: readonly string[], what: string): string {
  if (!allowed.includes(value)) {
    throw new UsageError(`unknown ${what} "${value}": choose one of ${allowed.join(', ')}`);
  }
  return value;
}

function checkRoute(route: string | undefined, lab: Lab): string | undefined {
  return route === undefined ? undefined : oneOf(route, lab.routes, 'route');
}

function checkTo(service: string, to: string | undefined, lab: Lab): string | undefined {
  if (to === undefined) return undefined;
  const targets = lab.chainTargets[service] ?? [];
  if (!targets.includes(to)) {
    throw new UsageError(
      `--to ${to}: ${service}'s /chain does not call it; it calls ${targets.join(' and ')} (choose one)`,
    );
  }
  return to;
}

/** Parses the tool's arguments (after `npm run fault --`); throws UsageError naming the first bad part. */
export function parseCommand(argv: readonly string[], lab: Lab): Command {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    // node:util's messages name the option ("Unknown option '--rout'"); keep them, drop its advice.
    const message = error instanceof Error ? error.message.split('. ')[0] : String(error);
    throw new UsageError(message ?? 'invalid option');
  }
  const { values, positionals } = parsed;
  if (values.help === true || positionals[0] === 'help') return { kind: 'help' };
  const [first, second, third, ...rest] = positionals;
  if (first === undefined)
    throw new UsageError('say what to do: a fault (e.g. nestjs latency 800ms), list or clear');
  const noOptions = (command: string): void => {
    const given = (['route', 'to'] as const).filter((option) => values[option] !== undefined);
    if (given.length > 0) throw new UsageError(`${command} takes no --${given.join(' or --')}`);
  };
  const noMore = (extra: readonly (string | undefined)[]): void => {
    const left = extra.filter((word) => word !== undefined);
    if (left.length > 0) throw new UsageError(`unexpected "${left.join(' ')}" at the end`);
  };

  if (first === 'list') {
    noOptions('list');
    noMore([second, third, ...rest]);
    return { kind: 'list' };
  }

  if (first === 'clear') {
    noMore([...rest]);
    const service = second === undefined ? undefined : oneOf(second, lab.services, 'service');
    const type = third === undefined ? undefined : (oneOf(third, FAULT_TYPES, 'fault type') as FaultType);
    if ((values.route !== undefined || values.to !== undefined) && type === undefined) {
      throw new UsageError('clear takes --route or --to only after a service and a fault type');
    }
    if (values.route !== undefined && values.to !== undefined)
      throw new UsageError('give --route or --to, not both');
    if (type === 'slow-downstream' && values.route !== undefined) {
      throw new UsageError('slow-downstream has no --route: it slows the /chain hop given by --to');
    }
    if (type !== undefined && type !== 'slow-downstream' && values.to !== undefined) {
      throw new UsageError(`${type} has no --to (that is for slow-downstream); use --route`);
    }
    const route = checkRoute(values.route, lab);
    const to = service === undefined ? undefined : checkTo(service, values.to, lab);
    return {
      kind: 'clear',
      ...(service === undefined ? {} : { service }),
      ...(type === undefined ? {} : { type }),
      ...(route === undefined ? {} : { route }),
      ...(to === undefined ? {} : { to }),
    };
  }

  const service = oneOf(first, lab.services, 'service');
  if (second === undefined) {
    throw new UsageError(
      `what should happen to ${service}? one of ${FAULT_TYPES.join(', ')} (or list, clear)`,
    );
  }
  const type = oneOf(second, FAULT_TYPES, 'fault type') as FaultType;
  if (third === undefined) {
    const example = type === 'errors' ? '30%' : '800ms';
    throw new UsageError(`${type} needs a value, e.g. ${service} ${type} ${example}`);
  }
  noMore(rest);
  switch (type) {
    case 'latency':
    case 'errors': {
      if (values.to !== undefined)
        throw new UsageError(`${type} has no --to (that is for slow-downstream); use --route`);
      const route = checkRoute(values.route, lab);
      const where = route === undefined ? {} : { route };
      return type === 'latency'
        ? { kind: 'set', fault: { service, type, ...where, ...parseLatency(third, 'latency') } }
        : { kind: 'set', fault: { service, type, ...where, rate: parseRate(third, 'error rate') } };
    }
    case 'slow-downstream': {
      if (values.route !== undefined) {
        throw new UsageError('slow-downstream has no --route: it slows the /chain hop given by --to');
      }
      const to = checkTo(service, values.to, lab) ?? lab.chainTargets[service]?.[0];
      if (to === undefined) throw new UsageError(`${service} has no /chain targets in docker-compose.yaml`);
      return { kind: 'set', fault: { service, type, to, ...parseLatency(third, 'delay') } };
    }
  }
}

function parseOptions(argv: readonly string[]): {
  values: { route?: string; to?: string; help?: boolean };
  positionals: string[];
} {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      route: { type: 'string' },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

// ---- what a command does to the list ----

/** Two faults are the same rule when they would apply to the same requests the same way. */
function sameRule(a: Fault, b: Fault): boolean {
  if (a.service !== b.service || a.type !== b.type) return false;
  if (a.type === 'slow-downstream' && b.type === 'slow-downstream') return a.to === b.to;
  return (a as LatencyFault | ErrorFault).route === (b as LatencyFault | ErrorFault).route;
}

export interface Change {
  readonly faults: Fault[];
  /** The faults the command removed or replaced. */
  readonly removed: Fault[];
}

/** `set` adds the fault (replacing the same rule); `clear` removes the faults it selects. */
export function applyCommand(
  command: Extract<Command, { kind: 'set' | 'clear' }>,
  faults: readonly Fault[],
  now: Date,
): Change {
  if (command.kind === 'set') {
    const fault: Fault = { ...command.fault, since: now.toISOString() };
    const removed = faults.filter((f) => sameRule(f, fault));
    return { faults: [...faults.filter((f) => !sameRule(f, fault)), fault], removed };
  }
  const selected = (f: Fault): boolean =>
    (command.service === undefined || f.service === command.service) &&
    (command.type === undefined || f.type === command.type) &&
    (command.route === undefined || (f.type !== 'slow-downstream' && f.route === command.route)) &&
    (command.to === undefined || (f.type === 'slow-downstream' && f.to === command.to));
  return { faults: faults.filter((f) => !selected(f)), removed: faults.filter(selected) };
}

// ---- words ----

function ms(value: number): string {
  return value >= 1000 && value % 100 === 0 ? `${String(value / 1000)}s` : `${String(value)}ms`;
}

function latency(fault: { minMs: number; maxMs: number }): string {
  return fault.minMs === fault.maxMs ? ms(fault.minMs) : `${ms(fault.minMs)}-${ms(fault.maxMs)} (random)`;
}

/** One line per fault: `nestjs latency 800ms on /chain`. */
export function describeFault(fault: Fault): string {
  switch (fault.type) {
    case 'latency':
      return `${fault.service} latency ${latency(fault)} on ${fault.route ?? 'every route'}`;
    case 'errors':
      return `${fault.service} errors ${String(Math.round(fault.rate * 10_000) / 100)}% on ${fault.route ?? 'every route'}`;
    case 'slow-downstream':
      return `${fault.service} slow-downstream ${latency(fault)}: its /chain calls to ${fault.to}`;
  }
}

/** The `list` output: one line per fault with the time it was switched on. */
export function formatList(faults: readonly Fault[]): string {
  if (faults.length === 0) return 'No faults: the lab runs normally.';
  const lines = faults.map((fault) => {
    const since =
      fault.since === undefined ? '' : `  (since ${fault.since.replace('T', ' ').replace(/\.\d+Z$/, 'Z')})`;
    return `  ${describeFault(fault)}${since}`;
  });
  return [`${String(faults.length)} fault${faults.length === 1 ? '' : 's'} in force:`, ...lines].join('\n');
}

// ---- the file ----

export interface FaultFile {
  version: typeof FAULT_FILE_VERSION;
  faults: Fault[];
}

export function serialize(faults: readonly Fault[]): string {
  const file: FaultFile = { version: FAULT_FILE_VERSION, faults: [...faults] };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Reads a fault file's text for the command (the services check it fully): throws an Error naming what is wrong
 * when it is not one this tool wrote.
 */
export function deserialize(text: string): Fault[] {
  const doc = JSON.parse(text) as unknown;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    (doc as { version?: unknown }).version !== FAULT_FILE_VERSION
  ) {
    throw new Error(`not a version ${String(FAULT_FILE_VERSION)} fault file`);
  }
  const faults = (doc as { faults?: unknown }).faults;
  if (!Array.isArray(faults)) throw new Error('"faults" is not a list');
  return faults.map((entry: unknown, index) => {
    const f = entry as Partial<Record<string, unknown>>;
    const numbers = (...keys: string[]): boolean => keys.every((k) => typeof f[k] === 'number');
    const ok =
      typeof f.service === 'string' &&
      ((f.type === 'latency' && numbers('minMs', 'maxMs')) ||
        (f.type === 'errors' && numbers('rate')) ||
        (f.type === 'slow-downstream' && typeof f.to === 'string' && numbers('minMs', 'maxMs')));
    if (!ok) throw new Error(`faults[${String(index)}] is not a fault: ${JSON.stringify(entry)}`);
    return entry as Fault;
  });
}
