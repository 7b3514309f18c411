// The learner's tools in docker-compose.yaml (`docker compose run --rm verify`, `… fault …`), checked against
// what the services and verify expect: the same entry points as `npm run verify|fault`, every file they load
// mounted, the fault file the services read, the services' network, no spans, and never started by `up`
// (compose.test.ts loads the file with compose-go with and without the profile).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

import { FAULTS_FILE } from '../../faults/main.ts';
import { recipeOf } from '../../native/lib/recipes.ts';
import { IN_NETWORK_ENV, inNetworkUrls } from '../../verify/in-network.ts';
import { APP_SERVICES, BACKEND_PORTS } from '../../verify/lab.ts';
import { COMPOSE_FILE, loadCompose, REPO_ROOT as ROOT } from '../../verify/compose.ts';
import { hostPathOf, mountOf, TOOLS, toolDefinition, toolScript } from './compose-tools.ts';

const lab = loadCompose(COMPOSE_FILE, {}, { strict: true });
const compose = lab.doc;
const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  type: string;
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const NPM_SCRIPT: Record<(typeof TOOLS)[number], string> = { verify: 'verify', fault: 'fault' };

/** Every repository file a script loads, following its relative imports (read with TypeScript's own scanner). */
function moduleGraph(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() ?? '';
    if (files.includes(file)) continue;
    files.push(file);
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (fileName.startsWith('.')) pending.push(path.resolve(path.dirname(file), fileName));
      else if (!fileName.startsWith('node:')) packages.add(fileName.split('/')[0] ?? fileName);
    }
  }
  return { files, packages };
}

/** The stages of services/Dockerfile: name -> its lines (FROM included). */
function dockerfileStages(): Map<string, string[]> {
  const stages = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of readFileSync(path.join(ROOT, 'services', 'Dockerfile'), 'utf8').split('\n')) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from !== null) {
      current = [line];
      stages.set(from[2] ?? from[1] ?? '', current);
    } else if (!line.startsWith('#') && line.trim() !== '') {
      current.push(line);
    }
  }
  return stages;
}

for (const name of TOOLS) {
  describe(`docker compose run --rm ${name}`, () => {
    const tool = toolDefinition(name);
    const app = compose.services.fastify ?? {};

    test('is a tool: profile tools, no depends_on (run would start the lab), no ports, a memory limit', () => {
      assert.deepEqual(tool.service.profiles, ['tools']);
      assert.equal(tool.service.depends_on, undefined);
      assert.equal(tool.service.ports, undefined);
      assert.match(String(tool.service.deploy?.resources?.limits?.memory), /^\d+M$/);
      assert.equal(tool.service.restart, 'no');
    });

    test("runs the image the lab builds anyway: the services' build stage, with the services' build args", () => {
      assert.deepEqual(tool.service.build, { ...app.build, target: 'build' });
      const stages = dockerfileStages();
      const build = stages.get('build') ?? [];
      const base = stages.get(/^FROM\s+(\S+)/i.exec(build[0] ?? '')?.[1] ?? '') ?? [];
      // The stage's WORKDIR is the tool's working_dir, with the repository's package.json ("type": "module",
      // so node runs the .ts files as ES modules) and a full `npm ci` (devDependencies too: yaml, p-retry).
      assert.ok(base.includes(`WORKDIR ${tool.workingDir}`), base.join('\n'));
      assert.ok(base.some((l) => /^COPY package\.json package-lock\.json \.\/$/.test(l)));
      assert.equal(packageJson.type, 'module');
      assert.ok(build.some((l) => /^RUN npm ci\b/.test(l) && !l.includes('--omit')));
    });

    test(`runs what \`npm run ${NPM_SCRIPT[name]}\` runs, with plain node: no OpenTelemetry, no spans`, () => {
      assert.equal(tool.entrypoint[0], 'node');
      assert.equal(tool.entrypoint.length, 2, 'node <script>: the arguments of `run` follow');
      assert.equal(tool.service.command, undefined, 'a command would swallow the arguments of `run`');
      const npmScript = packageJson.scripts[NPM_SCRIPT[name]] ?? '';
      assert.ok(npmScript.endsWith(` && node ${path.relative(ROOT, toolScript(tool))}`), npmScript);
      for (const key of Object.keys(tool.environment)) assert.doesNotMatch(key, /^(OTEL_|NODE_OPTIONS$)/);
    });

    test('every file it loads is mounted from the repository, every package is in the image', () => {
      const { files, packages } = moduleGraph(toolScript(tool));
      assert.ok(files.length > 3);
      for (const file of files) {
        const containerPath = path.posix.join(tool.workingDir, path.relative(ROOT, file));
        assert.equal(
          hostPathOf(containerPath, tool.mounts),
          file,
          `${name}: ${containerPath} is not mounted`,
        );
      }
      // verify/lab.ts reads docker-compose.yaml and the .env beside it.
      for (const file of ['docker-compose.yaml', '.env']) {
        const containerPath = path.posix.join(tool.workingDir, file);
        assert.equal(hostPathOf(containerPath, tool.mounts), path.join(ROOT, file), containerPath);
      }
      for (const pkg of packages) {
        const pinned = packageJson.dependencies?.[pkg] ?? packageJson.devDependencies?.[pkg];
        assert.ok(pinned !== undefined, `${name} imports ${pkg}, which the root package.json lacks`);
      }
      for (const mount of tool.mounts) assert.ok(existsSync(mount.source), mount.source);
    });

    test("joins the services' network (compose's default: no networks, no network_mode)", () => {
      for (const service of [tool.service, ...APP_SERVICES.map((s) => compose.services[s] ?? {})]) {
        assert.equal(service.networks, undefined);
        assert.equal(service.network_mode, undefined);
      }
    });
  });
}

describe('docker compose run --rm fault writes the file the services read', () => {
  const tool = toolDefinition('fault');

  test('its one writable mount holds FAULTS_FILE, the folder every service mounts read-only', () => {
    // faults/main.ts finds the file next to itself: in the container, under the tool's faults/ mount.
    const inTool = path.posix.join(tool.workingDir, path.relative(ROOT, FAULTS_FILE));
    const mount = mountOf(inTool, tool.mounts);
    assert.ok(mount !== undefined && !mount.readOnly, `${inTool} is on a writable mount`);
    assert.equal(hostPathOf(inTool, tool.mounts), FAULTS_FILE);
    assert.deepEqual(
      tool.mounts.filter((m) => !m.readOnly),
      [mount],
    );
    for (const service of APP_SERVICES) {
      const recipe = recipeOf(service);
      assert.ok(recipe.kind === 'node');
      const definition = compose.services[service] ?? {};
      const inService = path.posix.resolve(
        recipe.imageWorkdir,
        lab.services[service]?.environment.FAULTS_FILE ?? '',
      );
      const volume = (definition.volumes ?? []).find(
        (v) => typeof v === 'string' && inService.startsWith(`${v.split(':')[1] ?? ''}/`),
      );
      assert.ok(typeof volume === 'string', `${service} mounts the folder of ${inService}`);
      assert.equal(path.resolve(ROOT, volume.split(':')[0] ?? ''), mount.source, service);
    }
  });
});

describe('docker compose run --rm verify reaches the lab inside the compose network', () => {
  const tool = toolDefinition('verify');

  test(`only the verify tool sets ${IN_NETWORK_ENV}=1`, () => {
    assert.equal(tool.environment[IN_NETWORK_ENV], '1');
    for (const [name, service] of Object.entries(lab.services)) {
      if (name !== 'verify') assert.equal(service.environment[IN_NETWORK_ENV], undefined, name);
    }
  });

  test('every URL it uses is a compose service name and the port that service listens on', () => {
    const project = loadCompose();
    const urls = inNetworkUrls(project);
    for (const name of APP_SERVICES) {
      const port = lab.services[name]?.environment.PORT ?? '';
      assert.equal(urls.apps[name], `http://${name}:${port}`);
    }
    const backends = {
      'jaeger-query': urls.jaegerQuery,
      'jaeger-collector': urls.jaegerCollectorHealth,
      prometheus: urls.prometheus,
      alertmanager: urls.alertmanager,
      tempo: urls.tempo,
      'otel-collector': urls.collectorMetrics,
      grafana: urls.grafana,
    } satisfies Record<keyof typeof BACKEND_PORTS, string>;
    for (const [name, url] of Object.entries(backends)) {
      const { hostname, port } = new URL(url);
      assert.equal(hostname, name);
      // The container port behind the port the host reaches: the one the component listens on.
      const targets = (project.services[name]?.ports ?? []).map((p) => p.target);
      assert.ok(targets.includes(Number(port)), `${name}: ${port} is not among ${targets.join(', ')}`);
    }
  });
});
