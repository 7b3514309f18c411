// Builds what the native lab needs and is missing, into ${XDG_CACHE_HOME:-~/.cache}/otel-spm-lab/<component>-<version>/,
// at the versions pinned in .env (so compose and the native lab never drift):
//   collector   OpenTelemetry Collector Builder at OTELCOL_VERSION, with exactly the components
//               otel-collector/config.yaml declares
//   jaeger      Go module github.com/jaegertracing/jaeger, ./cmd/jaeger (JAEGER_VERSION)
//   prometheus  Go module github.com/prometheus/prometheus, ./cmd/prometheus and ./cmd/promtool (PROMETHEUS_VERSION)
//   cassandra   org.apache.cassandra:cassandra-all and its runtime jars from Maven Central (CASSANDRA_VERSION)
//   alertmanager  Go module github.com/prometheus/alertmanager, ./cmd/alertmanager and ./cmd/amtool
//               (ALERTMANAGER_VERSION)
//   sloth       Go module github.com/slok/sloth, ./cmd/sloth (SLOTH_VERSION): generates prometheus/rules/ from slos/
//   services    the three TypeScript services (tsc -b services, incremental)
// Nothing else is built: k6, Grafana and Tempo are AGPL and no reachable registry serves them (native:load replays
// k6's plan), and the real Jaeger UI is not in Jaeger's Go module. Tempo and the UI run only from what a user
// supplies (native/lib/supplied.ts).
//
// Usage: node native/build.ts [collector|jaeger|prometheus|alertmanager|sloth|cassandra|services ...]   (default: all)
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { pin } from './lib/env.ts';
import { cacheDir, cacheRoot, repoRoot } from './lib/paths.ts';
import { commandExists, formatDuration, run, step } from './lib/proc.ts';

// ---------------------------------------------------------------------------------------------------------
// Version mappings (each in one place)

/**
 * Jaeger v2 is released from the same commits as the v1 line, and the Go module path has no /v2, so only the
 * v1.x tags are valid Go module versions: v2.N.P is tagged v1.(N+63).P on the same commit
 * (v2.12.0 == v1.75.0). The v1 line ended with v1.76.0, so later v2 releases have no module version this lab
 * can fetch (the proxy serves no pseudo-versions for them either). .env pins 2.12.0: the registry notes approve
 * module v1.75.0, not v1.76.0.
 */
export function jaegerModuleVersion(jaegerVersion: string): string {
  const m = /^v?2\.(\d+)\.(\d+)$/.exec(jaegerVersion);
  if (m === null)
    throw new Error(`JAEGER_VERSION=${jaegerVersion}: expected a Jaeger v2 version like 2.12.0`);
  const minor = Number(m[1]);
  const patch = Number(m[2]);
  if (minor > 13 || (minor === 13 && patch > 0)) {
    throw new Error(
      `JAEGER_VERSION=${jaegerVersion}: the native lab can only build Jaeger up to 2.13.0 (Go module v1.76.0); ` +
        'later v2 releases have no v1.x tag, and v2.x tags are not valid versions of the module ' +
        'github.com/jaegertracing/jaeger',
    );
  }
  return `v1.${String(minor + 63)}.${String(patch)}`;
}

/**
 * The Jaeger UI release each Jaeger release embeds: the commit of the `jaeger-ui` git submodule at Jaeger's tag
 * (`git ls-tree v2.12.0 jaeger-ui` in github.com/jaegertracing/jaeger is jaeger-ui's v1.74.0 commit 4606e0e7).
 * Only versions the native lab can build Jaeger at (jaegerModuleVersion) are listed.
 */
const JAEGER_UI_OF_JAEGER: Readonly<Record<string, string>> = { '2.12.0': '1.74.0' };

export function jaegerUiVersion(jaegerVersion: string): string {
  const ui = JAEGER_UI_OF_JAEGER[jaegerVersion.replace(/^v/, '')];
  if (ui === undefined) {
    throw new Error(
      `JAEGER_VERSION=${jaegerVersion}: no Jaeger UI version known for it; add it to JAEGER_UI_OF_JAEGER in ` +
        'native/build.ts (the jaeger-ui submodule commit at that Jaeger tag)',
    );
  }
  return ui;
}

/** Prometheus tags its Go module v0.<major*100+minor>.<patch>: v3.16.0 is module version v0.316.0. */
export function prometheusModuleVersion(prometheusVersion: string): string {
  const m = /^v?3\.(\d+)\.(\d+)$/.exec(prometheusVersion);
  if (m === null)
    throw new Error(`PROMETHEUS_VERSION=${prometheusVersion}: expected a Prometheus 3 version like v3.16.0`);
  return `v0.${String(300 + Number(m[1]))}.${m[2] ?? '0'}`;
}

// ---------------------------------------------------------------------------------------------------------
// Collector components: config type -> Go module. Aliases share a module (e.g. `otlp` / `otlp_grpc`).

type Kind = 'receivers' | 'processors' | 'exporters' | 'connectors' | 'extensions';
const kinds: readonly Kind[] = ['receivers', 'processors', 'exporters', 'connectors', 'extensions'];
const core = 'go.opentelemetry.io/collector';
const contrib = 'github.com/open-telemetry/opentelemetry-collector-contrib';

interface ComponentModule {
  gomod: string;
  /** Package to import when it is not the module root. */
  import?: string;
}

const componentModules: Readonly<Record<Kind, Readonly<Record<string, ComponentModule>>>> = {
  receivers: {
    otlp: { gomod: `${core}/receiver/otlpreceiver` },
    prometheus: { gomod: `${contrib}/receiver/prometheusreceiver` },
  },
  processors: {
    batch: { gomod: `${core}/processor/batchprocessor` },
    memory_limiter: { gomod: `${core}/processor/memorylimiterprocessor` },
    attributes: { gomod: `${contrib}/processor/attributesprocessor` },
    filter: { gomod: `${contrib}/processor/filterprocessor` },
    resource: { gomod: `${contrib}/processor/resourceprocessor` },
    transform: { gomod: `${contrib}/processor/transformprocessor` },
  },
  exporters: {
    otlp: { gomod: `${core}/exporter/otlpexporter` },
    otlp_grpc: { gomod: `${core}/exporter/otlpexporter` },
    otlphttp: { gomod: `${core}/exporter/otlphttpexporter` },
    otlp_http: { gomod: `${core}/exporter/otlphttpexporter` },
    debug: { gomod: `${core}/exporter/debugexporter` },
    nop: { gomod: `${core}/exporter/nopexporter` },
    prometheus: { gomod: `${contrib}/exporter/prometheusexporter` },
  },
  connectors: {
    spanmetrics: { gomod: `${contrib}/connector/spanmetricsconnector` },
    span_metrics: { gomod: `${contrib}/connector/spanmetricsconnector` },
    servicegraph: { gomod: `${contrib}/connector/servicegraphconnector` },
    service_graph: { gomod: `${contrib}/connector/servicegraphconnector` },
    forward: { gomod: `${core}/connector/forwardconnector` },
  },
  extensions: {
    health_check: { gomod: `${contrib}/extension/healthcheckextension` },
    healthcheckv2: { gomod: `${contrib}/extension/healthcheckv2extension` },
    pprof: { gomod: `${contrib}/extension/pprofextension` },
    zpages: { gomod: `${core}/extension/zpagesextension` },
    // Its own module at 0.159.0 (the parent module extension/storage no longer holds the package).
    file_storage: { gomod: `${contrib}/extension/storage/filestorage` },
  },
};

/**
 * Modules the Go proxy serves but whose checksum-database entry this machine's proxy mirror lacks
 * (`/sumdb/sum.golang.org/lookup/...` answers 404, at 0.139.0, 0.141.0 and 0.159.0 alike; sum.golang.org itself
 * is unreachable). Only these skip the checksum database (GONOSUMDB); their hashes still go into go.sum.
 */
const MODULES_WITHOUT_SUMDB_ENTRY = [`${contrib}/connector/servicegraphconnector`];

export const collectorConfigPath = path.join(repoRoot, 'otel-collector', 'config.yaml');

/** The builder's module list for every component the collector config declares; fails on an unknown type. */
export function collectorComponents(configText: string, version: string): Record<Kind, ComponentModule[]> {
  const config: unknown = parseYaml(configText);
  if (typeof config !== 'object' || config === null)
    throw new Error(`${collectorConfigPath}: not a YAML mapping`);
  const sections = config as Partial<Record<Kind, unknown>>;
  const out = {} as Record<Kind, ComponentModule[]>;
  const unknown: string[] = [];
  for (const kind of kinds) {
    const section = sections[kind];
    const seen = new Map<string, ComponentModule>();
    if (typeof section === 'object' && section !== null) {
      for (const id of Object.keys(section)) {
        const type = id.split('/')[0] ?? id;
        const mod = componentModules[kind][type];
        if (mod === undefined) {
          unknown.push(`${kind}.${id} (type "${type}")`);
          continue;
        }
        seen.set(mod.gomod, {
          gomod: `${mod.gomod} v${version}`,
          ...(mod.import === undefined ? {} : { import: mod.import }),
        });
      }
    }
    out[kind] = [...seen.values()];
  }
  if (unknown.length > 0) {
    throw new Error(
      `${collectorConfigPath}: no Go module known for ${unknown.join(', ')}. ` +
        'Add the type to componentModules in native/build.ts (module path from the collector/contrib repository).',
    );
  }
  if (out.receivers.length === 0 || out.exporters.length === 0) {
    throw new Error(`${collectorConfigPath}: a collector needs at least one receiver and one exporter`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Artifacts: where each built thing lives (up.ts uses these paths)

export interface Artifacts {
  collector: string;
  jaeger: string;
  prometheus: string;
  promtool: string;
  alertmanager: string;
  amtool: string;
  sloth: string;
  /** Directory holding cassandra-all and every runtime jar. */
  cassandraLib: string;
  cassandraVersion: string;
}

export function artifacts(): Artifacts {
  const prom = cacheDir('prometheus', pin('PROMETHEUS_VERSION'));
  const am = cacheDir('alertmanager', pin('ALERTMANAGER_VERSION'));
  return {
    collector: path.join(cacheDir('collector', pin('OTELCOL_VERSION')), 'bin', 'otelcol-lab'),
    jaeger: path.join(cacheDir('jaeger', pin('JAEGER_VERSION')), 'bin', 'jaeger'),
    prometheus: path.join(prom, 'bin', 'prometheus'),
    promtool: path.join(prom, 'bin', 'promtool'),
    alertmanager: path.join(am, 'bin', 'alertmanager'),
    amtool: path.join(am, 'bin', 'amtool'),
    sloth: path.join(cacheDir('sloth', pin('SLOTH_VERSION')), 'bin', 'sloth'),
    cassandraLib: path.join(cacheDir('cassandra', pin('CASSANDRA_VERSION')), 'lib'),
    cassandraVersion: pin('CASSANDRA_VERSION'),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Build steps

/** A build is current when its outputs exist and the recorded inputs (versions, manifest, flags) match. */
function isCurrent(dir: string, inputs: string, outputs: readonly string[]): boolean {
  const stamp = path.join(dir, 'build-inputs.sha256');
  return (
    outputs.every((o) => existsSync(o)) && existsSync(stamp) && readFileSync(stamp, 'utf8') === sha256(inputs)
  );
}
function markCurrent(dir: string, inputs: string): void {
  writeFileSync(path.join(dir, 'build-inputs.sha256'), sha256(inputs));
}
/** Where a build writes before it renames into place: per process, so two checkouts sharing the cache never clash. */
function tmpOf(file: string): string {
  return `${file}.${String(process.pid)}.tmp`;
}
function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function goEnv(): NodeJS.ProcessEnv {
  // -trimpath: reproducible binaries without this machine's paths. The module cache stays Go's default.
  const flags = [process.env.GOFLAGS, '-trimpath'].filter((f) => f !== undefined && f !== '').join(' ');
  return { ...process.env, GOFLAGS: flags };
}

interface GoBuild {
  component: string;
  version: string;
  module: string;
  moduleVersion: string;
  packages: readonly { pkg: string; bin: string }[];
  ldflags: string;
  /**
   * Files the module's source embeds (//go:embed) but its module zip lacks, because upstream builds them with
   * other tools first (e.g. a web UI): the build then uses a copy of the module with these placeholder files,
   * paths relative to the module root.
   */
  embedPlaceholders?: Readonly<Record<string, string>>;
}

/**
 * `go install pkg@version` refuses modules whose go.mod has replace/exclude directives, so build through a
 * small wrapper module: copy the upstream directives, `go get -tool` the packages, `go build` them.
 */
async function goWrapperBuild(b: GoBuild): Promise<void> {
  const dir = cacheDir(b.component, b.version);
  const outputs = b.packages.map((p) => path.join(dir, 'bin', p.bin));
  const inputs = JSON.stringify(b);
  if (isCurrent(dir, inputs, outputs)) {
    console.log(`${b.component} ${b.version}: cached in ${dir}`);
    return;
  }
  const started = Date.now();
  console.log(`${b.component} ${b.version}: building ${b.module}@${b.moduleVersion} (cold: several minutes)`);
  const wrapper = path.join(dir, 'wrapper');
  const logFile = path.join(dir, 'build.log');
  rmSync(wrapper, { recursive: true, force: true });
  mkdirSync(wrapper, { recursive: true });
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  const env = goEnv();
  const opts = { cwd: wrapper, env, logFile };
  await step(b.component, 'go', ['mod', 'init', 'lab.local/native-wrapper'], opts);

  const downloaded = JSON.parse(
    run('go', ['mod', 'download', '-json', `${b.module}@${b.moduleVersion}`]),
  ) as { GoMod?: string; Dir?: string; Error?: string };
  if (downloaded.GoMod === undefined) {
    throw new Error(
      `${b.module}@${b.moduleVersion}: the Go module proxy did not serve it: ${downloaded.Error ?? ''}`,
    );
  }
  const upstream = JSON.parse(run('go', ['mod', 'edit', '-json', downloaded.GoMod])) as {
    Replace?: { Old: { Path: string; Version?: string }; New: { Path: string; Version?: string } }[] | null;
    Exclude?: { Path: string; Version: string }[] | null;
  };
  const edits: string[] = [];
  for (const r of upstream.Replace ?? []) {
    if (r.New.Version === undefined) {
      throw new Error(
        `${b.module}@${b.moduleVersion}: go.mod replaces ${r.Old.Path} with a local path; cannot copy it`,
      );
    }
    const old = r.Old.Version === undefined ? r.Old.Path : `${r.Old.Path}@${r.Old.Version}`;
    edits.push(`-replace=${old}=${r.New.Path}@${r.New.Version}`);
  }
  for (const e of upstream.Exclude ?? []) edits.push(`-exclude=${e.Path}@${e.Version}`);
  if (b.embedPlaceholders !== undefined) {
    if (downloaded.Dir === undefined) throw new Error(`${b.module}@${b.moduleVersion}: no source folder`);
    const copy = path.join(dir, 'module');
    rmSync(copy, { recursive: true, force: true });
    cpSync(downloaded.Dir, copy, { recursive: true });
    run('chmod', ['-R', 'u+w', copy]); // the module cache is read-only
    for (const [file, text] of Object.entries(b.embedPlaceholders)) {
      mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      writeFileSync(path.join(copy, file), text);
    }
    await step(b.component, 'go', ['mod', 'edit', `-require=${b.module}@${b.moduleVersion}`], opts);
    edits.push(`-replace=${b.module}=${copy}`);
  }
  if (edits.length > 0) await step(b.component, 'go', ['mod', 'edit', ...edits], opts);

  for (const p of b.packages)
    await step(b.component, 'go', ['get', '-tool', `${p.pkg}@${b.moduleVersion}`], opts);
  for (const p of b.packages) {
    const out = path.join(dir, 'bin', p.bin);
    await step(
      b.component,
      'go',
      ['build', '-v', '-ldflags', `-s -w ${b.ldflags}`, '-o', tmpOf(out), p.pkg],
      opts,
    );
    renameSync(tmpOf(out), out);
  }
  markCurrent(dir, inputs);
  console.log(
    `${b.component} ${b.version}: built in ${formatDuration(Date.now() - started)} -> ${path.join(dir, 'bin')}`,
  );
}

export async function buildJaeger(): Promise<void> {
  const version = pin('JAEGER_VERSION');
  await goWrapperBuild({
    component: 'jaeger',
    version,
    module: 'github.com/jaegertracing/jaeger',
    moduleVersion: jaegerModuleVersion(version),
    packages: [{ pkg: 'github.com/jaegertracing/jaeger/cmd/jaeger', bin: 'jaeger' }],
    // What Jaeger's own Makefile stamps, so `jaeger version` names the release.
    ldflags: `-X github.com/jaegertracing/jaeger/internal/version.latestVersion=v${version.replace(/^v/, '')}`,
  });
}

/** What the Prometheus project's builds stamp (prometheus/common's version package), so `--version` names the release. */
function prometheusVersionLdflag(version: string): string {
  return `-X github.com/prometheus/common/version.Version=${version.replace(/^v/, '')}`;
}

export async function buildPrometheus(): Promise<void> {
  const version = pin('PROMETHEUS_VERSION');
  await goWrapperBuild({
    component: 'prometheus',
    version,
    module: 'github.com/prometheus/prometheus',
    moduleVersion: prometheusModuleVersion(version),
    packages: [
      { pkg: 'github.com/prometheus/prometheus/cmd/prometheus', bin: 'prometheus' },
      { pkg: 'github.com/prometheus/prometheus/cmd/promtool', bin: 'promtool' },
    ],
    // Without the `builtinassets` tag the web UI is absent (its assets are not in the module); the API works.
    ldflags: prometheusVersionLdflag(version),
  });
}

export async function buildAlertmanager(): Promise<void> {
  const version = pin('ALERTMANAGER_VERSION');
  await goWrapperBuild({
    component: 'alertmanager',
    version,
    module: 'github.com/prometheus/alertmanager',
    moduleVersion: version, // Alertmanager tags its releases and its Go module alike (v0.35.0)
    packages: [
      { pkg: 'github.com/prometheus/alertmanager/cmd/alertmanager', bin: 'alertmanager' },
      { pkg: 'github.com/prometheus/alertmanager/cmd/amtool', bin: 'amtool' },
    ],
    ldflags: prometheusVersionLdflag(version),
    // Its web UI (ui/app/dist) is built with npm and Elm upstream, not shipped in the module: the native
    // Alertmanager serves a page saying so; its API, which Prometheus and the tests use, is whole.
    embedPlaceholders: Object.fromEntries(
      ['ui/app/dist/elm/index.html', 'ui/app/dist/mantine/index.html'].map((f) => [
        f,
        ALERTMANAGER_UI_PLACEHOLDER,
      ]),
    ),
  });
}

const ALERTMANAGER_UI_PLACEHOLDER =
  '<!doctype html><title>Alertmanager</title><p>This Alertmanager was built from its Go module by the native ' +
  "lab, without its web UI (upstream builds it with npm). Its API answers under <a href='api/v2/alerts'>/api/v2</a>.\n";

export async function buildSloth(): Promise<void> {
  const version = pin('SLOTH_VERSION');
  await goWrapperBuild({
    component: 'sloth',
    version,
    module: 'github.com/slok/sloth',
    moduleVersion: version,
    packages: [{ pkg: 'github.com/slok/sloth/cmd/sloth', bin: 'sloth' }],
    // What Sloth's build script stamps: the generated rules' header names this version (scripts/build/bin).
    ldflags: `-X github.com/slok/sloth/internal/info.Version=${version}`,
  });
}

/** The builder manifest for otel-collector/config.yaml's components: the collector build's cache key. */
function collectorManifest(
  version: string,
  dir: string,
): { components: Record<Kind, ComponentModule[]>; manifest: string } {
  if (!existsSync(collectorConfigPath))
    throw new Error(`${collectorConfigPath} is missing: cannot derive the components`);
  const components = collectorComponents(readFileSync(collectorConfigPath, 'utf8'), version);
  const manifest = stringifyYaml({
    dist: {
      name: 'otelcol-lab',
      description:
        'Collector for the native SPM lab: exactly the components otel-collector/config.yaml declares',
      output_path: path.join(dir, 'src'),
      version,
    },
    ...components,
  });
  return { components, manifest };
}

/** Whether the cached collector was built for the components the config declares now (else `npm run build`). */
export function collectorBuildIsCurrent(): boolean {
  const version = pin('OTELCOL_VERSION');
  const dir = cacheDir('collector', version);
  return isCurrent(dir, collectorManifest(version, dir).manifest, [artifacts().collector]);
}

export async function buildCollector(): Promise<void> {
  const version = pin('OTELCOL_VERSION');
  const dir = cacheDir('collector', version);
  const binary = artifacts().collector;
  const { components, manifest } = collectorManifest(version, dir);
  if (isCurrent(dir, manifest, [binary])) {
    console.log(`collector ${version}: cached in ${dir}`);
  } else {
    const started = Date.now();
    const list = kinds.flatMap((k) => components[k].map((c) => path.basename(c.gomod.split(' ')[0] ?? '')));
    console.log(`collector ${version}: building with ${list.join(', ')} (cold: several minutes)`);
    mkdirSync(path.join(dir, 'bin'), { recursive: true });
    const logFile = path.join(dir, 'build.log');
    const env = { ...goEnv(), GOBIN: path.join(dir, 'tools') };
    const builder = path.join(dir, 'tools', 'builder');
    if (!existsSync(builder)) {
      await step('collector', 'go', ['install', `go.opentelemetry.io/collector/cmd/builder@v${version}`], {
        env,
        logFile,
      });
    }
    const manifestPath = path.join(dir, 'manifest.yaml');
    writeFileSync(manifestPath, manifest);
    // The builder adds -trimpath and strips symbols (-s -w) itself; --verbose shows the packages compiling.
    const gonosumdb = [process.env.GONOSUMDB, ...MODULES_WITHOUT_SUMDB_ENTRY].filter(
      (p) => p !== undefined && p !== '',
    );
    await step('collector', builder, ['--verbose', '--config', manifestPath], {
      env: { ...goEnv(), GONOSUMDB: gonosumdb.join(',') },
      logFile,
    });
    renameSync(path.join(dir, 'src', 'otelcol-lab'), binary);
    markCurrent(dir, manifest);
    console.log(`collector ${version}: built in ${formatDuration(Date.now() - started)} -> ${binary}`);
  }
  // The binary must accept the config it was built for (unknown keys, renamed types show up here, not at `up`).
  try {
    run(binary, ['validate', `--config=${collectorConfigPath}`]);
  } catch (err) {
    throw new Error(`collector: otel-collector/config.yaml does not validate: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

export async function buildCassandra(): Promise<void> {
  const version = pin('CASSANDRA_VERSION');
  const dir = cacheDir('cassandra', version);
  const lib = path.join(dir, 'lib');
  const jar = path.join(lib, `cassandra-all-${version}.jar`);
  const pom = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by native/build.ts: only used to resolve cassandra-all's runtime jars from Maven Central. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>lab.local</groupId>
  <artifactId>cassandra-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.cassandra</groupId>
      <artifactId>cassandra-all</artifactId>
      <version>${version}</version>
    </dependency>
  </dependencies>
</project>
`;
  // `java -version` prints to stderr, e.g. `openjdk version "17.0.15" 2025-04-15`.
  const javaMajor = Number(
    /version "(\d+)/.exec(run('sh', ['-c', 'java -version 2>&1'], { allowFail: true }))?.[1],
  );
  if (!(javaMajor >= 17)) throw new Error('cassandra: Java 17 or newer is needed on PATH (`java -version`)');
  if (isCurrent(dir, pom, [jar])) {
    console.log(`cassandra ${version}: cached in ${dir}`);
    return;
  }
  const started = Date.now();
  console.log(`cassandra ${version}: resolving cassandra-all and its runtime jars from Maven Central`);
  mkdirSync(dir, { recursive: true });
  rmSync(lib, { recursive: true, force: true });
  writeFileSync(path.join(dir, 'pom.xml'), pom);
  await step(
    'cassandra',
    'mvn',
    [
      '-B',
      '-ntp',
      'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${lib}`,
    ],
    { cwd: dir, logFile: path.join(dir, 'build.log') },
  );
  markCurrent(dir, pom);
  console.log(`cassandra ${version}: ready in ${formatDuration(Date.now() - started)} -> ${lib}`);
}

export async function buildServices(): Promise<void> {
  const started = Date.now();
  await step(
    'services',
    process.execPath,
    [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'services'],
    {
      cwd: repoRoot,
      logFile: path.join(cacheRoot, 'services-build.log'),
    },
  );
  console.log(`services: compiled in ${formatDuration(Date.now() - started)}`);
}

/** Host tools the runner needs: `ip` (iproute2) and `socat` (publishes ports from 127.0.0.1 into the namespaces). */
export async function ensureHostTools(): Promise<void> {
  if (!commandExists('ip')) throw new Error('`ip` (iproute2) is needed for the network namespaces');
  if (commandExists('socat')) return;
  if (process.getuid?.() !== 0) throw new Error('socat is missing: install it (apt-get install socat)');
  console.log('socat: installing from Debian (apt-get install socat)');
  await step('socat', 'apt-get', ['install', '-y', '--no-install-recommends', 'socat'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    logFile: path.join(cacheRoot, 'apt-socat.log'),
  });
}

export const components = [
  'collector',
  'jaeger',
  'prometheus',
  'alertmanager',
  'sloth',
  'cassandra',
  'services',
] as const;
export type Component = (typeof components)[number];

/** Builds the selected components: Go builds one after another (2 cores), Maven and host tools alongside. */
export async function buildAll(selected: readonly Component[] = components): Promise<Artifacts> {
  const want = (c: Component): boolean => selected.includes(c);
  mkdirSync(cacheRoot, { recursive: true });
  const started = Date.now();
  const go = (async () => {
    if (want('prometheus')) await buildPrometheus();
    if (want('jaeger')) await buildJaeger();
    if (want('collector')) await buildCollector();
    if (want('alertmanager')) await buildAlertmanager();
    if (want('sloth')) await buildSloth();
  })();
  const other = (async () => {
    await ensureHostTools();
    if (want('cassandra')) await buildCassandra();
    if (want('services')) await buildServices();
  })();
  const results = await Promise.allSettled([go, other]);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0)
    throw new AggregateError(
      failed.map((f) => f.reason as Error),
      'native build failed',
    );
  console.log(`build: done in ${formatDuration(Date.now() - started)} (cache: ${cacheRoot})`);
  return artifacts();
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const bad = args.filter((a) => !(components as readonly string[]).includes(a));
  if (bad.length > 0) {
    console.error(`usage: node native/build.ts [${components.join('|')} ...]; unknown: ${bad.join(' ')}`);
    process.exit(2);
  }
  try {
    await buildAll(args.length === 0 ? components : (args as Component[]));
  } catch (err) {
    const errors = err instanceof AggregateError ? (err.errors as Error[]) : [err as Error];
    for (const e of errors) console.error(`✗ ${e.message}`);
    process.exit(1);
  }
}
