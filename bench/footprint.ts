// Footprint: resident memory of every lab process from /proc while a load runs, sampled every 2 s. RSS
// counts every page a process maps (the three Node services each count the shared node binary); PSS divides
// shared pages among the processes sharing them, so the lab's PSS adds up to what it really occupies.
// CPU: each process's user+system time over the window, as cores (1.0 = one core busy all the time).
import { labProcesses, readProc, type ProcSample } from './lib/lab.ts';
import { quantile } from './lib/stats.ts';

export const SAMPLE_MS = 2000;

export interface ComponentFootprint {
  name: string;
  processes: number;
  rssP50: number;
  rssMax: number;
  pssP50: number;
  pssMax: number;
  cpuCores: number;
}

export interface Footprint {
  label: string;
  samples: number;
  windowMs: number;
  components: ComponentFootprint[];
  /** The whole lab (every component and port forwarder), summed per sample. */
  total: ComponentFootprint;
  /** Processes measured alongside but not part of the lab (the load generator). */
  outside: ComponentFootprint[];
}

/** Port forwarders (publish-<service>-<port>) are one group; every other pid record is a component. */
export function componentOf(recordName: string): string {
  return recordName.startsWith('publish-') ? 'port forwarders (socat)' : recordName;
}

interface Series {
  rss: number[];
  pss: number[];
  pids: Set<number>;
  cpuFirst: Map<number, number>;
  cpuLast: Map<number, number>;
}

export interface Sampler {
  stop: () => Footprint;
}

export function startSampler(label: string, outside: readonly { name: string; pid: number }[]): Sampler {
  const lab = new Map<string, Series>();
  const other = new Map<string, Series>();
  const totals = { rss: [] as number[], pss: [] as number[] };
  const started = performance.now();
  let samples = 0;
  const add = (
    into: Map<string, Series>,
    name: string,
    pid: number,
    s: ProcSample,
    sums: Map<string, [number, number]>,
  ): void => {
    const series = into.get(name) ?? {
      rss: [],
      pss: [],
      pids: new Set(),
      cpuFirst: new Map(),
      cpuLast: new Map(),
    };
    into.set(name, series);
    series.pids.add(pid);
    if (!series.cpuFirst.has(pid)) series.cpuFirst.set(pid, s.cpuSeconds);
    series.cpuLast.set(pid, s.cpuSeconds);
    const [rss, pss] = sums.get(name) ?? [0, 0];
    sums.set(name, [rss + s.rss, pss + s.pss]);
  };
  const tick = (): void => {
    samples += 1;
    const labSums = new Map<string, [number, number]>();
    for (const p of labProcesses()) {
      const s = readProc(p.pid);
      if (s !== undefined) add(lab, componentOf(p.name), p.pid, s, labSums);
    }
    const otherSums = new Map<string, [number, number]>();
    for (const p of outside) {
      const s = readProc(p.pid);
      if (s !== undefined) add(other, p.name, p.pid, s, otherSums);
    }
    for (const [into, sums] of [
      [lab, labSums],
      [other, otherSums],
    ] as const) {
      for (const [name, [rss, pss]] of sums) {
        into.get(name)?.rss.push(rss);
        into.get(name)?.pss.push(pss);
      }
    }
    let rss = 0;
    let pss = 0;
    for (const [r, p] of labSums.values()) {
      rss += r;
      pss += p;
    }
    totals.rss.push(rss);
    totals.pss.push(pss);
  };
  tick();
  const timer = setInterval(tick, SAMPLE_MS);
  return {
    stop: () => {
      clearInterval(timer);
      tick();
      const windowMs = performance.now() - started;
      const summarise = (name: string, s: Series): ComponentFootprint => {
        let cpu = 0;
        for (const [pid, first] of s.cpuFirst) cpu += (s.cpuLast.get(pid) ?? first) - first;
        return {
          name,
          processes: s.pids.size,
          rssP50: quantile(s.rss, 0.5),
          rssMax: Math.max(...s.rss),
          pssP50: quantile(s.pss, 0.5),
          pssMax: Math.max(...s.pss),
          cpuCores: cpu / (windowMs / 1000),
        };
      };
      const components = [...lab].map(([name, s]) => summarise(name, s)).sort((a, b) => b.pssMax - a.pssMax);
      return {
        label,
        samples,
        windowMs,
        components,
        total: {
          name: 'whole lab',
          processes: components.reduce((n, c) => n + c.processes, 0),
          rssP50: quantile(totals.rss, 0.5),
          rssMax: Math.max(...totals.rss),
          pssP50: quantile(totals.pss, 0.5),
          pssMax: Math.max(...totals.pss),
          cpuCores: components.reduce((n, c) => n + c.cpuCores, 0),
        },
        outside: [...other].map(([name, s]) => summarise(name, s)),
      };
    },
  };
}
