import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { type FaultSource, NO_FAULTS, type ServiceConfig } from '@lab/common';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { AppController } from './app.controller';
import { FAULTS, SERVICE_CONFIG } from './config.provider';
import { FaultInterceptor } from './fault.interceptor';
import { LabService } from './lab.service';

@Module({})
// A Nest module is a decorated class; this one only builds its configured form.
// eslint-disable-next-line @typescript-eslint/no-extraneous-class
export class AppModule {
  /** The module with its configuration, read once at start-up by main.ts, and its run-time faults. */
  static forRoot(config: ServiceConfig, faults: FaultSource = NO_FAULTS): DynamicModule {
    return {
      module: AppModule,
      controllers: [AppController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: FAULTS, useValue: faults },
        LabService,
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_INTERCEPTOR, useClass: FaultInterceptor },
      ],
    };
  }
}
