import { Inject, Injectable } from '@nestjs/common';
import {
  chain,
  cpuTask,
  errorTest,
  hello,
  ioTask,
  item,
  randomSleep,
  randomStatus,
  type ChainResult,
  type ServiceConfig,
} from '@lab/common';
import { SERVICE, SERVICE_CONFIG } from './config.provider';

/** The shared endpoint behaviour as an injectable provider, the way a Nest app holds its logic. */
@Injectable()
export class LabService {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  hello(): ReturnType<typeof hello> {
    return hello(SERVICE);
  }

  item(itemId: number, q: string | null): ReturnType<typeof item> {
    return item(itemId, q);
  }

  ioTask(): ReturnType<typeof ioTask> {
    return ioTask();
  }

  cpuTask(): ReturnType<typeof cpuTask> {
    return cpuTask();
  }

  randomStatus(): ReturnType<typeof randomStatus> {
    return randomStatus();
  }

  randomSleep(): ReturnType<typeof randomSleep> {
    return randomSleep();
  }

  errorTest(): never {
    return errorTest();
  }

  chain(): Promise<ChainResult> {
    return chain({ config: this.config, service: SERVICE });
  }
}
