// Where the lab keeps state and what it needs from the machine, read against upstream behaviour (issue 13):
// Grafana's state is a named volume (a bind mount keeps the host's owner, which differs by host and by Docker
// flavour, and the image's entrypoint exits when it cannot write there); every VOLUME an image declares is
// covered by a mount (else each `up` after a `down` leaves another anonymous volume); Grafana starts offline
// with the plugins its image bundles; and both READMEs name what the file needs from Docker.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { COMPOSE_FILE, loadCompose, REPO_ROOT as ROOT } from '../../verify/compose.ts';

const lab = loadCompose(COMPOSE_FILE, {}, { strict: true });
const { doc: compose, raw } = lab;
const READMES = ['README.md', 'README.zh-TW.md'];

/** The container paths a service mounts something at (volumes, binds, tmpfs). */
function mountTargets(name: string): string[] {
  const volumes = (lab.services[name]?.mounts ?? []).map((m) => m.target);
  const declared = compose.services[name]?.tmpfs;
  const tmpfs = typeof declared === 'string' ? [declared] : (declared ?? []);
  return [...volumes, ...tmpfs.map((t) => t.split(':')[0] ?? '')];
}

/**
 * VOLUMEs declared by the lab's images (their Dockerfiles): jaegertracing/jaeger `VOLUME /tmp`,
 * cassandra `VOLUME /var/lib/cassandra`, prom/prometheus `VOLUME ["/prometheus"]`.
 */
const IMAGE_VOLUMES: Record<string, string[]> = {
  'jaegertracing/jaeger': ['/tmp'],
  cassandra: ['/var/lib/cassandra'],
  'prom/prometheus': ['/prometheus'],
};

describe('docker-compose.yaml: state and requirements', () => {
  test('Grafana keeps its state in a named volume and runs as its image’s user', () => {
    const grafana = compose.services.grafana ?? {};
    assert.equal(
      grafana.user,
      undefined,
      'a fixed user cannot match every host, root clone or rootless Docker',
    );
    const state = lab.services.grafana?.mounts.find((m) => m.target === '/var/lib/grafana');
    const source = state?.type === 'volume' ? state.source : undefined;
    assert.ok(source !== undefined && /^[a-z][\w-]*$/.test(source), `/var/lib/grafana is ${String(source)}`);
    assert.ok(raw.volumes !== undefined && source in raw.volumes, `volume ${source} is declared`);
    for (const file of READMES) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      assert.ok(text.includes(`docker volume rm otel-spm-lab_${source}`), `${file}: how to reset Grafana`);
    }
  });

  test('every VOLUME an image declares has a mount, so no anonymous volume piles up', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const image = service.image?.split(':')[0] ?? '';
      for (const path of IMAGE_VOLUMES[image] ?? []) {
        assert.ok(mountTargets(name).includes(path), `${name}: nothing mounted at ${image}'s VOLUME ${path}`);
      }
    }
  });

  test('Grafana starts offline with its bundled plugins: no update from grafana.com, nothing blocks the start', () => {
    const env = lab.services.grafana?.environment ?? {};
    assert.equal(env.GF_PLUGINS_PREINSTALL_AUTO_UPDATE, 'false');
    assert.equal(env.GF_PLUGINS_PREINSTALL_ASYNC, 'true');
    assert.equal(env.GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES, 'false');
    for (const file of READMES) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      assert.ok(
        text.includes('GF_PLUGINS_PREINSTALL_AUTO_UPDATE'),
        `${file}: says how Grafana behaves offline`,
      );
    }
  });

  test('Grafana’s memory limit is at least its documented 512 MB minimum', () => {
    assert.ok((lab.services.grafana?.memoryLimitBytes ?? 0) >= 512 * 1024 ** 2);
  });

  test('healthchecks use start_interval (Docker Engine 25+), and both READMEs say so', () => {
    const using = Object.entries(raw.services).filter(([, s]) => s.healthcheck?.start_interval !== undefined);
    assert.ok(using.length > 0, 'no start_interval: drop this test and the READMEs’ Engine 25 requirement');
    for (const file of READMES) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      assert.match(text, /Docker Engine 25/, `${file}: start_interval needs Docker Engine 25 or later`);
    }
  });
});
