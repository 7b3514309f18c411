// Reads docker-compose.yaml and .env the way Docker Compose does, for the static tests of the lab files.
// docker-compose.yaml is the source of truth for ports, commands and environment; tests read it from here
// instead of repeating values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository's root directory. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const COMPOSE_FILE = join(ROOT, 'docker-compose.yaml');
export const ENV_FILE = join(ROOT, '.env');

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

export interface ComposeHealthcheck {
  test?: string[] | string;
  disable?: boolean;
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
}

export interface ComposeService {
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
  ports?: (string | PortLong)[];
  volumes?: (string | VolumeLong)[];
  healthcheck?: ComposeHealthcheck;
  depends_on?: string[] | Record<string, { condition?: string; required?: boolean; restart?: boolean }>;
  deploy?: { resources?: { limits?: { memory?: string | number } } };
  mem_limit?: string | number;
  restart?: string;
  user?: string;
  logging?: { driver?: string; options?: Record<string, string> };
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [extension: `x-${string}`]: unknown;
}

/** Parses a .env file: KEY=VALUE lines, `#` comments, optional surrounding quotes. */
export function parseDotEnv(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const [index, rawLine] of text.split('\n').entries()) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) {
      throw new Error(`.env line ${String(index + 1)} is not KEY=VALUE: ${rawLine}`);
    }
    env.set(match[1], match[2].replace(/^(['"])(.*)\1$/, '$2'));
  }
  return env;
}

export function readDotEnv(file = ENV_FILE): Map<string, string> {
  return parseDotEnv(readFileSync(file, 'utf8'));
}

/** A `${VAR}` / `${VAR:-default}` / `${VAR-default}` / `$VAR` reference found in a compose string. */
export interface VariableReference {
  name: string;
  /** The default after `:-` or `-`, if any. */
  fallback?: string;
}

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\$))/g;

/** Every variable referenced in a string (`$$` is an escaped dollar, not a reference). */
export function variableReferences(value: string): VariableReference[] {
  const references: VariableReference[] = [];
  for (const match of value.matchAll(VARIABLE)) {
    const name = match[1] ?? match[4];
    if (name !== undefined) {
      references.push(match[3] === undefined ? { name } : { name, fallback: match[3] });
    }
  }
  return references;
}

/**
 * Compose interpolation: `${VAR}`, `${VAR:-default}` (default when unset or empty), `${VAR-default}` (when
 * unset), `$VAR`, `$$` -> `$`. Unlike Compose, which substitutes an empty string with a warning, an unset
 * variable without a default is an error here.
 */
export function interpolate(value: string, env: ReadonlyMap<string, string>): string {
  return value.replace(
    VARIABLE,
    (
      whole: string,
      braced: string | undefined,
      operator: string | undefined,
      fallback: string | undefined,
      bare: string | undefined,
      dollar: string | undefined,
    ) => {
      if (dollar !== undefined) {
        return '$';
      }
      const name = braced ?? bare;
      if (name === undefined) {
        return whole;
      }
      const current = env.get(name);
      if (operator === ':-' && (current === undefined || current === '')) {
        return fallback ?? '';
      }
      if (operator === '-' && current === undefined) {
        return fallback ?? '';
      }
      if (current === undefined) {
        throw new Error(`variable ${name} is used in docker-compose.yaml but not set in .env`);
      }
      return current;
    },
  );
}

function interpolateDeep(node: unknown, env: ReadonlyMap<string, string>): unknown {
  if (typeof node === 'string') {
    return interpolate(node, env);
  }
  if (Array.isArray(node)) {
    return node.map((item) => interpolateDeep(item, env));
  }
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, interpolateDeep(value, env)] as const),
    );
  }
  return node;
}

/** docker-compose.yaml as written (anchors and merge keys resolved, variables not substituted). */
export function readComposeRaw(file = COMPOSE_FILE): ComposeFile {
  return parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
}

/** docker-compose.yaml with .env substituted, as Compose would run it (without the shell's environment). */
export function readCompose(
  file = COMPOSE_FILE,
  env: ReadonlyMap<string, string> = readDotEnv(),
): ComposeFile {
  return interpolateDeep(readComposeRaw(file), env) as ComposeFile;
}

export interface PublishedPort {
  service: string;
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

/** Parses one `ports:` entry (short `[ip:]host:container[/proto]` or long syntax). */
export function parsePort(service: string, entry: string | PortLong): PublishedPort {
  if (typeof entry === 'string') {
    const match = /^(?:(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(
      entry,
    );
    if (match?.[2] === undefined || match[3] === undefined) {
      throw new Error(`${service}: port "${entry}" is not [ip:]host:container`);
    }
    return {
      service,
      hostIp: match[1] ?? '0.0.0.0',
      hostPort: Number(match[2]),
      containerPort: Number(match[3]),
    };
  }
  if (entry.published === undefined) {
    throw new Error(`${service}: port ${String(entry.target)} has no published host port`);
  }
  return {
    service,
    hostIp: entry.host_ip ?? '0.0.0.0',
    hostPort: Number(entry.published),
    containerPort: Number(entry.target),
  };
}

/** Every host port compose publishes, per service. */
export function publishedPorts(compose: ComposeFile = readCompose()): PublishedPort[] {
  return Object.entries(compose.services).flatMap(([service, definition]) =>
    (definition.ports ?? []).map((entry) => parsePort(service, entry)),
  );
}

/** `http://127.0.0.1:<port>` of a service's published port (the first one if it publishes several). */
export function hostUrl(service: string, compose: ComposeFile = readCompose()): string {
  const port = publishedPorts(compose).find((candidate) => candidate.service === service);
  if (port === undefined) {
    throw new Error(`docker-compose.yaml publishes no port for ${service}`);
  }
  return `http://127.0.0.1:${String(port.hostPort)}`;
}

/** A service's environment as a map (list or mapping syntax). */
export function environmentOf(service: ComposeService): Map<string, string> {
  const env = new Map<string, string>();
  if (Array.isArray(service.environment)) {
    for (const entry of service.environment) {
      const [key = '', ...rest] = entry.split('=');
      env.set(key, rest.join('='));
    }
  } else {
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      env.set(key, value === null ? '' : String(value));
    }
  }
  return env;
}

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Compose byte sizes: `160M`, `1g`, `512mb`, or a plain number of bytes. */
export function bytesOf(size: string | number): number {
  if (typeof size === 'number') {
    return size;
  }
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg])?b?$/i.exec(size.trim());
  if (match?.[1] === undefined) {
    throw new Error(`"${size}" is not a byte size like 256M`);
  }
  return Math.round(Number(match[1]) * (UNITS[(match[2] ?? 'b').toLowerCase()] ?? 1));
}

/** The memory limit of a service in bytes, from deploy.resources.limits.memory or mem_limit. */
export function memoryLimitOf(service: ComposeService): number | undefined {
  const limit = service.deploy?.resources?.limits?.memory ?? service.mem_limit;
  return limit === undefined ? undefined : bytesOf(limit);
}
