// The machine a run measured: printed first and written at the top of BENCHMARKS.md, since every figure
// depends on it (2 cores shared by the lab and the load generators).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { pin } from '../../native/lib/env.ts';

export interface Machine {
  cpu: string;
  cores: number;
  memoryBytes: number;
  kernel: string;
  os: string;
  node: string;
  go: string;
  java: string;
  /** The lab's pinned component versions (.env). */
  lab: string;
}

function firstLine(cmd: string, args: readonly string[]): string {
  const res = spawnSync(cmd, args, { encoding: 'utf8' });
  if (res.error !== undefined) return `not found (${cmd})`;
  return `${res.stdout}${res.stderr}`.trim().split('\n')[0] ?? '';
}

export function describeMachine(): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  const pins = [
    'OTELCOL_VERSION',
    'JAEGER_VERSION',
    'CASSANDRA_VERSION',
    'TEMPO_VERSION',
    'PROMETHEUS_VERSION',
  ];
  return {
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    kernel: `${os.type()} ${os.release()} ${os.machine()}`,
    os: /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(osRelease)?.[1] ?? 'unknown',
    node: process.version,
    go: firstLine('go', ['version']).replace(/^go version /, ''),
    java: firstLine('java', ['-version']),
    lab: pins.map((p) => `${p.replace('_VERSION', '').toLowerCase()} ${pin(p)}`).join(', '),
  };
}

export function machineLines(m: Machine): [string, string][] {
  return [
    ['CPU', `${m.cpu}, ${String(m.cores)} cores`],
    ['Memory', `${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB`],
    ['Kernel', m.kernel],
    ['OS', m.os],
    ['Node', m.node],
    ['Go', m.go],
    ['Java', m.java],
    ['Lab', m.lab],
  ];
}
