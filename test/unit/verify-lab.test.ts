import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { COLLECTOR_JOB, CONFIG } from '../../verify/checks/common.ts';
import {
  COMPOSE_FILE,
  interpolate,
  loadCompose,
  parsePort,
  REPO_ROOT,
  service,
} from '../../verify/compose.ts';
import { APP_SERVICES, chainTargets, labUrls, publishedUrl } from '../../verify/lab.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'verify-lab', 'docker-compose.yaml');

describe('verify/lab.ts against a fixture compose file', () => {
  it('reads every published URL, with .env interpolation and both port syntaxes', () => {
    const urls = labUrls(loadCompose(FIXTURE, {}));
    assert.deepEqual(urls, {
      apps: {
        fastify: 'http://127.0.0.1:8000',
        nestjs: 'http://127.0.0.1:8080',
        express: 'http://127.0.0.1:3001',
      },
      jaegerQuery: 'http://127.0.0.1:16686',
      jaegerCollectorHealth: 'http://127.0.0.1:13133',
      prometheus: 'http://127.0.0.1:9090',
      alertmanager: 'http://127.0.0.1:9093',
      tempo: 'http://127.0.0.1:3200',
      collectorMetrics: 'http://127.0.0.1:8889',
      grafana: 'http://127.0.0.1:3000',
    });
  });

  it('lets the shell environment win over .env, as compose does', () => {
    const project = loadCompose(FIXTURE, { NESTJS_PORT: '18080', FASTIFY_PORT: '18000' });
    assert.equal(labUrls(project).apps.nestjs, 'http://127.0.0.1:18080');
    assert.equal(labUrls(project).apps.fastify, 'http://127.0.0.1:18000');
  });

  it('merges anchored environment maps and reads list-form environment', () => {
    const project = loadCompose(FIXTURE, {});
    assert.equal(
      project.services.fastify?.environment.OTEL_EXPORTER_OTLP_ENDPOINT,
      'http://otel-collector:4317',
    );
    assert.equal(project.services.fastify.environment.PORT, '8000');
    assert.equal(project.services.express?.environment.OTEL_SERVICE_NAME, 'express');
  });

  it('reads the /chain targets of each service from TARGET_ONE_SVC / TARGET_TWO_SVC', () => {
    const project = loadCompose(FIXTURE, {});
    assert.deepEqual(
      APP_SERVICES.map((s) => chainTargets(project, s)),
      [
        ['nestjs', 'express'],
        ['express', 'fastify'],
        ['fastify', 'nestjs'],
      ],
    );
  });

  it('names the service and port when a port is not published', () => {
    const project = loadCompose(FIXTURE, {});
    assert.throws(
      () => publishedUrl(project, 'tempo', 4317),
      /service "tempo" does not publish container port 4317/,
    );
    assert.throws(() => publishedUrl(project, 'k6', 80), /no service "k6"/);
  });

  it('says which file is missing', () => {
    assert.throws(() => loadCompose('/nonexistent/docker-compose.yaml', {}), /docker-compose.yaml not found/);
  });
});

describe('compose port syntax', () => {
  it('parses short forms', () => {
    assert.deepEqual(parsePort('127.0.0.1:9090:9090'), {
      hostIp: '127.0.0.1',
      published: 9090,
      target: 9090,
      protocol: 'tcp',
    });
    assert.deepEqual(parsePort('8000:80'), { hostIp: '', published: 8000, target: 80, protocol: 'tcp' });
    assert.deepEqual(parsePort('[::1]:53:53/udp'), {
      hostIp: '::1',
      published: 53,
      target: 53,
      protocol: 'udp',
    });
  });

  it('parses the long form', () => {
    assert.deepEqual(parsePort({ target: 3200, published: '3200', host_ip: '127.0.0.1' }), {
      hostIp: '127.0.0.1',
      published: 3200,
      target: 3200,
      protocol: 'tcp',
    });
  });

  it('refuses a port without a fixed host port', () => {
    assert.throws(() => parsePort('9090'), /must be "\[ip:\]host:container/);
    assert.throws(() => parsePort('127.0.0.1::9090'), /must be/);
  });
});

describe('compose interpolation', () => {
  const vars = { SET: 'x', EMPTY: '' };
  it('substitutes plain, braced and defaulted variables', () => {
    assert.equal(interpolate('$SET-${SET}', vars), 'x-x');
    assert.equal(interpolate('${EMPTY:-d} ${EMPTY-d} ${UNSET-d}', vars), 'd  d');
    assert.equal(interpolate('${UNSET:-${SET}}', vars), 'x');
    assert.equal(interpolate('${SET:+alt}${EMPTY:+alt}', vars), 'alt');
    assert.equal(interpolate('$$SET costs $5', vars), '$SET costs $5');
  });

  it('fails on a missing required variable with its message', () => {
    assert.throws(
      () => interpolate('${UNSET:?set it in .env}', vars),
      /required variable UNSET is missing: set it in .env/,
    );
  });
});

describe("the repo's docker-compose.yaml and prometheus.yml, as verify reads them", () => {
  it('publishes every component on the plan’s 127.0.0.1 ports', () => {
    assert.deepEqual(labUrls(loadCompose(COMPOSE_FILE, {})), {
      apps: {
        fastify: 'http://127.0.0.1:8000',
        nestjs: 'http://127.0.0.1:8080',
        express: 'http://127.0.0.1:3001',
      },
      jaegerQuery: 'http://127.0.0.1:16686',
      jaegerCollectorHealth: 'http://127.0.0.1:13133',
      prometheus: 'http://127.0.0.1:9090',
      alertmanager: 'http://127.0.0.1:9093',
      tempo: 'http://127.0.0.1:3200',
      collectorMetrics: 'http://127.0.0.1:8889',
      grafana: 'http://127.0.0.1:3000',
    });
  });

  it('names each app service in traces as compose names it (verify searches by that name)', () => {
    const project = loadCompose(COMPOSE_FILE, {});
    for (const name of APP_SERVICES) assert.equal(service(project, name).environment.OTEL_SERVICE_NAME, name);
  });

  it('has Prometheus scrape the collector’s own metrics under the job verify filters on', () => {
    const config = parse(readFileSync(join(REPO_ROOT, 'prometheus', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs?: { targets: string[] }[] }[];
    };
    const job = config.scrape_configs.find((j) => j.job_name === COLLECTOR_JOB);
    assert.ok(job, `no scrape job ${COLLECTOR_JOB}`);
    assert.ok(job.static_configs?.some((s) => s.targets.includes('otel-collector:8888')));
  });
});

describe('the config files verify’s hints point at', () => {
  it('exist in the repo', () => {
    for (const file of Object.values(CONFIG)) assert.ok(existsSync(join(REPO_ROOT, file)), file);
  });
});
