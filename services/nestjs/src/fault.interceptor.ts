import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import { type Observable, from, mergeMap } from 'rxjs';
import { type FaultSource, applyFault } from '@lab/common';
import { FAULTS } from './config.provider';

/**
 * Applies the run-time faults (see @lab/common faults.ts) to every route, as a global interceptor: it waits
 * the added latency before the handler runs, then throws an injected error, which the exception filter
 * answers with a 500 like any error thrown by a handler. Interceptors run inside the span the zero-code
 * instrumentation opens for the controller method (`AppController.<method>`), so they add no span.
 */
@Injectable()
export class FaultInterceptor implements NestInterceptor {
  constructor(@Inject(FAULTS) private readonly faults: FaultSource) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    // Nest routes through Express: the matched route template (`/items/:item_id`) is Express' req.route.
    const route = (request.route as { path?: unknown } | undefined)?.path;
    const plan = this.faults.plan(
      typeof route === 'string' ? route : request.path,
      request.get('user-agent'),
    );
    if (plan === undefined) return next.handle();
    return from(applyFault(plan)).pipe(mergeMap(() => next.handle()));
  }
}
