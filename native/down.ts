// npm run native:down — stops everything `native:up` started and leaves nothing running: the components
// and port forwarders (by the pids recorded in .native/pids/), anything else still inside the lab's network
// namespaces, then the namespaces, the bridge and their hosts files. Logs stay in .native/logs/.
//
// Usage: node native/down.ts [--volumes]   (--volumes also deletes the data in .native/data/, like `down -v`)
import { rmSync } from 'node:fs';
import { removeAllGroups } from './lib/cgroup.ts';
import { teardownNetwork } from './lib/netns.ts';
import { dataDir, genDir, logDir, stateFile } from './lib/paths.ts';
import { pidRecords, stopAll } from './lib/processes.ts';

export async function down(opts: { volumes: boolean; quiet?: boolean }): Promise<void> {
  const say = (line: string): void => {
    if (opts.quiet !== true) console.log(line);
  };
  const records = pidRecords();
  // Forwarders first (nothing new gets in), then the apps, the collector and the backends; every component
  // gets the grace period compose gives it (10 s) to flush and shut down.
  const forwarders = records.filter((r) => r.name.startsWith('publish-'));
  const components = records.filter((r) => !r.name.startsWith('publish-'));
  for (const line of await stopAll(forwarders, 2_000)) say(`  ${line}`);
  for (const line of await stopAll(components, 10_000)) say(`  ${line}`);
  for (const left of teardownNetwork()) say(`  killed leftover ${left}`);
  for (const busy of removeAllGroups())
    say(`  memory cgroup of ${busy} still holds processes: left in place`);
  rmSync(stateFile, { force: true });
  rmSync(genDir, { recursive: true, force: true });
  if (opts.volumes) {
    rmSync(dataDir, { recursive: true, force: true });
    say(`  removed ${dataDir}`);
  }
  say(`native lab down (logs kept in ${logDir})`);
}

if (import.meta.main) {
  try {
    await down({ volumes: process.argv.includes('--volumes') });
  } catch (err) {
    console.error(`✗ ${(err as Error).message}`);
    process.exit(1);
  }
}
