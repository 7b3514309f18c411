/** DI token of the service configuration (a ServiceConfig from @lab/common). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/** DI token of the run-time fault source (a FaultSource from @lab/common). */
export const FAULTS = Symbol('FAULTS');

/** The name this service answers with (its traces are named by OTEL_SERVICE_NAME). */
export const SERVICE = 'nestjs';
