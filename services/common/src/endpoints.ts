import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The behaviour of every endpoint, shared by the three services. Each framework adapter maps its
 * own routing and error handling onto these functions and sends what they return as JSON. Behaviour
 * that must be the same everywhere (such as run-time fault injection, later) belongs here, not in
 * the adapters.
 */

export type Random = () => number;

export function hello(service: string): { message: string; service: string } {
  return { message: `Hello from ${service}`, service };
}

export function item(itemId: number, q: string | null): { item_id: number; q: string | null } {
  return { item_id: itemId, q };
}

/** A query parameter as a single value: frameworks give an array when it is repeated (the last one wins). */
export function queryValue(raw: unknown): string | null {
  const value: unknown = Array.isArray(raw) ? raw.at(-1) : raw;
  return typeof value === 'string' ? value : null;
}

export const IO_TASK_MS = 1000;

/** Waits IO_TASK_MS without blocking the event loop, as an awaited I/O call would. */
export async function ioTask(): Promise<{ path: '/io_task'; waited_ms: number }> {
  await sleep(IO_TASK_MS);
  return { path: '/io_task', waited_ms: IO_TASK_MS };
}

/** The fixed amount of work of /cpu_task: counting primes below this by trial division. */
export const CPU_TASK_LIMIT = 100_000;

/** Counts the primes below `limit` by trial division: deterministic, allocation-free CPU work. */
export function countPrimes(limit: number): number {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

/** Blocks the event loop for the same fixed computation on every call (tens of milliseconds). */
export function cpuTask(): { path: '/cpu_task'; primes_below: number; count: number } {
  return { path: '/cpu_task', primes_below: CPU_TASK_LIMIT, count: countPrimes(CPU_TASK_LIMIT) };
}

/** The statuses of /random_status: 200 twice as likely as each of the others. */
export const RANDOM_STATUSES = [200, 200, 300, 400, 500] as const;

export function randomStatus(random: Random = Math.random): {
  status: (typeof RANDOM_STATUSES)[number];
  body: { path: '/random_status'; status: number };
} {
  const index = Math.min(Math.floor(random() * RANDOM_STATUSES.length), RANDOM_STATUSES.length - 1);
  const status = RANDOM_STATUSES[index] ?? 200;
  return { status, body: { path: '/random_status', status } };
}

export const RANDOM_SLEEP_MAX_MS = 5000;

/** Waits a uniformly random 0..RANDOM_SLEEP_MAX_MS milliseconds without blocking. */
export async function randomSleep(
  random: Random = Math.random,
): Promise<{ path: '/random_sleep'; slept_ms: number }> {
  const ms = Math.min(Math.floor(random() * (RANDOM_SLEEP_MAX_MS + 1)), RANDOM_SLEEP_MAX_MS);
  await sleep(ms);
  return { path: '/random_sleep', slept_ms: ms };
}

export const ERROR_TEST_MESSAGE = 'error_test: deliberate unhandled error';

/** Throws: each adapter calls it inside its handler and leaves the error to its framework. */
export function errorTest(): never {
  throw new Error(ERROR_TEST_MESSAGE);
}
