// npm run native:start -- <service> [...] — starts stopped components of the running native lab again, like
// `docker compose start <service>`: the same command, environment, namespace and address `native:up` gave
// them (native/up.ts plans it), waits until each is ready and publishes its ports again. Output goes on
// appending to the same log file.
//
// Usage: node native/start.ts <service> [<service> ...]   (compose service names, e.g. jaeger-collector)
import { artifacts } from './build.ts';
import { loadCompose, type ComposeService } from '../verify/compose.ts';
import { readState } from './lib/state.ts';
import { formatDuration } from './lib/proc.ts';
import { isOurs, pidRecords } from './lib/processes.ts';
import { nativeServices } from './stop.ts';
import { describeCheck, planService, publish, startPlan, waitReady } from './up.ts';

/**
 * Starts each named component as `services` describes it: docker-compose.yaml's services, unless a caller (the
 * bench's cost phase) passes variants of them.
 */
export async function start(
  names: readonly string[],
  services: Readonly<Record<string, ComposeService>> = loadCompose().services,
): Promise<string[]> {
  const wanted = nativeServices(names);
  const state = readState();
  // native:up built them and recorded what was supplied; nothing is rebuilt or looked up again here
  const built = { ...artifacts(), ...state.supplied, skipped: state.skipped };
  const report: string[] = [];
  for (const name of wanted) {
    if (pidRecords().some((r) => r.name === name && isOurs(r))) {
      report.push(`${name} is already running`);
      continue;
    }
    const service = services[name];
    const address = state.addresses[name];
    const plan =
      service === undefined || address === undefined ? undefined : planService(service, address, built);
    if (plan === undefined)
      throw new Error(`${name}: the running lab has no address for it (restart the lab)`);
    const started = Date.now();
    const proc = startPlan(plan);
    await waitReady(plan, proc, started, new AbortController().signal);
    // A component that died on its own left its forwarders running: they reach it again as they are.
    const forwarding = pidRecords().some((r) => r.name.startsWith(`publish-${name}-`) && isOurs(r));
    const urls = forwarding ? [] : publish(plan);
    report.push(
      `✓ ${name} ready in ${formatDuration(Date.now() - started)} (${describeCheck(plan.ready)})` +
        (urls.length > 0 ? `, published on ${urls.join(' ')}` : ''),
    );
  }
  return report;
}

if (import.meta.main) {
  try {
    for (const line of await start(process.argv.slice(2))) console.log(`  ${line}`);
  } catch (err) {
    console.error(`✗ ${(err as Error).message}`);
    process.exit(1);
  }
}
