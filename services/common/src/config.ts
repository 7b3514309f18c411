import path from 'node:path';

/** What every service reads from its environment (docker-compose.yaml sets it). */
export interface ServiceConfig {
  /** Port the HTTP server listens on (all interfaces). */
  readonly port: number;
  /** Base URL of the first /chain target, without a trailing slash (its /io_task is called). */
  readonly targetOne: string;
  /** Base URL of the second /chain target, without a trailing slash (its /cpu_task is called). */
  readonly targetTwo: string;
  /** Upper bound of each /chain hop, so a down or stuck target gives a 502 instead of a hang. */
  readonly chainTimeoutMs: number;
  /**
   * The run-time fault file (FAULTS_FILE, see faults.ts), absolute; relative values are resolved against the
   * working directory. Unset = no faults.
   */
  readonly faultsFile?: string;
}

export const DEFAULT_CHAIN_TIMEOUT_MS = 5000;

/** One problem per variable, each message starting with the variable's name. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid environment: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function parseInteger(
  env: Env,
  name: string,
  min: number,
  max: number,
  problems: string[],
  fallback?: number,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    problems.push(`${name} is required (an integer from ${String(min)} to ${String(max)})`);
    return Number.NaN;
  }
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    problems.push(
      `${name} must be an integer from ${String(min)} to ${String(max)}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

function parseBaseUrl(env: Env, name: string, problems: string[]): string {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') {
    problems.push(`${name} is required (a base URL such as http://nestjs:8080)`);
    return '';
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`${name} must be an absolute http(s) URL, got ${JSON.stringify(raw)}`);
    return '';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`${name} must use http or https, got ${JSON.stringify(raw)}`);
  } else if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    problems.push(
      `${name} must be a plain base URL without credentials, query or fragment, got ${JSON.stringify(raw)}`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

function parseFile(env: Env, name: string, cwd: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : path.resolve(cwd, raw);
}

/**
 * Reads PORT, TARGET_ONE_SVC, TARGET_TWO_SVC, CHAIN_TIMEOUT_MS and FAULTS_FILE; throws one ConfigError listing
 * every problem.
 */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): ServiceConfig {
  const problems: string[] = [];
  const port = parseInteger(env, 'PORT', 1, 65535, problems);
  const targetOne = parseBaseUrl(env, 'TARGET_ONE_SVC', problems);
  const targetTwo = parseBaseUrl(env, 'TARGET_TWO_SVC', problems);
  const chainTimeoutMs = parseInteger(
    env,
    'CHAIN_TIMEOUT_MS',
    1,
    600_000,
    problems,
    DEFAULT_CHAIN_TIMEOUT_MS,
  );
  const faultsFile = parseFile(env, 'FAULTS_FILE', cwd);
  if (problems.length > 0) throw new ConfigError(problems);
  return { port, targetOne, targetTwo, chainTimeoutMs, ...(faultsFile === undefined ? {} : { faultsFile }) };
}
