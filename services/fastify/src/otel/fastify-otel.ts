/**
 * Instrumentation setup, not app code: a second preload after the zero-code register hook
 * (`node --require @opentelemetry/auto-instrumentations-node/register --require ./dist/otel/fastify-otel.js dist/main.js`).
 *
 * The auto-instrumentations bundle has no Fastify instrumentation, so without this the SERVER spans
 * carry no http.route and are named just `GET`. Fastify's official @fastify/otel registers itself on
 * every Fastify instance as it is created (registerOnInitialization), sets the route on the HTTP SERVER
 * span and records handler errors; the app itself imports nothing from OpenTelemetry.
 */
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { registerInstrumentations } from '@opentelemetry/instrumentation';

registerInstrumentations({
  instrumentations: [new FastifyOtelInstrumentation({ registerOnInitialization: true })],
});
