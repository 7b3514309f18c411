import { BadGatewayException, Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { queryValue } from '@lab/common';
import { IntParamPipe } from './int-param.pipe';
import { LabService } from './lab.service';

@Controller()
export class AppController {
  constructor(private readonly lab: LabService) {}

  @Get()
  root(): ReturnType<LabService['hello']> {
    return this.lab.hello();
  }

  @Get('items/:item_id')
  item(
    @Param('item_id', IntParamPipe) itemId: number,
    @Query('q') q: unknown,
  ): ReturnType<LabService['item']> {
    return this.lab.item(itemId, queryValue(q));
  }

  @Get('io_task')
  ioTask(): ReturnType<LabService['ioTask']> {
    return this.lab.ioTask();
  }

  @Get('cpu_task')
  cpuTask(): ReturnType<LabService['cpuTask']> {
    return this.lab.cpuTask();
  }

  /** The status is drawn per request, so it is set on the response; Nest still sends the returned body. */
  @Get('random_status')
  randomStatus(
    @Res({ passthrough: true }) response: Response,
  ): ReturnType<LabService['randomStatus']>['body'] {
    const { status, body } = this.lab.randomStatus();
    response.status(status);
    return body;
  }

  @Get('random_sleep')
  randomSleep(): ReturnType<LabService['randomSleep']> {
    return this.lab.randomSleep();
  }

  @Get('error_test')
  errorTest(): never {
    return this.lab.errorTest();
  }

  @Get('chain')
  async chain(): Promise<unknown> {
    const result = await this.lab.chain();
    if (!result.ok) throw new BadGatewayException(result.body);
    return result.body;
  }
}
