// npm run native:load — the lab's load without k6 (k6 cannot be built here): replays k6/plan.ts, the plan
// k6/load.ts runs in the compose lab, with the same knobs from the k6 service's environment in
// docker-compose.yaml (K6_VUS, K6_DURATION, PAUSE_SECONDS, TARGETS). Targets keep their compose host names
// in the plan (span names, the `service` of each request); the requests go to those services' native-lab
// namespace addresses, so the native lab must be up. Nothing else is ever contacted.
//
// Usage: node native/load.ts [--duration 2m] [--loops N] [--vus N] [--pause 0.5]
//   Always bounded: it stops after --duration (default compose's K6_DURATION) or --loops per VU, first reached.
//   Exit code 1 when a request failed or answered a status its route never answers by design.
import { parseArgs } from 'node:util';
import { parsePauseSeconds, parseTargets, planLoop, serviceOf, type PlannedRequest } from '../k6/plan.ts';
import { formatDuration, parseDuration } from '../verify/duration.ts';
import { loadCompose } from '../verify/compose.ts';
import { readState } from './lib/state.ts';

const REQUEST_TIMEOUT_MS = 60_000; // k6's default per-request timeout

interface Stat {
  count: number;
  unexpected: number;
  statuses: Map<string, number>;
  durations: number[];
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
}

/** The native lab's address of each compose host name (written by native:up). */
function labAddresses(): Map<string, string> {
  return new Map(Object.entries(readState().addresses));
}

/** http://fastify:8000/x -> http://10.89.0.x:8000/x; refuses any host that is not a service of the lab. */
function toLab(url: string, addresses: ReadonlyMap<string, string>): string {
  const u = new URL(url);
  const address = addresses.get(u.hostname);
  if (address === undefined)
    throw new Error(`${u.hostname} is not a service of the native lab; refusing to send load`);
  u.hostname = address;
  return u.toString();
}

export async function load(opts: {
  durationMs: number;
  loops: number;
  vus: number;
  pauseSeconds: number;
  targets: readonly string[];
}): Promise<boolean> {
  const addresses = labAddresses();
  for (const t of opts.targets) toLab(t, addresses); // fail before sending anything
  const stats = new Map<string, Stat>();
  const record = (req: PlannedRequest, status: string, ok: boolean, ms: number): void => {
    const key = `${req.service} ${req.name}`;
    const s = stats.get(key) ?? {
      count: 0,
      unexpected: 0,
      statuses: new Map<string, number>(),
      durations: [],
    };
    s.count += 1;
    if (!ok) s.unexpected += 1;
    s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
    s.durations.push(ms);
    stats.set(key, s);
  };
  const started = Date.now();
  const deadline = started + opts.durationMs;
  let iteration = 0; // shared, like k6's iterationInTest
  let lastReport = started;
  const vu = async (): Promise<void> => {
    for (let done = 0; done < opts.loops && Date.now() < deadline; done += 1) {
      for (const req of planLoop(opts.targets, iteration++)) {
        if (Date.now() >= deadline) return;
        const t = performance.now();
        try {
          const res = await fetch(toLab(req.url, addresses), {
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          await res.arrayBuffer();
          record(req, String(res.status), req.expectedStatuses.includes(res.status), performance.now() - t);
        } catch (err) {
          record(req, (err as Error).name, false, performance.now() - t);
        }
      }
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        const total = [...stats.values()].reduce((n, s) => n + s.count, 0);
        console.log(`  ${formatDuration(Date.now() - started)}: ${String(total)} requests`);
      }
      await new Promise((resolve) => setTimeout(resolve, opts.pauseSeconds * 1000));
    }
  };
  console.log(
    `load: ${String(opts.vus)} VU(s), up to ${formatDuration(opts.durationMs)}` +
      `${Number.isFinite(opts.loops) ? ` or ${String(opts.loops)} loop(s) per VU` : ''}, ` +
      `pause ${String(opts.pauseSeconds)}s, targets ${opts.targets.map(serviceOf).join(', ')}`,
  );
  await Promise.all(Array.from({ length: opts.vus }, vu));

  let failed = 0;
  console.log(
    `\n${'REQUEST'.padEnd(34)} ${'COUNT'.padStart(5)}  ${'P50'.padStart(7)} ${'P95'.padStart(7)}  STATUSES`,
  );
  for (const [key, s] of [...stats].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...s.durations].sort((a, b) => a - b);
    const statuses = [...s.statuses].map(([k, v]) => `${k}×${String(v)}`).join(' ');
    console.log(
      `${key.padEnd(34)} ${String(s.count).padStart(5)}  ${formatDuration(quantile(sorted, 0.5)).padStart(7)} ` +
        `${formatDuration(quantile(sorted, 0.95)).padStart(7)}  ${statuses}${s.unexpected > 0 ? `  ✗ ${String(s.unexpected)} unexpected` : ''}`,
    );
    failed += s.unexpected;
  }
  const total = [...stats.values()].reduce((n, s) => n + s.count, 0);
  console.log(
    `\n${String(total)} requests in ${formatDuration(Date.now() - started)}, ${String(failed)} unexpected`,
  );
  return failed === 0;
}

if (import.meta.main) {
  try {
    const { values } = parseArgs({
      options: {
        duration: { type: 'string' },
        loops: { type: 'string' },
        vus: { type: 'string' },
        pause: { type: 'string' },
      },
    });
    const k6 = loadCompose().services.k6?.environment ?? {};
    const durationMs = parseDuration(values.duration ?? k6.K6_DURATION ?? '100m');
    const loops = values.loops === undefined ? Infinity : Number(values.loops);
    const vus = Number(values.vus ?? k6.K6_VUS ?? '1');
    if (!(loops >= 1) || !Number.isInteger(vus) || vus < 1 || vus > 50) {
      throw new Error('--loops must be >= 1 and --vus an integer from 1 to 50');
    }
    const ok = await load({
      durationMs,
      loops,
      vus,
      pauseSeconds: parsePauseSeconds(values.pause ?? k6.PAUSE_SECONDS),
      targets: parseTargets(k6.TARGETS),
    });
    process.exit(ok ? 0 : 1);
  } catch (err) {
    console.error(`✗ ${(err as Error).message}`);
    process.exit(2);
  }
}
