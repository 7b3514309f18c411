import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { clientErrorBody, internalErrorBody, notFoundBody } from '@lab/common';

/**
 * Shapes every error answer like the other two services: 404 and 4xx as JSON in the shared shape, a
 * structured HttpException body (422 validation, 502 chain) as it is, and anything else as a logged 500.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('AllExceptionsFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();

    if (exception instanceof NotFoundException) {
      response.status(HttpStatus.NOT_FOUND).json(notFoundBody(request.method, request.originalUrl));
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      // Thrown with a structured body of our own (it has `detail`): send it unchanged.
      if (typeof body === 'object' && 'detail' in body) {
        response.status(status).json(body);
        return;
      }
      if (status < 500) {
        response.status(status).json(clientErrorBody(exception.message));
        return;
      }
    }
    this.logger.error(
      `unhandled error on ${request.method} ${request.originalUrl}`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    response.status(HttpStatus.INTERNAL_SERVER_ERROR).json(internalErrorBody());
  }
}
