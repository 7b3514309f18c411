// One network namespace per compose service, so every component binds 0.0.0.0:<its port> as in a container
// and compose's host names (cassandra, jaeger-collector, tempo, ...) resolve, with the configs unchanged.
//
//   host: bridge spm-br0 10.89.0.1/24 ── veth ── namespace spm-<service>: eth0 10.89.0.<10+i>/24, lo
//
// Each namespace gets /etc/netns/spm-<service>/hosts, which `ip netns exec` bind-mounts over /etc/hosts.
// No default route and no NAT: a namespace reaches only its peers on the bridge and the host (10.89.0.1).
// The host reaches the namespaces directly; published ports are forwarded from 127.0.0.1 by socat (up.ts).
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { run } from './proc.ts';

export const BRIDGE = 'spm-br0';
/** A private /24 that only this lab uses (change here if it collides with a network of the machine). */
export const SUBNET_PREFIX = '10.89.0';
export const HOST_IP = `${SUBNET_PREFIX}.1`;
const NS_PREFIX = 'spm-';

export function nsName(service: string): string {
  return `${NS_PREFIX}${service}`;
}

export function addressPlan(services: readonly string[]): Map<string, string> {
  if (services.length > 200) throw new Error('too many services for one /24');
  return new Map(services.map((s, i) => [s, `${SUBNET_PREFIX}.${String(10 + i)}`]));
}

function ip(...args: string[]): string {
  return run('ip', args);
}

export function namespaces(): string[] {
  return run('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(NS_PREFIX));
}

/** Creates the bridge, one namespace per service, and the hosts files. Idempotent only after teardown. */
export function setupNetwork(plan: ReadonlyMap<string, string>): void {
  const routes = run('ip', ['-4', 'route', 'show', `${SUBNET_PREFIX}.0/24`]).trim();
  if (routes !== '' && !routes.includes(BRIDGE)) {
    throw new Error(
      `${SUBNET_PREFIX}.0/24 is already routed on this machine (${routes}); change SUBNET_PREFIX`,
    );
  }
  if (run('ip', ['link', 'show', BRIDGE], { allowFail: true }) === '') {
    ip('link', 'add', BRIDGE, 'type', 'bridge');
    ip('addr', 'add', `${HOST_IP}/24`, 'dev', BRIDGE);
  }
  ip('link', 'set', BRIDGE, 'up');
  const hosts = [...plan].map(([service, addr]) => `${addr}\t${service}`);
  let i = 0;
  for (const [service, addr] of plan) {
    const ns = nsName(service);
    const veth = `spm-h${String(i++)}`;
    if (!namespaces().includes(ns)) ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    if (run('ip', ['link', 'show', veth], { allowFail: true }) === '') {
      ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    }
    ip('link', 'set', veth, 'master', BRIDGE, 'up');
    ip('-n', ns, 'addr', 'replace', `${addr}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    const etc = path.join('/etc/netns', ns);
    mkdirSync(etc, { recursive: true });
    writeFileSync(
      path.join(etc, 'hosts'),
      [
        '# Written by native/up.ts: compose service names on the native lab bridge (removed by native:down).',
        '127.0.0.1\tlocalhost',
        '::1\tlocalhost ip6-localhost ip6-loopback',
        // The namespace shares the machine's host name (no UTS namespace); resolve it to this namespace,
        // as a container resolves its own host name, so JVMs and Go runtimes do not wait on DNS.
        `${addr}\t${hostname()}`,
        ...hosts,
        '',
      ].join('\n'),
    );
  }
}

/** Kills what still runs in the lab's namespaces, deletes them, the bridge and the hosts files. */
export function teardownNetwork(): string[] {
  const leftovers: string[] = [];
  for (const ns of namespaces()) {
    const pids = run('ip', ['netns', 'pids', ns], { allowFail: true }).split(/\s+/).filter(Boolean);
    for (const pid of pids) {
      leftovers.push(`${ns}: pid ${pid}`);
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    run('ip', ['netns', 'del', ns], { allowFail: true });
  }
  if (run('ip', ['link', 'show', BRIDGE], { allowFail: true }) !== '') run('ip', ['link', 'del', BRIDGE]);
  if (existsSync('/etc/netns')) {
    for (const entry of readdirSync('/etc/netns')) {
      if (entry.startsWith(NS_PREFIX))
        rmSync(path.join('/etc/netns', entry), { recursive: true, force: true });
    }
  }
  return leftovers;
}
