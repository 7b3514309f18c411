import {
  Injectable,
  UnprocessableEntityException,
  type ArgumentMetadata,
  type PipeTransform,
} from '@nestjs/common';
import { parseIntParam } from '@lab/common';

/**
 * Parses a route or query parameter as an integer with the shared rule; a bad value is a 422 whose
 * body names the parameter, as FastAPI answers (`{"detail": [{"loc": ["path", "item_id"], ...}]}`).
 */
@Injectable()
export class IntParamPipe implements PipeTransform<unknown, number> {
  transform(value: unknown, metadata: ArgumentMetadata): number {
    const location = metadata.type === 'query' ? 'query' : 'path';
    const parsed = parseIntParam(location, metadata.data ?? 'value', value);
    if (!parsed.ok) throw new UnprocessableEntityException(parsed.body);
    return parsed.value;
  }
}
