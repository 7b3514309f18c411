import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { ServiceConfig } from '@lab/common';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { AppController } from './app.controller';
import { SERVICE_CONFIG } from './config.provider';
import { LabService } from './lab.service';

@Module({})
// A Nest module is a decorated class; this one only builds its configured form.
// eslint-disable-next-line @typescript-eslint/no-extraneous-class
export class AppModule {
  /** The module with its configuration, read once at start-up by main.ts. */
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [AppController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        LabService,
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
