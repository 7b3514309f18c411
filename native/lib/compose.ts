// What the native runner needs from docker-compose.yaml beyond verify/lab.ts (ports, environment): each
// service's command, working dir, mounts, healthcheck and dependencies, interpolated the way compose does.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { COMPOSE_FILE, interpolate, loadCompose, type PublishedPort } from '../../verify/lab.ts';
import { labEnv } from './env.ts';

export interface Mount {
  /** 'bind': a host path; 'volume': a named or anonymous volume (the native lab keeps those in .native/data). */
  type: 'bind' | 'volume' | 'tmpfs';
  /** Absolute host path for binds, the volume name for volumes ('' when anonymous). */
  source: string;
  target: string;
  readOnly: boolean;
}

export interface NativeComposeService {
  name: string;
  image: string | undefined;
  command: string[] | undefined;
  entrypoint: string[] | undefined;
  workingDir: string | undefined;
  environment: Record<string, string>;
  ports: PublishedPort[];
  mounts: Mount[];
  /** The healthcheck `test` as one string ('' when the service has none). */
  healthcheck: string;
  /** depends_on: service -> condition (service_started, service_healthy, service_completed_successfully). */
  dependsOn: Record<string, string>;
  /** deploy.resources.limits.memory (or mem_limit) in bytes; undefined when compose sets none. */
  memoryLimitBytes: number | undefined;
}

export interface NativeCompose {
  file: string;
  services: NativeComposeService[];
}

type Vars = Record<string, string | undefined>;

export function readCompose(file: string = COMPOSE_FILE): NativeCompose {
  const vars: Vars = { ...labEnv(), ...process.env };
  const basic = loadCompose(file, vars);
  const doc = parse(readFileSync(file, 'utf8'), { merge: true }) as { services?: Record<string, unknown> };
  const dir = path.dirname(file);
  const services: NativeComposeService[] = [];
  for (const [name, raw] of Object.entries(doc.services ?? {})) {
    if (!isRecord(raw)) continue;
    const where = `${file}: services.${name}`;
    const str = (v: unknown): string | undefined =>
      typeof v === 'string' ? interpolate(v, vars) : undefined;
    const basicService = basic.services[name];
    services.push({
      name,
      image: str(raw.image),
      command: argv(raw.command, vars, `${where}.command`),
      entrypoint: argv(raw.entrypoint, vars, `${where}.entrypoint`),
      workingDir: str(raw.working_dir),
      environment: basicService?.environment ?? {},
      ports: basicService?.ports ?? [],
      mounts: (Array.isArray(raw.volumes) ? raw.volumes : []).map((v: unknown) =>
        mount(v, vars, dir, `${where}.volumes`),
      ),
      healthcheck: healthTest(raw.healthcheck, vars),
      dependsOn: dependsOn(raw.depends_on),
      memoryLimitBytes: memoryLimit(raw, vars, where),
    });
  }
  return { file, services };
}

function argv(value: unknown, vars: Vars, where: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return shellSplit(interpolate(value, vars), where);
  if (Array.isArray(value)) return value.map((v) => interpolate(String(v), vars));
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

function mount(value: unknown, vars: Vars, dir: string, where: string): Mount {
  const resolveSource = (source: string): { type: 'bind' | 'volume'; source: string } =>
    source.startsWith('.') || source.startsWith('/') || source.startsWith('~')
      ? { type: 'bind', source: path.resolve(dir, source) }
      : { type: 'volume', source };
  if (typeof value === 'string') {
    const parts = interpolate(value, vars).split(':');
    if (parts.length === 1) return { type: 'volume', source: '', target: parts[0] ?? '', readOnly: false };
    const [source = '', target = '', mode = ''] = parts;
    return { ...resolveSource(source), target, readOnly: mode.split(',').includes('ro') };
  }
  if (isRecord(value) && typeof value.target === 'string') {
    const type = value.type === 'tmpfs' ? 'tmpfs' : value.type === 'bind' ? 'bind' : 'volume';
    const source = typeof value.source === 'string' ? interpolate(value.source, vars) : '';
    return {
      type,
      source: type === 'bind' ? path.resolve(dir, source) : source,
      target: value.target,
      readOnly: value.read_only === true,
    };
  }
  throw new Error(`${where}: unsupported volume entry ${JSON.stringify(value)}`);
}

function healthTest(value: unknown, vars: Vars): string {
  if (!isRecord(value)) return '';
  const test = value.test;
  if (typeof test === 'string') return interpolate(test, vars);
  if (Array.isArray(test))
    return test
      .slice(1)
      .map((t) => interpolate(String(t), vars))
      .join(' ');
  return '';
}

function dependsOn(value: unknown): Record<string, string> {
  if (Array.isArray(value)) return Object.fromEntries(value.map((v) => [String(v), 'service_started']));
  if (!isRecord(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      isRecord(v) && typeof v.condition === 'string' ? v.condition : 'service_started',
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

function memoryLimit(raw: Record<string, unknown>, vars: Vars, where: string): number | undefined {
  const deploy = isRecord(raw.deploy) ? raw.deploy : {};
  const resources = isRecord(deploy.resources) ? deploy.resources : {};
  const limits = isRecord(resources.limits) ? resources.limits : {};
  const value = limits.memory ?? raw.mem_limit;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new Error(`${where}.deploy.resources.limits.memory: expected a size like 256M`);
  return bytesOf(
    typeof value === 'string' ? interpolate(value, vars) : value,
    `${where}.deploy.resources.limits.memory`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
