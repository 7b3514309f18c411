// How each compose service runs natively. Everything else (command, environment, mounts, ports, health
// checks, start order) comes from docker-compose.yaml; this table only says which native program stands in
// for the image, and what the image itself contributes that compose does not show (its default command,
// its VOLUME and WORKDIR).
import { APP_SERVICES } from '../../verify/lab.ts';

export type Recipe =
  | {
      kind: 'binary';
      binary: BinaryName;
      /** The image's CMD, used when compose sets no `command:`. */
      imageCommand?: string[];
      /** The image's VOLUMEs: anonymous volumes under Docker, directories in .native/data here. */
      imageVolumes?: string[];
      imageWorkdir?: string;
      /**
       * Volumes the program finds by paths inside its config file (not on its command line): bind-mounted at their
       * container path in a private mount namespace, so the config file runs unchanged.
       */
      mountVolumes?: boolean;
      /** The image's own healthcheck target, when compose's test runs a program (e.g. `/tempo -health`). */
      readyPath?: string;
      /**
       * What the image has built in and the Go module lacks: the Jaeger UI. This flag, followed by the folder of
       * the UI build a user supplied (native/lib/supplied.ts), is added to the command line when there is one.
       */
      uiAssetsFlag?: string;
    }
  | { kind: 'cassandra' }
  | { kind: 'node'; imageWorkdir: string }
  | { kind: 'absent'; reason: string };

/** Built by native/build.ts (collector, jaeger, prometheus, alertmanager) or supplied by the user (tempo: native/lib/supplied.ts). */
export type BinaryName = 'collector' | 'jaeger' | 'prometheus' | 'alertmanager' | 'tempo';

export const recipes: Readonly<Record<string, Recipe>> = {
  cassandra: { kind: 'cassandra' },
  'jaeger-collector': { kind: 'binary', binary: 'jaeger' },
  // The jaegertracing/jaeger image embeds the Jaeger UI; a Jaeger built from the Go module serves a placeholder
  // page instead, so the real UI's build is served from its folder (jaeger_query's ui.assets_path), the config
  // file unchanged. --set is the collector's way to override one key on the command line.
  'jaeger-query': {
    kind: 'binary',
    binary: 'jaeger',
    uiAssetsFlag: '--set=extensions::jaeger_query::ui::assets_path=',
  },
  // config.yaml's file_storage/queue keeps the sending queues in /var/lib/otelcol/file_storage (compose's
  // otel-collector-queue volume): bind-mounted there from .native/data/otel-collector/, kept across restarts.
  'otel-collector': {
    kind: 'binary',
    binary: 'collector',
    imageCommand: ['--config', '/etc/otelcol-contrib/config.yaml'],
    mountVolumes: true,
  },
  prometheus: {
    kind: 'binary',
    binary: 'prometheus',
    // prom/prometheus: CMD, `VOLUME ["/prometheus"]` and `WORKDIR /prometheus`.
    imageCommand: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus'],
    imageVolumes: ['/prometheus'],
    imageWorkdir: '/prometheus',
  },
  // prom/alertmanager: `VOLUME ["/alertmanager"]` and `WORKDIR /alertmanager` (compose's command is used).
  alertmanager: {
    kind: 'binary',
    binary: 'alertmanager',
    imageVolumes: ['/alertmanager'],
    imageWorkdir: '/alertmanager',
  },
  // The service images copy the repository to /app and start in /app/services/<name> (plan: WORKDIR).
  ...Object.fromEntries(APP_SERVICES.map((s) => [s, { kind: 'node', imageWorkdir: `/app/services/${s}` }])),
  // grafana/tempo: ENTRYPOINT /tempo, here the release binary a user supplies (TEMPO_BINARY; never built: AGPL);
  // tempo.yaml keeps its data under /var/tempo (compose's tempo-data volume).
  // `/tempo -health` (compose's healthcheck) asks Tempo's own /ready.
  tempo: { kind: 'binary', binary: 'tempo', mountVolumes: true, readyPath: '/ready' },
  grafana: { kind: 'absent', reason: 'Grafana is AGPL and no reachable registry serves it' },
  // The System Architecture job is published only as images (ghcr.io), not to Maven Central.
  'jaeger-dependencies': {
    kind: 'absent',
    reason:
      'jaegertracing/spark-dependencies is published only as an image, no reachable registry serves it: ' +
      'test/e2e/8-dependencies.test.ts writes the links it would write and reads them back through jaeger-query',
  },
  // docker-compose.yaml's tools (profile tools): not lab components, run on demand. They still get a namespace
  // on the lab's network, like a `docker compose run` container, where test/e2e/7-compose-tools.test.ts runs them.
  verify: {
    kind: 'absent',
    reason: 'a tool, not a component: `npm run verify` (or `docker compose run --rm verify`)',
  },
  fault: {
    kind: 'absent',
    reason: 'a tool, not a component: `npm run fault` (or `docker compose run --rm fault`)',
  },
  k6: {
    kind: 'absent',
    reason: "k6's Go module is AGPL, refused by the proxy policy: drive load with `npm run native:load`",
  },
};

/** Where the service images keep the repository (the `/app` of /app/services/<name>). */
export const IMAGE_APP_ROOT = '/app';

export function recipeOf(service: string): Recipe {
  return (
    recipes[service] ?? {
      kind: 'absent',
      reason: 'no native recipe for this compose service (native/lib/recipes.ts)',
    }
  );
}
