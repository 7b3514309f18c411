// The one model of docker-compose.yaml that every tool reads (verify, the native lab, the bench, the tests):
// the file read the way `docker compose` reads it (`.env` beside the file, the shell over `.env`, `${VAR}`
// interpolation, `<<` merge keys), both as written (`doc`, for the static tests of its structure) and as each
// service runs (`services`: command, environment, ports, mounts, healthcheck, depends_on, memory limit).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const COMPOSE_FILE = path.join(REPO_ROOT, 'docker-compose.yaml');
export const ENV_FILE = path.join(REPO_ROOT, '.env');

// ---- the file as written ----

export interface PortLong {
  target: number | string;
  published?: number | string;
  host_ip?: string;
  protocol?: string;
}

export interface VolumeLong {
  type: string;
  source?: string;
  target: string;
  read_only?: boolean;
}

export interface RawHealthcheck {
  test?: string[] | string;
  disable?: boolean;
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
}

export interface RawService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string; args?: Record<string, string> };
  command?: string[] | string;
  entrypoint?: string[] | string;
  working_dir?: string;
  /** Compose profiles: a service with any is left out of `docker compose up` unless a profile is enabled. */
  profiles?: string[];
  network_mode?: string;
  networks?: string[] | Record<string, unknown>;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | PortLong)[];
  volumes?: (string | VolumeLong)[];
  tmpfs?: string | string[];
  healthcheck?: RawHealthcheck;
  depends_on?: string[] | Record<string, { condition?: string; required?: boolean; restart?: boolean }>;
  deploy?: { resources?: { limits?: { memory?: string | number } } };
  mem_limit?: string | number;
  restart?: string;
  user?: string;
  logging?: { driver?: string; options?: Record<string, string> };
}

export interface ComposeFile {
  name?: string;
  services: Record<string, RawService>;
  volumes?: Record<string, unknown>;
  [extension: `x-${string}`]: unknown;
}

// ---- each service as it runs ----

export interface PublishedPort {
  /** Host address the port is bound to ('' when compose binds every address). */
  hostIp: string;
  published: number;
  target: number;
  protocol: string;
}

export interface Mount {
  /** 'bind': a host path; 'volume': a named or anonymous volume. */
  type: 'bind' | 'volume' | 'tmpfs';
  /** Absolute host path for binds, the volume name for volumes ('' when anonymous). */
  source: string;
  target: string;
  readOnly: boolean;
}

export interface ComposeService {
  name: string;
  image: string | undefined;
  command: string[] | undefined;
  entrypoint: string[] | undefined;
  workingDir: string | undefined;
  environment: Record<string, string>;
  ports: PublishedPort[];
  mounts: Mount[];
  /** The healthcheck `test` as one command line ('' when the service has none). */
  healthcheck: string;
  /** depends_on: service -> condition (service_started, service_healthy, service_completed_successfully). */
  dependsOn: Record<string, string>;
  /** deploy.resources.limits.memory (or mem_limit) in bytes; undefined when compose sets none. */
  memoryLimitBytes: number | undefined;
}

export interface ComposeProject {
  file: string;
  /** The file as written: anchors and merge keys resolved, variables not substituted. */
  raw: ComposeFile;
  /** The file with its variables substituted, as compose runs it. */
  doc: ComposeFile;
  /** Every service, in the file's order. */
  services: Record<string, ComposeService>;
}

export type Vars = Record<string, string | undefined>;

export interface LoadOptions {
  /** Fail on a variable that is neither set nor defaulted (compose substitutes '' with a warning). */
  strict?: boolean;
}

/** `.env` as compose reads it (KEY=VALUE, comments, quotes). */
export function readDotEnv(file: string = ENV_FILE): Record<string, string> {
  const vars: Record<string, string> = {};
  if (!existsSync(file)) return vars;
  for (const [k, v] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) if (v !== undefined) vars[k] = v;
  return vars;
}

/** Reads a compose file: `.env` beside it, `env` (the shell by default) over `.env`. */
export function loadCompose(
  file: string = COMPOSE_FILE,
  env: Vars = process.env,
  options: LoadOptions = {},
): ComposeProject {
  if (!existsSync(file)) throw new Error(`${file} not found: the lab's ports are read from it`);
  const vars: Vars = { ...readDotEnv(path.join(path.dirname(file), '.env')), ...env };
  const raw: unknown = parse(readFileSync(file, 'utf8'), { merge: true });
  if (!isRecord(raw) || !isRecord(raw.services)) throw new Error(`${file}: no top-level "services" map`);
  const doc = interpolateDeep(raw, vars, options) as ComposeFile;
  const dir = path.dirname(file);
  const services: Record<string, ComposeService> = {};
  for (const [name, entry] of Object.entries(doc.services)) {
    if (!isRecord(entry)) continue;
    const service = entry as RawService;
    const where = `${file}: services.${name}`;
    services[name] = {
      name,
      image: service.image,
      command: argv(service.command, `${where}.command`),
      entrypoint: argv(service.entrypoint, `${where}.entrypoint`),
      workingDir: service.working_dir,
      environment: parseEnvironment(service.environment, where),
      ports: (service.ports ?? []).map((p) => parsePort(p, `${where}.ports`)),
      mounts: (service.volumes ?? []).map((v) => parseMount(v, dir, `${where}.volumes`)),
      healthcheck: healthTest(service.healthcheck),
      dependsOn: dependsOn(service.depends_on),
      memoryLimitBytes: memoryLimit(service, where),
    };
  }
  return { file, raw: raw as unknown as ComposeFile, doc, services };
}

export function service(project: ComposeProject, name: string): ComposeService {
  const found = project.services[name];
  if (!found) throw new Error(`${project.file}: no service "${name}"`);
  return found;
}

// ---- interpolation ----

/** Compose interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:+alt}, ${VAR:?error}, $$. */
export function interpolate(text: string, vars: Vars, options: LoadOptions = {}): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch !== '$') {
      out += ch;
      i += 1;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      let depth = 1;
      let j = i + 2;
      for (; j < text.length && depth > 0; j += 1) {
        if (text[j] === '{') depth += 1;
        else if (text[j] === '}') depth -= 1;
      }
      if (depth !== 0) throw new Error(`unclosed \${ in "${text}"`);
      out += expand(text.slice(i + 2, j - 1), vars, options);
      i = j;
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0];
      if (name === undefined) {
        out += '$';
        i += 1;
      } else {
        out += lookup(name, vars, options);
        i += 1 + name.length;
      }
    }
  }
  return out;
}

function lookup(name: string, vars: Vars, options: LoadOptions): string {
  const value = vars[name];
  if (value === undefined && options.strict === true)
    throw new Error(`variable ${name} is used in docker-compose.yaml but not set in .env`);
  return value ?? '';
}

function expand(body: string, vars: Vars, options: LoadOptions): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(body);
  if (!m?.[1]) throw new Error(`bad substitution \${${body}}`);
  const [, name, op, arg = ''] = m;
  const value = vars[name];
  const unset = op?.startsWith(':') ? value === undefined || value === '' : value === undefined;
  switch (op?.replace(':', '')) {
    case undefined:
      return lookup(name, vars, options);
    case '-':
      return unset ? interpolate(arg, vars, options) : (value ?? '');
    case '+':
      return unset ? '' : interpolate(arg, vars, options);
    default: // '?'
      if (unset) throw new Error(`required variable ${name} is missing: ${interpolate(arg, vars, options)}`);
      return value ?? '';
  }
}

function interpolateDeep(value: unknown, vars: Vars, options: LoadOptions): unknown {
  if (typeof value === 'string') return interpolate(value, vars, options);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, vars, options));
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, vars, options)]));
  return value;
}

/** A `${VAR}` / `${VAR:-default}` / `${VAR-default}` / `$VAR` reference found in a compose string. */
export interface VariableReference {
  name: string;
  /** The default after `:-` or `-`, if any. */
  fallback?: string;
}

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\$))/g;

/** Every variable referenced in a string (`$$` is an escaped dollar, not a reference). */
export function variableReferences(value: string): VariableReference[] {
  const references: VariableReference[] = [];
  for (const match of value.matchAll(VARIABLE)) {
    const name = match[1] ?? match[4];
    if (name === undefined) continue;
    const isDefault = match[2] === '-' || match[2] === ':-';
    references.push(isDefault && match[3] !== undefined ? { name, fallback: match[3] } : { name });
  }
  return references;
}

// ---- compose syntax ----

/** One entry of `ports:`, short ("[ip:]host:container[/proto]") or long ({target, published, host_ip}). */
export function parsePort(entry: unknown, where = 'ports'): PublishedPort {
  if (isRecord(entry)) {
    const target = Number(entry.target);
    const published = Number(entry.published);
    if (!Number.isInteger(target) || !Number.isInteger(published)) {
      throw new Error(`${where}: port ${JSON.stringify(entry)} needs numeric target and published`);
    }
    const hostIp = typeof entry.host_ip === 'string' ? entry.host_ip : '';
    const protocol = typeof entry.protocol === 'string' ? entry.protocol : 'tcp';
    return { hostIp, published, target, protocol };
  }
  const text = typeof entry === 'number' ? String(entry) : entry;
  if (typeof text !== 'string') throw new Error(`${where}: unreadable port ${JSON.stringify(entry)}`);
  const m = /^(?:(?:\[([^\]]+)\]|([^:]*)):)??(?:(\d+):)?(\d+)(?:\/(\w+))?$/.exec(text);
  if (!m?.[3] || !m[4]) {
    // A port without a host port is published on a random one: useless for a lab with fixed URLs.
    throw new Error(`${where}: port "${text}" must be "[ip:]host:container[/protocol]"`);
  }
  return {
    hostIp: m[1] ?? m[2] ?? '',
    published: Number(m[3]),
    target: Number(m[4]),
    protocol: m[5] ?? 'tcp',
  };
}

function parseEnvironment(raw: unknown, where: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  const env: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (typeof item !== 'string') throw new Error(`${where}: environment entry ${JSON.stringify(item)}`);
      const eq = item.indexOf('=');
      if (eq > 0) env[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return env;
  }
  if (!isRecord(raw)) throw new Error(`${where}: environment must be a map or a list`);
  for (const [k, v] of Object.entries(raw)) {
    if (v !== null && v !== undefined) env[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return env;
}

function argv(value: unknown, where: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return shellSplit(value, where);
  if (Array.isArray(value)) return value.map((v) => String(v));
  throw new Error(`${where}: expected a string or a list`);
}

/** Splits a command string like compose does (shell words: quotes and backslashes, no expansion). */
export function shellSplit(text: string, where = 'command'): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false; // distinguishes an empty quoted word ('') from no word
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && '"\\$`'.includes(text.charAt(i + 1)) && i + 1 < text.length)
        word += text.charAt(++i);
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\') {
      word += text.charAt(++i);
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new Error(`${where}: unclosed ${quote} in "${text}"`);
  if (inWord) words.push(word);
  return words;
}

function parseMount(value: unknown, dir: string, where: string): Mount {
  const resolveSource = (source: string): { type: 'bind' | 'volume'; source: string } =>
    source.startsWith('.') || source.startsWith('/') || source.startsWith('~')
      ? { type: 'bind', source: path.resolve(dir, source) }
      : { type: 'volume', source };
  if (typeof value === 'string') {
    const parts = value.split(':');
    if (parts.length === 1) return { type: 'volume', source: '', target: parts[0] ?? '', readOnly: false };
    const [source = '', target = '', mode = ''] = parts;
    return { ...resolveSource(source), target, readOnly: mode.split(',').includes('ro') };
  }
  if (isRecord(value) && typeof value.target === 'string') {
    const type = value.type === 'tmpfs' ? 'tmpfs' : value.type === 'bind' ? 'bind' : 'volume';
    const source = typeof value.source === 'string' ? value.source : '';
    return {
      type,
      source: type === 'bind' ? path.resolve(dir, source) : source,
      target: value.target,
      readOnly: value.read_only === true,
    };
  }
  throw new Error(`${where}: unsupported volume entry ${JSON.stringify(value)}`);
}

function healthTest(value: RawHealthcheck | undefined): string {
  const test = value?.test;
  if (typeof test === 'string') return test;
  return Array.isArray(test) ? test.slice(1).join(' ') : '';
}

function dependsOn(value: RawService['depends_on']): Record<string, string> {
  if (Array.isArray(value)) return Object.fromEntries(value.map((v) => [v, 'service_started']));
  if (!isRecord(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      typeof v.condition === 'string' ? v.condition : 'service_started',
    ]),
  );
}

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Compose byte sizes (docker's RAMInBytes): `160M`, `1g`, `512mb`, or a plain number of bytes. */
export function bytesOf(size: string | number, where = 'size'): number {
  if (typeof size === 'number') return size;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg])?b?$/i.exec(size.trim());
  if (m?.[1] === undefined) throw new Error(`${where}: "${size}" is not a byte size like 256M`);
  return Math.round(Number(m[1]) * (UNITS[(m[2] ?? 'b').toLowerCase()] ?? 1));
}

function memoryLimit(raw: RawService, where: string): number | undefined {
  const value = raw.deploy?.resources?.limits?.memory ?? raw.mem_limit;
  return value === undefined ? undefined : bytesOf(value, `${where}.deploy.resources.limits.memory`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
