import 'reflect-metadata';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type FaultSource, NO_FAULTS, type ServiceConfig } from '@lab/common';
import { AppModule } from './app.module';

export { SERVICE } from './config.provider';

/** The Nest application, not yet listening. */
export function buildApp(
  config: ServiceConfig,
  logger: LogLevel[] | false = ['error', 'warn'],
  faults: FaultSource = NO_FAULTS,
): Promise<INestApplication> {
  // Nest declares its options as a class, yet takes (and documents) a plain object.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  return NestFactory.create(AppModule.forRoot(config, faults), { logger });
}
export { AllExceptionsFilter } from './all-exceptions.filter';
export { AppController } from './app.controller';
export { AppModule } from './app.module';
export { FaultInterceptor } from './fault.interceptor';
export { IntParamPipe } from './int-param.pipe';
export { LabService } from './lab.service';
