// The lab as docker-compose.yaml describes it: the app services (one list for every tool) and the host
// ports compose publishes. Tools read ports from the compose file instead of repeating them, so the native
// lab, the tests, bench and verify always talk to the addresses a learner gets from `docker compose up`.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';

/** The three instrumented services, in the order the lab presents them. */
export const APP_SERVICES = ['fastify', 'nestjs', 'express'] as const;
export type AppService = (typeof APP_SERVICES)[number];

export function isAppService(name: string): name is AppService {
  return (APP_SERVICES as readonly string[]).includes(name);
}

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yaml');

/** Container ports of the backends whose published host port the tools need (compose service -> port). */
export const BACKEND_PORTS = {
  'jaeger-query': 16686, // UI and HTTP API, incl. the Monitor tab's /api/metrics
  prometheus: 9090,
  tempo: 3200, // HTTP API
  'otel-collector': 8889, // span metrics and service graph (prometheus exporter)
  grafana: 3000,
} as const;
export type Backend = keyof typeof BACKEND_PORTS;

export interface PublishedPort {
  /** Host address the port is bound to ('' when compose binds every address). */
  hostIp: string;
  published: number;
  target: number;
  protocol: string;
}

export interface ComposeService {
  ports: PublishedPort[];
  environment: Record<string, string>;
}

export interface ComposeProject {
  file: string;
  services: Record<string, ComposeService>;
}

export interface LabUrls {
  apps: Record<AppService, string>;
  jaegerQuery: string;
  prometheus: string;
  tempo: string;
  collectorMetrics: string;
  grafana: string;
}

type Env = Record<string, string | undefined>;

/**
 * Reads a compose file the way `docker compose` does for the parts the tools use: `.env` beside the file,
 * shell environment over `.env`, `${VAR}` / `${VAR:-default}` interpolation, `<<` merge keys, short and
 * long port syntax, environment as a map or a list.
 */
export function loadCompose(file: string = COMPOSE_FILE, env: Env = process.env): ComposeProject {
  if (!existsSync(file)) throw new Error(`${file} not found: the lab's ports are read from it`);
  const dotEnvFile = join(dirname(file), '.env');
  const dotEnv = existsSync(dotEnvFile) ? parseEnv(readFileSync(dotEnvFile, 'utf8')) : {};
  const vars: Env = { ...dotEnv, ...env };
  const doc: unknown = parse(readFileSync(file, 'utf8'), { merge: true });
  if (!isRecord(doc) || !isRecord(doc.services)) throw new Error(`${file}: no top-level "services" map`);
  const services: Record<string, ComposeService> = {};
  for (const [name, raw] of Object.entries(doc.services)) {
    if (!isRecord(raw)) continue;
    const where = `${file}: services.${name}`;
    services[name] = {
      ports: asList(raw.ports).map((p) => parsePort(interpolateDeep(p, vars), where)),
      environment: parseEnvironment(interpolateDeep(raw.environment, vars), where),
    };
  }
  return { file, services };
}

export function service(project: ComposeProject, name: string): ComposeService {
  const found = project.services[name];
  if (!found) throw new Error(`${project.file}: no service "${name}"`);
  return found;
}

/** The host URL of a published container port, e.g. http://127.0.0.1:16686. */
export function publishedUrl(project: ComposeProject, name: string, target: number): string {
  const port = service(project, name).ports.find((p) => p.target === target && p.protocol === 'tcp');
  if (!port)
    throw new Error(`${project.file}: service "${name}" does not publish container port ${String(target)}`);
  const host = port.hostIp === '' || port.hostIp === '0.0.0.0' ? '127.0.0.1' : port.hostIp;
  return `http://${host.includes(':') ? `[${host}]` : host}:${String(port.published)}`;
}

/** The port an app service listens on inside its container: its PORT variable. */
export function appPort(project: ComposeProject, name: AppService): number {
  const value = service(project, name).environment.PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0)
    throw new Error(`${project.file}: services.${name}: PORT is "${String(value)}"`);
  return port;
}

export function labUrls(project: ComposeProject = loadCompose()): LabUrls {
  const apps = Object.fromEntries(
    APP_SERVICES.map((name) => [name, publishedUrl(project, name, appPort(project, name))]),
  ) as Record<AppService, string>;
  const backend = (name: Backend): string => publishedUrl(project, name, BACKEND_PORTS[name]);
  return {
    apps,
    jaegerQuery: backend('jaeger-query'),
    prometheus: backend('prometheus'),
    tempo: backend('tempo'),
    collectorMetrics: backend('otel-collector'),
    grafana: backend('grafana'),
  };
}

/** Which services `/chain` of a service calls (TARGET_ONE_SVC, TARGET_TWO_SVC), by compose host name. */
export function chainTargets(project: ComposeProject, name: AppService): AppService[] {
  const env = service(project, name).environment;
  return ['TARGET_ONE_SVC', 'TARGET_TWO_SVC'].map((key) => {
    const value = env[key];
    const host = value === undefined ? undefined : URL.parse(value)?.hostname;
    if (host === undefined || !isAppService(host)) {
      throw new Error(
        `${project.file}: services.${name}: ${key} is "${String(value)}", not an app service URL`,
      );
    }
    return host;
  });
}

// ---- compose syntax ----

/** Compose interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:+alt}, ${VAR:?error}, $$. */
export function interpolate(text: string, vars: Env): string {
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
      out += expand(text.slice(i + 2, j - 1), vars);
      i = j;
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0];
      if (name === undefined) {
        out += '$';
        i += 1;
      } else {
        out += vars[name] ?? '';
        i += 1 + name.length;
      }
    }
  }
  return out;
}

function expand(body: string, vars: Env): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(body);
  if (!m?.[1]) throw new Error(`bad substitution \${${body}}`);
  const [, name, op, arg = ''] = m;
  const value = vars[name];
  const unset = op?.startsWith(':') ? value === undefined || value === '' : value === undefined;
  switch (op?.replace(':', '')) {
    case undefined:
      return value ?? '';
    case '-':
      return unset ? interpolate(arg, vars) : (value ?? '');
    case '+':
      return unset ? '' : interpolate(arg, vars);
    default: // '?'
      if (unset) throw new Error(`required variable ${name} is missing: ${interpolate(arg, vars)}`);
      return value ?? '';
  }
}

function interpolateDeep(value: unknown, vars: Env): unknown {
  if (typeof value === 'string') return interpolate(value, vars);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, vars));
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, vars)]));
  return value;
}

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
  if (Array.isArray(raw)) {
    const env: Record<string, string> = {};
    for (const item of raw) {
      if (typeof item !== 'string') throw new Error(`${where}: environment entry ${JSON.stringify(item)}`);
      const eq = item.indexOf('=');
      if (eq > 0) env[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return env;
  }
  if (!isRecord(raw)) throw new Error(`${where}: environment must be a map or a list`);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v !== null && v !== undefined) env[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return env;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
