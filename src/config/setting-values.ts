// How a setting's value is read, whichever door it came through: an action input (always a
// string), a command-line flag (a string, or several for a repeatable flag) or a key of the run
// config file (a typed YAML value). Each parser throws an Error whose message names the value
// and what was expected; the caller adds where it was written.
import { existsSync, readFileSync } from 'node:fs';
import { ENV_NAME } from '../util/child-env';
import { ROLES, type Role } from './roles';
import type { ParamValue } from './scenario-schema';
import { didYouMean } from './suggest';
import { FieldError } from './zod-fields';
import { parseDurationValue } from './units';

export const TRUE_WORDS = ['true', 'yes', 'on', '1'];
export const FALSE_WORDS = ['false', 'no', 'off', '0'];

export function parseBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (TRUE_WORDS.includes(s)) return true;
  if (FALSE_WORDS.includes(s)) return false;
  throw new Error(`"${String(v)}" is not true or false`);
}

/** A list from an array, or from a string split on commas and newlines (action inputs). */
export function parseList(v: unknown): string[] {
  const items = Array.isArray(v) ? v.map((x) => String(x)) : typeof v === 'string' ? v.split(/[,\n]/) : null;
  if (items === null) throw new Error(`expected a list or a comma-separated string, got ${typeof v}`);
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** A string, trimmed; '' is "not given" (null). */
export function parseText(v: unknown): string | null {
  const s = String(v).trim();
  return s === '' ? null : s;
}

/** `name=value` pairs from "a=1, b=2" / newline-separated / a JSON object / a map. */
export function parsePairs(v: unknown, what: string): Record<string, string> {
  if (Array.isArray(v)) return parsePairs(v.map(String).join(','), what);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
  }
  if (typeof v !== 'string') throw new Error(`expected ${what} like "api=web,cache=redis" or a map`);
  const text = v.trim();
  if (text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`invalid JSON: ${(error as Error).message}`);
    }
    return parsePairs(json, what);
  }
  const out: Record<string, string> = {};
  for (const part of text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`"${part}" is not name=value (write it like "api=web,cache=redis")`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export function parseServiceMap(v: unknown): Partial<Record<Role, string>> {
  const pairs = parsePairs(v, 'a service map');
  const out: Partial<Record<Role, string>> = {};
  for (const [role, service] of Object.entries(pairs)) {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new FieldError(`unknown role "${role}"${didYouMean(role, ROLES)} (roles: ${ROLES.join(', ')})`, [
        role,
      ]);
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(service)) {
      throw new FieldError(`"${service}" is not a compose service name`, [role], false);
    }
    out[role as Role] = service;
  }
  return out;
}

export function parseParams(v: unknown): Record<string, ParamValue> {
  const pairs = parsePairs(v, 'params');
  for (const key of Object.keys(pairs)) {
    if (!/^([a-z0-9][a-z0-9-]*\.)?[A-Za-z_][\w-]*$/.test(key))
      throw new Error(`"${key}" is not a parameter name`);
  }
  return pairs;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** "POST /v1/predict" (or just "/v1/predict", a GET). */
export function parseRequestLine(v: unknown): { method: string; path: string } {
  const text = String(v).trim();
  const match = /^(?:([A-Za-z]+)\s+)?(\/\S*)$/.exec(text);
  if (!match)
    throw new Error(`"${text}" is not a request (write it like "POST /v1/predict" or "GET /item/1")`);
  const method = (match[1] ?? 'GET').toUpperCase();
  if (!METHODS.includes(method))
    throw new Error(
      `"${match[1]}" is not an HTTP method${didYouMean(method, METHODS)} (${METHODS.join(', ')})`,
    );
  return { method, path: match[2] };
}

/** A JSON value: a string is JSON text, anything else (a YAML map) is the value itself. */
export function parseJsonValue(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message}`);
  }
}

export function parseStatusList(v: unknown): number[] {
  const items = Array.isArray(v)
    ? v
    : String(v)
        .split(/[,\s]+/)
        .filter(Boolean);
  return items.map((item) => {
    const n = Number(item);
    if (!Number.isInteger(n) || n < 100 || n > 599)
      throw new Error(`"${String(item)}" is not an HTTP status`);
    return n;
  });
}

export function parseUrlPath(v: unknown): string {
  const s = String(v).trim();
  if (!s.startsWith('/')) throw new Error(`"${s}" is not a path (it must start with /)`);
  return s;
}

/** An http(s) URL without a trailing slash; '' is "not given" (null). */
export function parseHttpUrl(v: unknown): string | null {
  const s = String(v).trim();
  if (s === '') return null;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new Error(`"${s}" is not a URL (write it like http://localhost:8000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${s}" is not an http(s) URL`);
  return s.replace(/\/+$/, '');
}

export function parseScale(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n) || n <= 0 || n > 100)
    throw new Error(`"${String(v)}" is not a scale factor (a number > 0, e.g. 0.5)`);
  return n;
}

/** ready-timeout: a wait between 1 s and 1 h; a bare number is seconds. */
export function parseReadyTimeout(v: unknown): number {
  const ms = parseDurationValue(v, 's');
  if (ms <= 0 || ms > 3_600_000)
    throw new Error(`"${String(v)}" is not a wait between 1s and 1h (e.g. 120s)`);
  return ms;
}

export function parseProfile(v: unknown): 'ci' | 'production' {
  const s = String(v).trim();
  if (s === 'ci' || s === 'production') return s;
  throw new Error(`"${s}" is not a profile (ci or production)${didYouMean(s, ['ci', 'production'])}`);
}

/** paired-inconclusive: warn or fail. */
export function parsePairedInconclusive(v: unknown): 'warn' | 'fail' {
  const s = String(v).trim();
  if (s === 'warn' || s === 'fail') return s;
  throw new Error(`"${s}" is not warn or fail${didYouMean(s, ['warn', 'fail'])}`);
}

/** Variable names, each passed to compose on purpose (compose-env). */
export function parseEnvNames(v: unknown): string[] {
  return parseList(v).map((name) => {
    if (!ENV_NAME.test(name)) throw new Error(`"${name}" is not an environment variable name`);
    return name;
  });
}

/** A paired run's base files must be there before anything starts: a missing base checkout is named, not found later by compose. */
export function parseExistingFiles(v: unknown): string[] {
  return parseList(v).map((file) => {
    if (!existsSync(file))
      throw new Error(`${file} does not exist (is the base revision checked out there?)`);
    return file;
  });
}

/** The content of the file named. */
export function readBodyFile(v: unknown): string {
  const file = String(v).trim();
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
