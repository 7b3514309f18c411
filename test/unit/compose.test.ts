// Static checks of docker-compose.yaml and .env: no Docker engine needed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import {
  COMPOSE_FILE,
  loadCompose,
  type RawService,
  readDotEnv,
  REPO_ROOT,
  variableReferences,
} from '../../verify/compose.ts';

const lab = loadCompose(COMPOSE_FILE, {}, { strict: true });
const { raw, doc: compose } = lab;
const env = readDotEnv();
const publishedPorts = Object.values(lab.services).flatMap((s) =>
  s.ports.map((p) => ({ service: s.name, hostIp: p.hostIp, hostPort: p.published, containerPort: p.target })),
);
const services = Object.entries(compose.services);
/** What `docker compose up` starts: every service without a profile (the tools have one). */
const labServices = services.filter(([, service]) => service.profiles === undefined);

const APP_SERVICES = ['fastify', 'nestjs', 'express'] as const;
/** The plan's host ports (team plan, issue 3): the only ones published, all on 127.0.0.1. */
const EXPECTED_HOST_PORTS: Record<string, number[]> = {
  grafana: [3000],
  'jaeger-query': [16686],
  'jaeger-collector': [13133],
  prometheus: [9090],
  alertmanager: [9093],
  tempo: [3200],
  'otel-collector': [8889],
  fastify: [8000],
  nestjs: [8080],
  express: [3001],
};
/** What README asks of a laptop (about 4.6 GiB): the sum of every container's limit (jaeger-dependencies' 1 GiB). */
const MEMORY_BUDGET = 4.6 * 1024 ** 3;
/**
 * Bind mounts that a container writes to (source -> the one service that may); every other one is read-only.
 * Only the fault tool's: a host folder keeps the host's owner, which no long-running container user can be known
 * to match (see compose-state.test.ts); the one-shot tool runs as root and only replaces one small file.
 */
/** The only folders a container may write: the fault tool's state, and Grafana's state (data/, issue 22). */
const WRITABLE_BIND_MOUNTS = new Map([
  ['./faults/state', 'fault'],
  ['./data', 'grafana'],
]);

function bindMounts(service: RawService): { source: string; target: string; readOnly: boolean }[] {
  return (service.volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'string') {
      const [source = '', target = '', mode = ''] = volume.split(':');
      return source.startsWith('.') || source.startsWith('/')
        ? [{ source, target, readOnly: mode.split(',').includes('ro') }]
        : [];
    }
    return volume.type === 'bind' && volume.source !== undefined
      ? [{ source: volume.source, target: volume.target, readOnly: volume.read_only === true }]
      : [];
  });
}

function healthcheckCommand(service: RawService): string[] {
  const test = service.healthcheck?.test;
  return typeof test === 'string' ? ['CMD-SHELL', test] : (test ?? []);
}

/** Builds test/compose-config (compose-go, the loader inside `docker compose`) once, cached by its sources. */
function composeConfigBinary(): string {
  const source = join(REPO_ROOT, 'test', 'compose-config');
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) {
    hash.update(readFileSync(join(source, file)));
  }
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  const dir = join(cache, 'otel-spm-lab', `compose-config-${hash.digest('hex').slice(0, 12)}`);
  const binary = join(dir, 'compose-config');
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    const build = spawnSync('go', ['build', '-o', binary, '.'], { cwd: source, encoding: 'utf8' });
    if (build.error !== undefined || build.status !== 0) {
      throw new Error(
        `building test/compose-config needs Go (as the native lab does): ${build.error?.message ?? build.stderr}`,
      );
    }
  }
  return binary;
}

describe('docker-compose.yaml', () => {
  test('loads with compose-go (compose-spec schema, .env interpolation, consistency checks) without warnings', () => {
    const load = (...args: string[]): Record<string, { image?: string }> => {
      const result = spawnSync(composeConfigBinary(), [...args, COMPOSE_FILE], { encoding: 'utf8' });
      assert.equal(result.status, 0, `compose-go refused docker-compose.yaml:\n${result.stderr}`);
      assert.doesNotMatch(result.stderr, /level=warning/, 'compose-go warned (an unset variable?)');
      return (JSON.parse(result.stdout) as { services: Record<string, { image?: string }> }).services;
    };
    // `docker compose up` starts the lab without the tools; `--profile tools` (or `run <tool>`) adds them.
    assert.deepEqual(Object.keys(load()).sort(), labServices.map(([name]) => name).sort());
    assert.ok(labServices.length < services.length, 'the tools have a profile');
    const all = load('--profile', 'tools');
    assert.deepEqual(Object.keys(all).sort(), Object.keys(compose.services).sort());
    for (const [name, service] of Object.entries(all)) {
      if (service.image !== undefined && compose.services[name]?.build === undefined) {
        assert.match(
          service.image,
          /^[a-z0-9./-]+:[A-Za-z0-9._-]+$/,
          `${name}: resolved image ${service.image}`,
        );
      }
    }
  });

  test('every image is pinned through .env, never `latest`', () => {
    for (const [name, service] of Object.entries(raw.services)) {
      if (service.image === undefined) {
        assert.ok(service.build, `${name} has neither image nor build`);
        continue;
      }
      // A variant suffix of the same release is allowed (grafana's `-ubuntu`: docker-compose.yaml says why).
      const match = /^[a-z0-9./-]+:\$\{([A-Z0-9_]+)\}(-[a-z]+)?$/.exec(service.image);
      assert.ok(
        match?.[1],
        `${name}: image "${service.image}" must be <name>:\${VERSION_FROM_ENV}[-variant]`,
      );
      const version = env[match[1]];
      assert.ok(version, `${name}: ${match[1]} is not set in .env`);
      assert.notEqual(version, 'latest', `${name}: ${match[1]} is latest`);
    }
  });

  test('every Dockerfile it builds takes its base images from .env through build args', () => {
    for (const [name, service] of Object.entries(raw.services)) {
      if (service.build === undefined) {
        continue;
      }
      const dockerfile = join(REPO_ROOT, service.build.context, service.build.dockerfile ?? 'Dockerfile');
      assert.ok(existsSync(dockerfile), `${name}: ${dockerfile} does not exist`);
      const args = service.build.args ?? {};
      for (const [arg, value] of Object.entries(args)) {
        const references = variableReferences(value);
        assert.equal(references.length, 1, `${name}: build arg ${arg} must be one .env variable`);
        assert.ok(env[references[0]?.name ?? ''], `${name}: build arg ${arg}: ${value} is not set in .env`);
      }
      const stages = new Set<string>();
      for (const line of readFileSync(dockerfile, 'utf8').split('\n')) {
        const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line.trim());
        if (from?.[1] === undefined) {
          continue;
        }
        const image = from[1];
        if (!stages.has(image)) {
          const used = variableReferences(image).map((reference) => reference.name);
          assert.ok(used.length > 0, `${name}: FROM ${image} is not pinned through a build arg`);
          for (const arg of used) {
            assert.ok(arg in args, `${name}: FROM ${image} uses ${arg}, which compose does not pass`);
          }
          assert.doesNotMatch(image, /:latest$/, `${name}: FROM ${image}`);
        }
        if (from[2] !== undefined) {
          stages.add(from[2]);
        }
      }
    }
  });

  test('every variable it uses is set in .env, and every default it writes equals .env', () => {
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    for (const line of text.split('\n')) {
      if (line.trimStart().startsWith('#')) {
        continue;
      }
      for (const reference of variableReferences(line.replace(/#.*$/, ''))) {
        const value = env[reference.name];
        assert.ok(
          value !== undefined,
          `${reference.name} is used in docker-compose.yaml but not set in .env`,
        );
        if (reference.fallback !== undefined) {
          assert.equal(reference.fallback, value, `\${${reference.name}:-…} default differs from .env`);
        }
      }
    }
  });

  test('publishes exactly the planned ports, all on 127.0.0.1', () => {
    const ports = publishedPorts;
    for (const port of ports) {
      assert.equal(
        port.hostIp,
        '127.0.0.1',
        `${port.service}:${String(port.hostPort)} is not bound to 127.0.0.1`,
      );
    }
    const byService: Record<string, number[]> = {};
    for (const port of ports) {
      (byService[port.service] ??= []).push(port.hostPort);
    }
    assert.deepEqual(byService, EXPECTED_HOST_PORTS);
  });

  test('every container `up` starts has a healthcheck in exec form and a memory limit; all fit in 4.6 GiB', () => {
    let total = 0;
    for (const [name, service] of labServices) {
      const command = healthcheckCommand(service);
      assert.equal(
        command[0],
        'CMD',
        `${name}: healthcheck must be exec form (several images have no shell)`,
      );
      assert.ok(command.length > 1, `${name}: empty healthcheck`);
      assert.notEqual(service.healthcheck?.disable, true, `${name}: healthcheck disabled`);
      const limit = lab.services[name]?.memoryLimitBytes;
      assert.ok(limit !== undefined && limit > 0, `${name}: no memory limit`);
      total += limit;
    }
    assert.ok(
      total <= MEMORY_BUDGET,
      `memory limits add up to ${String(total / 1024 ** 2)} MiB > ${String(MEMORY_BUDGET / 1024 ** 2)} MiB`,
    );
  });

  test("the services' healthchecks are TCP connects, so they create no spans", () => {
    for (const name of APP_SERVICES) {
      const command = healthcheckCommand(compose.services[name] ?? {}).join(' ');
      assert.match(command, /^CMD node -e .*require\('net'\)\.connect\(/, `${name}: ${command}`);
      assert.doesNotMatch(command, /http/i, `${name}: healthcheck must not speak HTTP`);
    }
  });

  test('depends_on is long form, with valid conditions on services that can meet them', () => {
    for (const [name, service] of Object.entries(raw.services)) {
      if (service.depends_on === undefined) {
        continue;
      }
      assert.ok(
        !Array.isArray(service.depends_on),
        `${name}: depends_on must be the long form with a condition`,
      );
      for (const [target, dependency] of Object.entries(service.depends_on)) {
        const targetService = compose.services[target];
        assert.ok(targetService, `${name} depends on unknown service ${target}`);
        assert.ok(
          dependency.condition === 'service_healthy' ||
            dependency.condition === 'service_completed_successfully',
          `${name} -> ${target}: condition ${String(dependency.condition)}`,
        );
        if (dependency.condition === 'service_healthy') {
          assert.ok(
            targetService.healthcheck?.test,
            `${name} waits for ${target} to be healthy, which has no check`,
          );
        }
      }
    }
  });

  test('every file it mounts or builds from exists; configs are mounted read-only', () => {
    for (const [name, service] of services) {
      for (const mount of bindMounts(service)) {
        assert.ok(existsSync(join(REPO_ROOT, mount.source)), `${name}: ${mount.source} does not exist`);
        if (WRITABLE_BIND_MOUNTS.get(mount.source) !== name) {
          assert.ok(mount.readOnly, `${name}: ${mount.source} must be mounted :ro`);
        }
      }
      if (service.build !== undefined) {
        assert.ok(statSync(join(REPO_ROOT, service.build.context)).isDirectory(), `${name}: build context`);
      }
    }
  });

  test('the services run exactly as the service contract says (command, OTEL env, ports, chain targets)', () => {
    const otelEnv = raw['x-otel-env'] as Record<string, string>;
    const chain: Record<string, [string, string]> = {
      fastify: ['nestjs', 'express'],
      nestjs: ['express', 'fastify'],
      express: ['fastify', 'nestjs'],
    };
    const ports = new Map(publishedPorts.map((port) => [port.service, port.containerPort]));
    const internalUrl = (service: string): string =>
      `http://${service}:${lab.services[service]?.environment.PORT ?? '?'}`;
    for (const name of APP_SERVICES) {
      const service = compose.services[name] ?? {};
      const serviceEnv = lab.services[name]?.environment ?? {};
      for (const [key, value] of Object.entries(otelEnv)) {
        assert.equal(serviceEnv[key], value, `${name}: ${key}`);
      }
      assert.equal(serviceEnv['OTEL_SERVICE_NAME'], name);
      assert.equal(serviceEnv['OTEL_EXPORTER_OTLP_ENDPOINT'], 'http://otel-collector:4318');
      assert.equal(
        serviceEnv['OTEL_EXPORTER_OTLP_PROTOCOL'],
        'http/protobuf',
        'the JS exporter retries over HTTP only',
      );
      assert.equal(serviceEnv['OTEL_METRICS_EXPORTER'], 'none');
      assert.equal(serviceEnv['OTEL_LOGS_EXPORTER'], 'none');
      assert.equal(
        serviceEnv['PORT'],
        String(ports.get(name)),
        `${name}: PORT is the published container port`,
      );
      const [one, two] = chain[name] ?? [];
      assert.equal(serviceEnv['TARGET_ONE_SVC'], internalUrl(one ?? ''));
      assert.equal(serviceEnv['TARGET_TWO_SVC'], internalUrl(two ?? ''));
      assert.match(serviceEnv['CHAIN_TIMEOUT_MS'] ?? '', /^\d+$/);
      const preload = [
        'node',
        '--max-old-space-size=96',
        '--require',
        '@opentelemetry/auto-instrumentations-node/register',
      ];
      const expected =
        name === 'fastify'
          ? [...preload, '--require', './dist/otel/fastify-otel.js', 'dist/main.js']
          : [...preload, 'dist/main.js'];
      assert.deepEqual(service.command, expected, `${name}: command`);
      assert.equal(service.build?.target, name, `${name}: build target`);
      assert.equal(service.build.dockerfile, 'services/Dockerfile');
      assert.equal(
        serviceEnv['NODE_OPTIONS'],
        undefined,
        `${name}: NODE_OPTIONS would instrument the healthcheck`,
      );
    }
  });

  test('k6 loads all three services, runs once and waits for them to be healthy', () => {
    const k6 = compose.services.k6 ?? {};
    const k6Env = lab.services.k6?.environment ?? {};
    const targets = APP_SERVICES.map(
      (name) => `http://${name}:${lab.services[name]?.environment.PORT ?? '?'}`,
    );
    assert.equal(k6Env['TARGETS'], targets.join(','));
    assert.equal(
      k6.restart,
      'no',
      'k6 must not restart after its run (`docker compose start k6` replays it)',
    );
    assert.deepEqual(k6.command, ['run', '/scripts/load.ts']);
    assert.deepEqual(Object.keys(raw.services.k6?.depends_on ?? {}).sort(), [...APP_SERVICES].sort());
    assert.match(k6Env['K6_ADDRESS'] ?? '', /^127\.0\.0\.1:\d+$/, 'k6 REST API for the healthcheck');
    assert.ok(healthcheckCommand(k6).some((part) => part.includes(k6Env['K6_ADDRESS'] ?? '-')));
  });

  test('backends agree with their config files (schema owner, keyspace datacenter, exemplar storage)', () => {
    const cassandraEnv = lab.services.cassandra?.environment ?? {};
    assert.equal(cassandraEnv['CASSANDRA_DC'], 'dc1');
    assert.equal(cassandraEnv['CASSANDRA_ENDPOINT_SNITCH'], 'GossipingPropertyFileSnitch');
    assert.ok(
      cassandraEnv['MAX_HEAP_SIZE'] && cassandraEnv['HEAP_NEWSIZE'],
      'Cassandra needs both heap sizes',
    );
    const queryDependsOn = raw.services['jaeger-query']?.depends_on;
    assert.ok(
      queryDependsOn !== undefined && !Array.isArray(queryDependsOn),
      'jaeger-query must wait for jaeger-collector, which creates the schema',
    );
    assert.equal(queryDependsOn['jaeger-collector']?.condition, 'service_healthy');
    const prometheusCommand = compose.services.prometheus?.command ?? [];
    assert.ok(
      Array.isArray(prometheusCommand) && prometheusCommand.includes('--enable-feature=exemplar-storage'),
    );
  });
});

test('.env pins every image version (no `latest`), and the node image is Node 24', () => {
  for (const [key, value] of Object.entries(env)) {
    if (key.endsWith('_VERSION') || key.endsWith('_IMAGE')) {
      assert.notEqual(value, '', `${key} is empty`);
      assert.doesNotMatch(value, /latest/, `${key}=${value}`);
    }
  }
  assert.match(env['NODE_IMAGE'] ?? '', /^node:24\.\d+\.\d+-/);
});
