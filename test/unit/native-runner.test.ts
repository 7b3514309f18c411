// The native lab's pure parts: version mappings to Go module versions, the collector manifest derived from
// otel-collector/config.yaml, compose command splitting, and the native recipes matching compose's services.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { collectorComponents, jaegerModuleVersion, prometheusModuleVersion } from '../../native/build.ts';
import { loadCompose, REPO_ROOT, shellSplit } from '../../verify/compose.ts';
import { recipeOf } from '../../native/lib/recipes.ts';

describe('native build: version mappings', () => {
  test('Jaeger v2.N.P is module version v1.(N+63).P, and nothing past 2.13.0', () => {
    assert.equal(jaegerModuleVersion('2.13.0'), 'v1.76.0');
    assert.equal(jaegerModuleVersion('2.0.0'), 'v1.63.0');
    assert.throws(() => jaegerModuleVersion('2.14.0'), /up to 2\.13\.0/);
    assert.throws(() => jaegerModuleVersion('2.13.1'), /up to 2\.13\.0/);
    assert.throws(() => jaegerModuleVersion('1.76.0'), /Jaeger v2 version/);
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
    assert.deepEqual(absent.map(([name]) => name).sort(), ['fault', 'grafana', 'k6', 'verify']);
    for (const [name, recipe] of absent) {
      assert.ok(recipe.kind === 'absent' && !recipe.reason.startsWith('no native recipe'), name);
    }
  });
});
