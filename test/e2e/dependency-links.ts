// The links jaegertracing/spark-dependencies (v0.7.2, SpansToDependencyLinks and CassandraDependenciesJob) writes
// for a set of traces, and writing them the way it does: the native lab cannot run the job (no registry serves
// it), so the end-to-end test computes what it would write from traces read back from Jaeger, stores that row in
// Cassandra's dependencies_v2, and reads it through jaeger-query's /api/dependencies.
//
// The job, for each trace: every span with a reference (CHILD_OF or FOLLOWS_FROM) to a span of the same trace makes
// one link parent's service -> the span's service, within a service too (a /chain's server span -> its own client
// spans counts fastify -> fastify); a leaf span with a peer.service tag links to that name. Links are summed per
// (parent, child) over all traces of the UTC day, and stored as that day's one row: ts = ts_bucket = midnight UTC,
// each link a `dependency` (parent, child, call_count, source 'jaeger').
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, types } from 'cassandra-driver';
import { parse } from 'yaml';
import type { DependencyLink } from '../../verify/apis/jaeger.ts';
import { REPO_ROOT } from '../../verify/compose.ts';

/** jaeger/collector.yaml's Cassandra: the keyspace Jaeger creates, the datacenter it routes to, its servers. */
export function jaegerCassandra(): { keyspace: string; localDc: string; servers: string[] } {
  const file = path.join(REPO_ROOT, 'jaeger', 'collector.yaml');
  const doc = parse(readFileSync(file, 'utf8')) as {
    extensions: {
      jaeger_storage: {
        backends: Record<
          string,
          { cassandra: { schema: { keyspace: string }; connection: { servers: string[]; local_dc: string } } }
        >;
      };
    };
  };
  const cassandra = Object.values(doc.extensions.jaeger_storage.backends)[0]?.cassandra;
  if (cassandra === undefined) throw new Error(`${file}: no Cassandra backend`);
  return {
    keyspace: cassandra.schema.keyspace,
    localDc: cassandra.connection.local_dc,
    servers: cassandra.connection.servers,
  };
}

/** A span of Jaeger's UI trace model (/api/traces/{id}), as much of it as the job reads. */
export interface ModelSpan {
  spanID: string;
  processID: string;
  references?: { refType: string; spanID: string }[];
  tags?: { key: string; value: unknown }[];
}

export interface ModelTrace {
  spans: ModelSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** The job's links of these traces, summed per (parent, child), sorted. */
export function dependencyLinks(
  traces: readonly ModelTrace[],
  peerServiceTag = 'peer.service',
): DependencyLink[] {
  const counts = new Map<string, DependencyLink>();
  const add = (parent: string, child: string): void => {
    const key = `${parent}\u0000${child}`;
    const link = counts.get(key) ?? { parent, child, callCount: 0 };
    link.callCount += 1;
    counts.set(key, link);
  };
  for (const trace of traces) {
    const service = (span: ModelSpan): string | undefined => trace.processes[span.processID]?.serviceName;
    const byId = new Map(trace.spans.map((s) => [s.spanID, s]));
    const hasChildren = new Set(trace.spans.flatMap((s) => (s.references ?? []).map((r) => r.spanID)));
    for (const span of trace.spans) {
      const child = service(span);
      if (child === undefined || (span.references ?? []).length === 0) continue;
      for (const ref of span.references ?? []) {
        const parentSpan = byId.get(ref.spanID);
        const parent = parentSpan === undefined ? undefined : service(parentSpan);
        if (parent !== undefined) add(parent, child);
      }
      if (!hasChildren.has(span.spanID)) {
        const peer = span.tags?.find((t) => t.key === peerServiceTag)?.value;
        if (typeof peer === 'string') add(child, peer);
      }
    }
  }
  return [...counts.values()].sort((a, b) =>
    `${a.parent} ${a.child}`.localeCompare(`${b.parent} ${b.child}`),
  );
}

/** Midnight UTC of the day `ms` falls in: the job's ts and ts_bucket. */
export function utcDay(ms: number): Date {
  const d = new Date(ms);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** Writes `links` as the day's row of `keyspace`.dependencies_v2, as the job's CassandraDependenciesV2 does. */
export async function writeDayRow(
  contactPoint: { host: string; port: number },
  localDc: string,
  keyspace: string,
  dayMs: number,
  links: readonly DependencyLink[],
): Promise<void> {
  const client = new Client({
    contactPoints: [`${contactPoint.host}:${String(contactPoint.port)}`],
    localDataCenter: localDc,
    keyspace,
  });
  try {
    await client.connect();
    const day = utcDay(dayMs);
    await client.execute(
      'INSERT INTO dependencies_v2 (ts_bucket, ts, dependencies) VALUES (?, ?, ?)',
      [
        day,
        day,
        links.map((l) => ({
          parent: l.parent,
          child: l.child,
          call_count: types.Long.fromNumber(l.callCount),
          source: 'jaeger',
        })),
      ],
      { prepare: true },
    );
  } finally {
    await client.shutdown();
  }
}
