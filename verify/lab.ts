// The lab as docker-compose.yaml describes it: the app services (one list for every tool) and the host
// ports compose publishes. Tools read ports from the compose file instead of repeating them, so the native
// lab, the tests, bench and verify always talk to the addresses a learner gets from `docker compose up`.
import type { ComposeProject } from './compose.ts';
import { loadCompose, service } from './compose.ts';

/** The three instrumented services, in the order the lab presents them. */
export const APP_SERVICES = ['fastify', 'nestjs', 'express'] as const;
export type AppService = (typeof APP_SERVICES)[number];

export function isAppService(name: string): name is AppService {
  return (APP_SERVICES as readonly string[]).includes(name);
}

/** Container ports of the backends whose published host port the tools need (compose service -> port). */
export const BACKEND_PORTS = {
  'jaeger-query': 16686, // UI and HTTP API, incl. the Monitor tab's /api/metrics
  'jaeger-collector': 13133, // health (/status): nothing else of it is reachable from the host
  prometheus: 9090,
  alertmanager: 9093, // UI and API (/api/v2/alerts)
  tempo: 3200, // HTTP API
  'otel-collector': 8889, // span metrics and service graph (prometheus exporter)
  grafana: 3000,
} as const;
export type Backend = keyof typeof BACKEND_PORTS;

export interface LabUrls {
  apps: Record<AppService, string>;
  jaegerQuery: string;
  jaegerCollectorHealth: string;
  prometheus: string;
  alertmanager: string;
  tempo: string;
  collectorMetrics: string;
  grafana: string;
}

/** The host URL of a published container port, e.g. http://127.0.0.1:16686. */
export function publishedUrl(project: ComposeProject, name: string, target: number): string {
  const port = service(project, name).ports.find((p) => p.target === target && p.protocol === 'tcp');
  if (!port)
    throw new Error(`${project.file}: service "${name}" does not publish container port ${String(target)}`);
  const host = port.hostIp === '' || port.hostIp === '0.0.0.0' ? '127.0.0.1' : port.hostIp;
  return `http://${host.includes(':') ? `[${host}]` : host}:${String(port.published)}`;
}

/** The port an app service listens on inside its container: its PORT variable. */
export function appPort(project: ComposeProject, name: AppService): number {
  const value = service(project, name).environment.PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0)
    throw new Error(`${project.file}: services.${name}: PORT is "${String(value)}"`);
  return port;
}

/** How a tool reaches a container port of a compose service (publishedUrl from the host; see in-network.ts). */
export type UrlOf = (project: ComposeProject, name: string, target: number) => string;

export function labUrls(project: ComposeProject = loadCompose(), urlOf: UrlOf = publishedUrl): LabUrls {
  const apps = Object.fromEntries(
    APP_SERVICES.map((name) => [name, urlOf(project, name, appPort(project, name))]),
  ) as Record<AppService, string>;
  const backend = (name: Backend): string => urlOf(project, name, BACKEND_PORTS[name]);
  return {
    apps,
    jaegerQuery: backend('jaeger-query'),
    jaegerCollectorHealth: backend('jaeger-collector'),
    prometheus: backend('prometheus'),
    alertmanager: backend('alertmanager'),
    tempo: backend('tempo'),
    collectorMetrics: backend('otel-collector'),
    grafana: backend('grafana'),
  };
}

/** Which services `/chain` of a service calls (TARGET_ONE_SVC, TARGET_TWO_SVC), by compose host name. */
export function chainTargets(project: ComposeProject, name: AppService): AppService[] {
  const env = service(project, name).environment;
  return ['TARGET_ONE_SVC', 'TARGET_TWO_SVC'].map((key) => {
    const value = env[key];
    const host = value === undefined ? undefined : URL.parse(value)?.hostname;
    if (host === undefined || !isAppService(host)) {
      throw new Error(
        `${project.file}: services.${name}: ${key} is "${String(value)}", not an app service URL`,
      );
    }
    return host;
  });
}
