// verify from inside the compose network (`docker compose run --rm verify`): every component by its compose
// name and the port it listens on in its container, as the services reach one another, instead of the ports
// compose publishes on the host (lab.ts). docker-compose.yaml's verify tool sets VERIFY_IN_NETWORK=1; nothing
// else does, so `npm run verify` on the host keeps using the published ports.
import type { ComposeProject } from './compose.ts';
import { service } from './compose.ts';
import type { LabUrls } from './lab.ts';
import { labUrls } from './lab.ts';

export const IN_NETWORK_ENV = 'VERIFY_IN_NETWORK';

/** Whether verify runs inside the compose network: VERIFY_IN_NETWORK=1 (unset or empty: on the host). */
export function inNetwork(env: Record<string, string | undefined>): boolean {
  const value = env[IN_NETWORK_ENV] ?? '';
  if (value !== '' && value !== '1') throw new Error(`${IN_NETWORK_ENV}=${value}: must be 1 or unset`);
  return value === '1';
}

/** The lab's URLs inside the compose network, e.g. http://jaeger-query:16686. */
export function inNetworkUrls(project: ComposeProject): LabUrls {
  return labUrls(project, (p, name, port) => {
    service(p, name); // a name compose does not define would never resolve
    return `http://${name}:${String(port)}`;
  });
}
