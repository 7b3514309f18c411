/**
 * JSON error bodies shared by the three services. Validation errors follow FastAPI's shape
 * (`{"detail": [{"type", "loc", "msg", "input"}]}`), so the lab answers like the app it re-creates.
 */

export type ParamLocation = 'path' | 'query';

export interface ValidationIssue {
  readonly type: string;
  readonly loc: readonly [ParamLocation, string];
  readonly msg: string;
  readonly input: unknown;
}

export interface ValidationErrorBody {
  readonly detail: readonly ValidationIssue[];
}

export type ParseResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly body: ValidationErrorBody };

/** Parses a request parameter as an integer: an optional minus and digits, within the safe integer range. */
export function parseIntParam(location: ParamLocation, name: string, raw: unknown): ParseResult<number> {
  const text = typeof raw === 'string' ? raw : undefined;
  if (text !== undefined && /^-?\d+$/.test(text)) {
    const value = Number(text);
    if (Number.isSafeInteger(value)) return { ok: true, value };
    return invalid(
      location,
      name,
      raw,
      'int_parsing_size',
      'Unable to parse input string as an integer, exceeded maximum size',
    );
  }
  return invalid(
    location,
    name,
    raw,
    'int_parsing',
    'Input should be a valid integer, unable to parse string as an integer',
  );
}

function invalid(
  location: ParamLocation,
  name: string,
  input: unknown,
  type: string,
  msg: string,
): ParseResult<never> {
  return { ok: false, body: { detail: [{ type, loc: [location, name], msg, input }] } };
}

/** Status of a failed parameter validation, as FastAPI answers it. */
export const VALIDATION_STATUS = 422;

export function notFoundBody(
  method: string,
  path: string,
): { detail: 'Not Found'; method: string; path: string } {
  return { detail: 'Not Found', method, path: path.split('?', 1)[0] ?? path };
}

/** The body of every 500: the details stay in the logs and the trace, not in the answer. */
export function internalErrorBody(): { detail: 'Internal Server Error' } {
  return { detail: 'Internal Server Error' };
}

/** A 4xx raised by the framework itself (malformed request and the like). */
export function clientErrorBody(message: string): { detail: string } {
  return { detail: message };
}
