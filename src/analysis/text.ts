/**
 * What the whole text of a file can hold: the fast paths that let the rules skip a file, or a
 * question, at no cost per node. Each fact is the answer of one regular expression (a superset of what
 * the syntax can hold), and `scanText` finds all of them in about one pass over the text, where asking
 * each expression in turn read most files four times over (no expression matches in most files of
 * most projects, so each of them reads the whole text).
 */
import { DRIVER_PACKAGES } from '../catalogue.js';
import type { ResolvedSettings } from '../settings.js';

/** `text` as a literal inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A character of `[A-Za-z0-9_]`, what `\w` and `\b` count as word characters (NaN, past the end, is none). */
export function isWordCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

/** A call that can acquire a connection: `x.getConnection(`, `createConnection<`, `new pg.Client`, `x['connect']`. */
export const MAY_ACQUIRE =
  /\.\s*(?:getConnection|connect|acquire|createQueryRunner|acquireConnection|createConnection)\s*[(<]|\b(?:createConnection|getConnection)\s*[(<]|\bnew\s+[\w.]*(?:Client|ConnectionPool)\b|\[\s*['"`](?:getConnection|connect|acquire|createQueryRunner|acquireConnection|createConnection)['"`]\s*\]/;

/** The driver modules (`pg`, `mysql2/promise`, ...) as alternatives of a regular expression. */
export const DRIVER_MODULES = Object.keys(DRIVER_PACKAGES).map(escapeRegExp).join('|');

/**
 * A driver module spelled as a string (`'pg'`, `"mysql2/promise"`): every import, require or `import()`
 * that `importOf` traces names its module so.
 */
export const QUOTED_DRIVER = new RegExp(`['"\`](?:${DRIVER_MODULES})['"\`]`);

/** The words a transaction statement starts with, in any case (`transactionStatement`). */
const CONTROL_WORDS = ['begin', 'start', 'commit', 'end', 'rollback', 'abort'];
const CONTROL_PREFIX = `['"\`](?:\\s|\\\\[nrt])*`;

/** A string that can be a transaction statement (`'BEGIN'`, `` `\n  COMMIT` ``, ...): any case, as `transactionStatement` reads it. */
export const MAY_CONTROL = new RegExp(`${CONTROL_PREFIX}(?:${CONTROL_WORDS.join('|')})\\b`, 'i');

/** Of those, the ones that begin one. */
export const MAY_BEGIN_STATEMENT = /['"`](?:\s|\\[nrt])*(?:begin|start\s+transaction)\b/i;

/**
 * `conn.beginTransaction()`, `x.transaction()`, `new sql.Transaction()`: as `classifyBegin` sees them
 * (case-sensitive).
 */
export const MAY_BEGIN_CALL = /\b(?:beginTransaction|startTransaction)\b|\.\s*transaction\s*[(<]|\bnew\s+[\w.]*Transaction\b/;

/** The facts `scanText` finds, each the answer of its regular expression (or names) over the whole text. */
export interface TextFacts {
  /** MAY_ACQUIRE matches, or the text holds a name of `settings.acquire`. */
  readonly acquire: boolean;
  /** QUOTED_DRIVER matches, or the text holds a module of `settings.poolModules`. */
  readonly quotedDriver: boolean;
  /** MAY_CONTROL matches. */
  readonly control: boolean;
  /** MAY_BEGIN_CALL matches. */
  readonly beginCall: boolean;
}

type Kind = keyof TextFacts;
const KINDS: readonly Kind[] = ['acquire', 'quotedDriver', 'control', 'beginCall'];
const ALL_KINDS = (1 << KINDS.length) - 1;

/** MAY_CONTROL without its `i` flag, each letter a class of its two cases (which `i` matches, and no other character). */
const CONTROL_ANY_CASE = `${CONTROL_PREFIX}(?:${CONTROL_WORDS.map((word) => word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`)).join('|')})\\b`;

/** The source of each kind's expression for one settings, in the order of KINDS. */
function kindSources(settings: ResolvedSettings): string[] {
  const names = (set: ReadonlySet<string>): string => [...set].map((name) => `|${escapeRegExp(name)}`).join('');
  return [`${MAY_ACQUIRE.source}${names(settings.acquire)}`, `${QUOTED_DRIVER.source}${names(settings.poolModules)}`, CONTROL_ANY_CASE, MAY_BEGIN_CALL.source];
}

/** The kinds' sources for one settings, and the expression for each set of kinds not found yet (by bit mask). */
interface Patterns {
  readonly sources: readonly string[];
  readonly byKinds: (RegExp | undefined)[];
}

const patterns = new WeakMap<ResolvedSettings, Patterns>();

function patternsOf(settings: ResolvedSettings): Patterns {
  let entry = patterns.get(settings);
  if (!entry) {
    entry = { sources: kindSources(settings), byKinds: [] };
    patterns.set(settings, entry);
  }
  return entry;
}

/** A global expression of the kinds in `kinds` (a bit per index of KINDS), each in a capturing group, in the order of KINDS. */
function patternFor(entry: Patterns, kinds: number): RegExp {
  let pattern = entry.byKinds[kinds];
  if (!pattern) {
    const groups: string[] = [];
    for (let index = 0; index < KINDS.length; index++) if (kinds & (1 << index)) groups.push(`(${entry.sources[index] as string})`);
    pattern = new RegExp(groups.join('|'), 'g');
    entry.byKinds[kinds] = pattern;
  }
  return pattern;
}

/**
 * Every fact of `TextFacts` for `text`. One expression holds the kinds not found yet, each in its own
 * group; a match at `at` is the leftmost of every kind still looked for there, so its kind is found and
 * the search goes on from `at` (not past the match: another kind can start inside it) for the others.
 * Each fact is therefore exactly its own expression's answer, and the text is read about once: from
 * the start to the last kind found, then to the end when a kind is never found.
 */
export function scanText(text: string, settings: ResolvedSettings): TextFacts {
  const facts: Record<Kind, boolean> = { acquire: false, quotedDriver: false, control: false, beginCall: false };
  const entry = patternsOf(settings);
  let left = ALL_KINDS;
  let from = 0;
  while (left !== 0) {
    const pattern = patternFor(entry, left);
    pattern.lastIndex = from;
    const match = pattern.exec(text);
    if (!match) break;
    const before = left;
    let group = 1;
    for (let index = 0; index < KINDS.length; index++) {
      if (!(left & (1 << index))) continue;
      // A group that took part in the match holds a string (empty for an empty name of the settings).
      if (match[group] !== undefined) {
        facts[KINDS[index] as Kind] = true;
        left &= ~(1 << index);
        break;
      }
      group++;
    }
    // Every alternative is a group, so a match always finds a kind; never loop if one did not.
    if (left === before) break;
    from = match.index;
  }
  return facts;
}
