/** DI token of the service configuration (a ServiceConfig from @lab/common). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/** The name this service answers with (its traces are named by OTEL_SERVICE_NAME). */
export const SERVICE = 'nestjs';
