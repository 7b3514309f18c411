// The native lab's pure parts: version mappings to Go module versions, the collector manifest derived from
// otel-collector/config.yaml, compose command splitting, and the native recipes matching compose's services.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import {
  artifacts,
  collectorComponents,
  jaegerModuleVersion,
  jaegerUiVersion,
  prometheusModuleVersion,
} from '../../native/build.ts';
import { recipeOf } from '../../native/lib/recipes.ts';
import { missingPart, planService } from '../../native/up.ts';
import { loadCompose, REPO_ROOT, shellSplit } from '../../verify/compose.ts';

describe('native build: version mappings', () => {
  test('Jaeger v2.N.P is module version v1.(N+63).P, and nothing past 2.13.0', () => {
    assert.equal(jaegerModuleVersion('2.12.0'), 'v1.75.0');
    assert.equal(jaegerModuleVersion('2.13.0'), 'v1.76.0');
    assert.equal(jaegerModuleVersion('2.0.0'), 'v1.63.0');
    assert.throws(() => jaegerModuleVersion('2.14.0'), /up to 2\.13\.0/);
    assert.throws(() => jaegerModuleVersion('2.13.1'), /up to 2\.13\.0/);
    assert.throws(() => jaegerModuleVersion('1.76.0'), /Jaeger v2 version/);
  });

  test('Jaeger 2.12.0 embeds Jaeger UI 1.74.0; a version without a known UI is refused, saying where to add it', () => {
    assert.equal(jaegerUiVersion('2.12.0'), '1.74.0');
    assert.equal(jaegerUiVersion('v2.12.0'), '1.74.0');
    assert.throws(() => jaegerUiVersion('2.13.0'), /JAEGER_UI_OF_JAEGER in native\/build\.ts/);
  });

  test('Prometheus v3.X.Y is module version v0.(300+X).Y', () => {
    assert.equal(prometheusModuleVersion('v3.16.0'), 'v0.316.0');
    assert.equal(prometheusModuleVersion('3.5.2'), 'v0.305.2');
    assert.throws(() => prometheusModuleVersion('v2.53.0'), /Prometheus 3/);
  });
});

describe('native build: collector manifest from the config', () => {
  test('every component the repo config declares maps to one module at the pinned version', () => {
    const config = readFileSync(join(REPO_ROOT, 'otel-collector', 'config.yaml'), 'utf8');
    const modules = collectorComponents(config, '0.159.0');
    const names = Object.values(modules)
      .flat()
      .map((m) => m.gomod);
    assert.ok(
      names.every((n) => n.endsWith(' v0.159.0')),
      names.join(', '),
    );
    assert.ok(modules.connectors.some((m) => m.gomod.includes('/spanmetricsconnector ')));
    assert.ok(modules.connectors.some((m) => m.gomod.includes('/servicegraphconnector ')));
    assert.ok(modules.exporters.some((m) => m.gomod.includes('/prometheusexporter ')));
    assert.equal(new Set(names).size, names.length, 'aliases share one module entry');
  });

  test('aliases share a module; an unknown type fails naming it', () => {
    const both = collectorComponents(
      'receivers: {otlp: {}}\nexporters: {otlp/a: {}, otlp_grpc/b: {}}\nconnectors: {spanmetrics: {}, span_metrics/x: {}}\n',
      '1.0.0',
    );
    assert.equal(both.exporters.length, 1);
    assert.equal(both.connectors.length, 1);
    assert.throws(
      () => collectorComponents('receivers: {otlp: {}}\nexporters: {kafka/out: {}}\n', '1.0.0'),
      /exporters\.kafka\/out \(type "kafka"\)/,
    );
  });
});

describe('native runner: compose', () => {
  test('command strings split like shell words', () => {
    assert.deepEqual(shellSplit(`node --require "a b" x\\ y '' "q\\"z"`), [
      'node',
      '--require',
      'a b',
      'x y',
      '',
      'q"z',
    ]);
    assert.throws(() => shellSplit('run "open'), /unclosed/);
  });

  test('every compose service has a native recipe or an explicit reason why not', () => {
    const absent = Object.keys(loadCompose().services)
      .map((name) => [name, recipeOf(name)] as const)
      .filter(([, r]) => r.kind === 'absent');
    assert.deepEqual(absent.map(([name]) => name).sort(), [
      'fault',
      'grafana',
      'jaeger-dependencies',
      'k6',
      'verify',
    ]);
    for (const [name, recipe] of absent) {
      assert.ok(recipe.kind === 'absent' && !recipe.reason.startsWith('no native recipe'), name);
    }
  });
});

describe('native runner: the Jaeger UI', () => {
  const service = loadCompose().services['jaeger-query'];
  const flag = '--set=extensions::jaeger_query::ui::assets_path=';

  test('jaeger-query serves the supplied UI build when there is one, its config file unchanged', () => {
    assert.ok(service !== undefined);
    const without = planService(service, '10.0.0.9', artifacts());
    assert.ok(without !== undefined);
    assert.deepEqual(
      without.args.filter((a) => a.startsWith(flag)),
      [],
      'no assets_path without a UI build',
    );
    const ui = '/opt/jaeger-ui-1.74.0';
    const withBuild = planService(service, '10.0.0.9', { ...artifacts(), jaegerUi: ui });
    assert.ok(withBuild !== undefined);
    assert.deepEqual(withBuild.args, [`--config=${join(REPO_ROOT, 'jaeger', 'query.yaml')}`, `${flag}${ui}`]);
  });

  test('without the UI build, native:up says jaeger-query serves the placeholder page, and why', () => {
    const skipped = { 'jaeger-ui': 'no Jaeger UI build (JAEGER_UI_DIR unset): set JAEGER_UI_DIR to …' };
    assert.match(missingPart('jaeger-query', { skipped }) ?? '', /placeholder page.*JAEGER_UI_DIR unset/);
    assert.equal(missingPart('jaeger-query', { skipped: {} }), undefined);
    assert.equal(missingPart('prometheus', { skipped }), undefined);
  });
});
