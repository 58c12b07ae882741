import type { TSESLint } from '@typescript-eslint/utils';

import { NAMESPACE } from './version.js';

/** `settings['db-guard']` as users write it in their flat config. */
export interface DbGuardSettings {
  /** Extra method names that check a connection out of a pool-like receiver (`pool.checkout()`). */
  acquire?: string[];
  /** Extra method names called on a connection that release it (`conn.giveBack()`). */
  release?: string[];
  /** Extra functions that release the connection passed as their first argument (`returnToPool(conn)`). */
  releaseFunctions?: string[];
  /** Module specifiers (your own wrappers, e.g. `./db` or `@acme/db`) whose imports are pools. */
  poolModules?: string[];
  /** Extra query method names (for the stale-connection rules). */
  query?: string[];
  /** Typed mode: recognise driver objects by their declared types (needs type information). */
  typed?: boolean;
}

/** Settings after validation, with every list present. */
export interface ResolvedSettings {
  readonly acquire: ReadonlySet<string>;
  readonly release: ReadonlySet<string>;
  readonly releaseFunctions: ReadonlySet<string>;
  readonly poolModules: ReadonlySet<string>;
  readonly query: ReadonlySet<string>;
  readonly typed: boolean;
}

const KEYS = ['acquire', 'release', 'releaseFunctions', 'poolModules', 'query', 'typed'] as const;

const EMPTY: ResolvedSettings = {
  acquire: new Set(),
  release: new Set(),
  releaseFunctions: new Set(),
  poolModules: new Set(),
  query: new Set(),
  typed: false,
};

const cache = new WeakMap<object, ResolvedSettings>();

/** Thrown for a malformed `settings['db-guard']`: ESLint shows the message, never a rule crash. */
export class SettingsError extends Error {
  constructor(detail: string) {
    super(`Invalid settings['${NAMESPACE}']: ${detail}`);
    this.name = 'SettingsError';
  }
}

/**
 * Reads and validates `settings['db-guard']` once per settings object. Unknown keys and values of the
 * wrong type are errors, so a typo never silently disables a check.
 */
export function getSettings(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): ResolvedSettings {
  const raw: unknown = context.settings[NAMESPACE];
  if (raw === undefined) return EMPTY;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SettingsError('expected an object.');
  }
  const cached = cache.get(raw);
  if (cached) return cached;
  const resolved = parseSettings(raw as Record<string, unknown>);
  cache.set(raw, resolved);
  return resolved;
}

function parseSettings(raw: Record<string, unknown>): ResolvedSettings {
  for (const key of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new SettingsError(`unknown key "${key}" (allowed: ${KEYS.join(', ')}).`);
    }
  }
  return {
    acquire: stringSet(raw, 'acquire'),
    release: stringSet(raw, 'release'),
    releaseFunctions: stringSet(raw, 'releaseFunctions'),
    poolModules: stringSet(raw, 'poolModules'),
    query: stringSet(raw, 'query'),
    typed: booleanSetting(raw, 'typed'),
  };
}

function booleanSetting(raw: Record<string, unknown>, key: 'typed'): boolean {
  const value = raw[key];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new SettingsError(`"${key}" must be a boolean.`);
  return value;
}

function stringSet(raw: Record<string, unknown>, key: Exclude<(typeof KEYS)[number], 'typed'>): ReadonlySet<string> {
  const value = raw[key];
  if (value === undefined) return new Set();
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string' && item !== '')) {
    throw new SettingsError(`"${key}" must be an array of non-empty strings.`);
  }
  return new Set(value);
}
