// Where the lab keeps state and what it needs from the machine, read against upstream behaviour (issues 13, 22):
// Grafana's state is the repository's data/, bind-mounted, with Grafana run as data/'s owner by
// grafana/data-owner.sh (grafana-data-owner.test.ts runs it for real); every VOLUME an image declares is
// covered by a mount (else each `up` after a `down` leaves another anonymous volume); Grafana starts offline
// with the plugins its image bundles; and both READMEs name what the file needs from Docker.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
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
 * cassandra `VOLUME /var/lib/cassandra`, prom/prometheus `VOLUME ["/prometheus"]`, prom/alertmanager `VOLUME ["/alertmanager"]`.
 */
const IMAGE_VOLUMES: Record<string, string[]> = {
  'jaegertracing/jaeger': ['/tmp'],
  cassandra: ['/var/lib/cassandra'],
  'prom/prometheus': ['/prometheus'],
  'prom/alertmanager': ['/alertmanager'],
};

describe('docker-compose.yaml: state and requirements', () => {
  test("Grafana keeps its state in the repository's data/, and always starts through data-owner.sh", () => {
    const grafana = compose.services.grafana ?? {};
    const state = lab.services.grafana?.mounts.find((m) => m.target === '/var/lib/grafana');
    assert.equal(state?.type, 'bind', 'a bind mount of the repository folder, not a volume');
    assert.equal(state.source, join(ROOT, 'data'));
    assert.equal(state.readOnly, false);
    assert.ok(existsSync(join(ROOT, 'data', '.gitkeep')), 'data/ is in the repository, kept by .gitkeep');
    assert.ok(!('grafana-data' in (raw.volumes ?? {})), 'the old named volume is gone');
    // The step that makes data/ Grafana's is its entrypoint: no depends_on, condition or profile can skip it.
    assert.deepEqual(grafana.entrypoint, ['/bin/sh', '/usr/local/lab/data-owner.sh', '/run.sh']);
    const script = lab.services.grafana?.mounts.find((m) => m.target === '/usr/local/lab/data-owner.sh');
    assert.equal(script?.source, join(ROOT, 'grafana', 'data-owner.sh'));
    assert.equal(script.readOnly, true);
    // Root only to read data/'s owner and drop to it (setpriv, from the image's Ubuntu variant).
    assert.equal(grafana.user, '0:0');
    assert.match(grafana.image ?? '', /^grafana\/grafana:\d+\.\d+\.\d+-ubuntu$/);
    assert.match(JSON.stringify(grafana.healthcheck?.test), /curl/, 'the Ubuntu variant has curl, not wget');
  });

  test("git and the image builds keep data/'s contents out", () => {
    const gitignore = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n');
    assert.ok(gitignore.includes('data/*'), '.gitignore: data/*');
    assert.ok(gitignore.includes('!data/.gitkeep'), '.gitignore: !data/.gitkeep');
    // services/Dockerfile's context is the repository: its .dockerignore lets nothing in but what it lists.
    const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    assert.equal(
      dockerignore.find((l) => l !== '' && !l.startsWith('#')),
      '*',
      '.dockerignore starts by excluding all',
    );
    assert.deepEqual(
      dockerignore.filter((l) => l.startsWith('!') && /^!\/?data\b/.test(l)),
      [],
      '.dockerignore lets nothing of data/ in',
    );
  });

  test('both READMEs reset Grafana by deleting data/ contents, as the learner, with no volume to remove', () => {
    for (const file of READMES) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      assert.ok(
        text.includes('docker compose rm -sf grafana && rm -rf data/* && docker compose up -d --wait'),
        `${file}: the reset`,
      );
      assert.ok(!text.includes('grafana-data'), `${file}: no word of the old volume`);
      assert.doesNotMatch(text, /sudo rm/, `${file}: no sudo`);
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
