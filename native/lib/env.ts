// The lab's pins and tunables: .env parsed by dotenv, with the shell winning over the file as it does for
// `docker compose` (see the header of .env).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { repoRoot } from './paths.ts';

export type Env = Readonly<Record<string, string>>;

let cached: Env | undefined;

export function labEnv(): Env {
  if (cached === undefined) {
    const fromFile = dotenv.parse(readFileSync(path.join(repoRoot, '.env'), 'utf8'));
    const merged: Record<string, string> = { ...fromFile };
    for (const key of Object.keys(fromFile)) {
      const shell = process.env[key];
      if (shell !== undefined) merged[key] = shell;
    }
    cached = merged;
  }
  return cached;
}

/** A variable that must be set in .env (or the shell); fails naming it otherwise. */
export function pin(name: string): string {
  const value = labEnv()[name] ?? process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`.env: ${name} is not set (the native lab reads its versions from /.env)`);
  }
  return value;
}
