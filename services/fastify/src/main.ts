import {
  LISTEN_HOST,
  dropIdleConnectionsWhile,
  exitOnStartupError,
  installGracefulShutdown,
  loadConfig,
  startFaults,
} from '@lab/common';
import { SERVICE, buildApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = buildApp(config, { faults: startFaults(SERVICE, config.faultsFile) });
  await app.listen({ port: config.port, host: LISTEN_HOST });
  console.log(`${SERVICE}: listening on ${LISTEN_HOST}:${String(config.port)}`);
  // app.close() stops accepting, answers 503 to new requests on open connections and waits for those in flight.
  installGracefulShutdown({
    name: SERVICE,
    close: () => dropIdleConnectionsWhile(app.server, () => app.close()),
  });
}

main().catch((error: unknown) => exitOnStartupError(SERVICE, error));
