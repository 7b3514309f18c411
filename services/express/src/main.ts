import {
  LISTEN_HOST,
  closeHttpServer,
  exitOnStartupError,
  installGracefulShutdown,
  loadConfig,
  startFaults,
} from '@lab/common';
import { SERVICE, buildApp } from './app';

function main(): void {
  const config = loadConfig();
  const faults = startFaults(SERVICE, config.faultsFile);
  const server = buildApp(config, { faults }).listen(config.port, LISTEN_HOST, (error?: Error) => {
    if (error) exitOnStartupError(SERVICE, error);
    console.log(`${SERVICE}: listening on ${LISTEN_HOST}:${String(config.port)}`);
    installGracefulShutdown({ name: SERVICE, close: () => closeHttpServer(server) });
  });
}

try {
  main();
} catch (error) {
  exitOnStartupError(SERVICE, error);
}
