// Narrowing of JSON answers: each helper names what it expected, so a surprising answer says where.
import { ProbeError } from '../http.ts';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new TypeError(`${what}: expected an object, got ${describe(value)}`);
  return value;
}

export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${what}: expected a list, got ${describe(value)}`);
  return value as unknown[];
}

/** A list that JSON encoders leave out (or set to null) when it is empty. */
export function asOptionalArray(value: unknown, what: string): unknown[] {
  return value === undefined || value === null ? [] : asArray(value, what);
}

export function asString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what}: expected a string, got ${describe(value)}`);
  return value;
}

export function asNumber(value: unknown, what: string): number {
  if (typeof value !== 'number') throw new TypeError(`${what}: expected a number, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
}

/** Parses an answer of `url`; a shape error becomes a ProbeError that names the URL. */
export function parsed<T>(url: string, body: unknown, parse: (body: unknown) => T): T {
  try {
    return parse(body);
  } catch (error) {
    throw new ProbeError('body', url, `${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
