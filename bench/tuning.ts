// What the configs were tuned for and what each setting bought, measured with this bench on the same machine
// while tuning (2026-11-24). Written into BENCHMARKS.md verbatim: these before/after figures come from the tuning
// runs, not from the run the rest of the file reports.
export const TUNING = `The first runs missed two targets, both on the way from a span to what the learner sees. The lab's own
load produces about **9 spans/s at 1 VU and 107 spans/s at 10 VUs** (the collector's accepted-spans counter).

| Setting | Before | After | What it bought (measured while tuning) |
| --- | --- | --- | --- |
| \`jaeger/collector.yaml\`: no \`batch\` processor in the Jaeger collector's pipeline | \`processors: [batch]\` | \`processors: []\` | Jaeger writes each span to Cassandra with a dozen or more synchronous inserts (the span, then one index row per tag); the batch processor funnels all of it through one goroutine. Lab-shaped spans (telemetrygen, 20 s steps): before, even 100 spans/s was not kept up with (the collector's Jaeger queue never drained); after, 400 spans/s held (up to 10 export requests write in parallel). At 10 VUs, before: Jaeger found only 3 of 9 probe traces within 60 s; after (with the settings below): 45 of 45, p95 2.1 s. |
| \`jaeger/collector.yaml\`: \`index.process_tags: false\` (Cassandra) | every resource attribute indexed | resource attributes stored, not indexed | Each lab span carries ~16 resource attributes (host, os, process); not indexing them saves ~16 Cassandra writes per span. 800 lab-shaped spans/s: a 4,400-span backlog drained in 9 s, where 400/s was the most before (~1.5-2×). Trace search by span tags (\`error=true\`, \`http.route\`) works as before. |
| \`otel-collector/config.yaml\`: \`batch.send_batch_size\`/\`send_batch_max_size: 512\` and \`otlp_grpc/jaeger.timeout: 30s\` | 8192 spans per request (uncapped), 5 s timeout | at most 512 spans per request, 30 s | Under a backlog the batch processor built requests of up to 8192 spans that the Jaeger path could not store within 5 s: they were cancelled (\`DeadlineExceeded\`) and retried whole, so the path collapsed — after 20 s at 1,600 spans/s the backlog drained at ~70 spans/s. After: the 21,600-span backlog drained in 35 s (~620 spans/s), no \`DeadlineExceeded\`. |
| \`.env\` \`SPANMETRICS_FLUSH_INTERVAL\` (and its defaults in docker-compose.yaml and the collector config) | 5s | 2s | Request -> call counted in Prometheus, p95 over 45 probes: 11.1 s -> 6.7 s at 1 VU, 10.1 s -> 7.5 s at 10 VUs (Prometheus still scrapes every 5 s). Costs a flush of a few hundred series every 2 s. |
| \`tempo/tempo.yaml\`: \`query_frontend.query_end_cutoff\`, \`live_store.max_trace_idle\`, \`live_store.flush_check_period\` (issue 15) | 30s, 5s, 5s (Tempo's defaults) | 1s, 1s, 1s | Request -> trace found by TraceQL search: ~31 s before (3 probes by hand); this run's p95 is in the Freshness table, its cost in CPU and memory in the cost table. |
| \`.env\` \`SPANMETRICS_FLUSH_INTERVAL\` and the span-metrics job's \`scrape_interval\` (issue 15) | 2s, 5s | 1s, 1s | Request -> call counted in Prometheus, p95: 6.8-7.6 s before, 4.5 s with a 2 s scrape (\`--quick\`); with the 1 s scrape, the Freshness table. The span_metrics connector clears its exemplars at every flush (connector.go, 0.159.0), so a scrape slower than the flush never sees some: with the 2 s scrape, 4 of 9 probes' exemplars never reached Prometheus; the scrape now equals the flush. Cost: Prometheus appends several times the samples of the upstream defaults (the cost table above). |

Not changed, and why:
- Cassandra's heap (\`MAX_HEAP_SIZE=512M\`): the whole lab stays at about 1.75 GiB PSS, well under 2.5 GiB, and
  Cassandra keeps up once Jaeger writes in parallel.
- The instrumentation overhead on \`/\` (target missed) is not a matter of settings. \`/\` does almost nothing
  (60-150 µs of CPU), and each request makes 2 (express), 3 (fastify) or 7 (nestjs) spans; creating, ending
  and exporting them costs more than the handler. Measured while tuning (fastify and express, \`/\` at 500 req/s,
  3 interleaved rounds on an isolated CPU): spans created but not exported (\`OTEL_TRACES_EXPORTER=none\`) cost
  about half of the added CPU, the OTLP export the other half; OTLP/HTTP instead of gRPC made no difference
  beyond the rounds' spread (fastify 200-288 vs 238-358 µs/request, express 230-350 vs 297-334). What would
  cut it — fewer instrumentations, or sampling — removes the spans the workshop is about, so the lab keeps
  them. Where a handler does real work or waits (\`/chain\`), the ratio is 1.00.
- The Jaeger path's capacity (no target): it is CPU-bound here (Jaeger and Cassandra take ~1.6 of the two
  cores at its limit), at 2× the lab's 10-VU load. Each lab span is ~19 Cassandra inserts, ~14 of them
  tag-index rows; \`index.tag_whitelist\` (\`jaeger/collector.yaml\`) limited to the tags the exercises search by
  would cut that to ~6, but a learner searching Jaeger by any other tag (\`url.path\`, \`client.address\`) would
  then silently find nothing.
- The services' \`OTEL_BSP_SCHEDULE_DELAY\` (1 s): every signal is within its target with it; a shorter delay
  would make every service send more, smaller export requests.`;
