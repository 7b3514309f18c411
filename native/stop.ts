// npm run native:stop -- <service> [...] — stops components of the running native lab, like
// `docker compose stop <service>`: the process gets SIGTERM and compose's 10 s grace period, and its published
// ports close. Its namespace, address, data and log stay, so `npm run native:start -- <service>` brings it
// back. Used by the end-to-end fault and restart tests (a backend down for a while). With --kill the component
// gets SIGKILL at once, like `docker compose kill`: a crash, with no chance to flush.
//
// Usage: node native/stop.ts [--kill] <service> [<service> ...]   (compose service names, e.g. jaeger-collector)
import { existsSync } from 'node:fs';
import { loadCompose } from '../verify/compose.ts';
import { stateFile } from './lib/paths.ts';
import { isOurs, killAll, pidRecords, stopAll } from './lib/processes.ts';
import { recipeOf } from './lib/recipes.ts';

/** The names given, checked against compose and the native recipes; throws naming the first bad one. */
export function nativeServices(names: readonly string[]): string[] {
  if (names.length === 0) throw new Error('name at least one compose service');
  const known = Object.keys(loadCompose().services);
  for (const name of names) {
    if (!known.includes(name)) throw new Error(`${name}: not a service of docker-compose.yaml`);
    const recipe = recipeOf(name);
    if (recipe.kind === 'absent') throw new Error(`${name}: not in the native lab (${recipe.reason})`);
  }
  if (!existsSync(stateFile)) throw new Error('the native lab is not up: run `npm run native:up` first');
  return [...new Set(names)];
}

export async function stop(names: readonly string[], opts: { kill?: boolean } = {}): Promise<string[]> {
  const report: string[] = [];
  for (const name of nativeServices(names)) {
    const records = pidRecords();
    const component = records.filter((r) => r.name === name);
    if (!component.some(isOurs)) {
      report.push(`${name} is not running`);
      continue;
    }
    // Its forwarders first (nothing new gets in), then the component with compose's grace period.
    const forwarders = records.filter((r) => r.name.startsWith(`publish-${name}-`));
    report.push(
      ...(await stopAll(forwarders, 2_000)),
      ...(opts.kill === true ? await killAll(component) : await stopAll(component, 10_000)),
    );
  }
  return report;
}

if (import.meta.main) {
  try {
    const args = process.argv.slice(2);
    const kill = args.includes('--kill');
    for (const line of await stop(
      args.filter((a) => a !== '--kill'),
      { kill },
    ))
      console.log(`  ${line}`);
  } catch (err) {
    console.error(`✗ ${(err as Error).message}`);
    process.exit(1);
  }
}
