/**
 * Which functions of a file the code-path walk (flow.ts) must record: those that can acquire a
 * resource of any of the walk's rules, found once per file from its text, before the walk begins.
 *
 * A function that acquires nothing and holds nothing on entry is never analysed, so recording its
 * segments, throw points and exits is wasted work; in a large file that acquires in a few places
 * (typeorm's query runners), that was nearly all of the walk. But a function must be recorded from
 * its first node, since a loop brings the code before an acquisition round again with the connection
 * held, so the walk has to know at a function's start whether it can acquire. This module answers
 * that with a superset of the calls any walk rule can track, by position in the text:
 *
 * - a method call (`x.name()`, `x['name']()`) is passed to a rule only when the rule names the method:
 *   every name the walk's rules (and the settings) can name is a candidate word, wherever it appears;
 * - a transaction begun by a query (`conn.query('BEGIN')`) has its statement as a string literal
 *   argument: every string that starts like a begin statement is a candidate;
 * - a call of a plain identifier acquires only when the identifier is imported from a driver, or names
 *   a local function that returns an acquisition (recursively): every use of such a name is a candidate;
 * - `new X()` acquires only for a driver's constructor name or an identifier imported from a driver.
 *
 * A function whose range holds no candidate can acquire nothing, and neither can a call whose own range
 * holds none (the walk passes the rules only the calls that hold one). The answer depends on the text and the
 * settings only, never on which rules are on, so what one rule reports never depends on another's
 * being on. Like the whole-file fast paths (`mayAcquire`), names are read as they are written:
 * identifiers spelled with unicode escapes are not recognised.
 */
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { DRIVER_PACKAGES } from '../catalogue.js';
import { childHolding, isFunction, methodName, skipTsWrappers, type FunctionNode } from './ast.js';
import { acquiringMethods, classifyAcquisition, driverImports, type DriverContext } from './drivers.js';
import { escapeRegExp, isWordCode, MAY_BEGIN_STATEMENT } from './text.js';
import { BEGIN_CALL_METHODS, BEGINNING_METHODS, classifyBegin, mayControlTransaction } from './transactions.js';

const { ScopeType } = TSESLint.Scope;

/** The start positions of the candidates of a file, in increasing order. */
export interface WalkGate {
  /** Whether a candidate starts within `[start, end)`. */
  readonly holdsCandidate: (start: number, end: number) => boolean;
  /**
   * The positions themselves, in increasing order (repeats kept), or undefined when the gate lets
   * every function through.
   */
  readonly positions: Int32Array | undefined;
}

/**
 * The constructors of connections (`new pg.Client()`, on a module traced syntactically or by type):
 * a connection's factories (`mysql.createConnection()`) are among the acquiring methods already.
 */
const CONNECTION_CONSTRUCTORS: readonly string[] = Object.values(DRIVER_PACKAGES).flatMap((pkg) =>
  Object.keys(pkg.constructors).filter((name) => pkg.constructors[name] === 'connection' && /^[\w$]+$/.test(name)),
);

const wordsCache = new WeakMap<ReadonlySet<string>, RegExp>();

/** The candidate words for one settings' acquiring methods: a global regular expression. */
function candidateWords(ctx: DriverContext): RegExp {
  const acquiring = acquiringMethods(ctx);
  let words = wordsCache.get(acquiring);
  if (!words) {
    words = wordPattern([...acquiring, ...BEGIN_CALL_METHODS, ...CONNECTION_CONSTRUCTORS, 'Transaction']);
    wordsCache.set(acquiring, words);
  }
  return words;
}

/**
 * A global regular expression for any of `names` as a whole word. `\b` also matches beside a `$`
 * (`$connect`): more candidates, never fewer; a name that starts or ends with `$` has no `\b` there.
 */
export function wordPattern(names: Iterable<string>): RegExp {
  const plain: string[] = [];
  const other: string[] = [];
  for (const name of [...new Set(names)].sort((a, b) => b.length - a.length)) {
    if (/^\w(?:.*\w)?$/.test(name)) plain.push(escapeRegExp(name));
    else other.push(`${/^\w/.test(name) ? '\\b' : ''}${escapeRegExp(name)}${/\w$/.test(name) ? '\\b' : ''}`);
  }
  const alternatives = [...(plain.length > 0 ? [`\\b(?:${plain.join('|')})\\b`] : []), ...other];
  return new RegExp(alternatives.length > 0 ? alternatives.join('|') : '(?!)', 'g');
}

/** Up to this many names are found by `indexOf`, one after the other; more by one regular expression. */
const MAX_NAMES_BY_INDEX = 8;

/**
 * The positions of `names` as `wordPattern(names)` finds them, or more (occurrences that overlap a
 * longer one too: a superset, which lets more functions through, never fewer). A few names are found
 * by `indexOf` and a look at the characters on each side, without building and compiling a regular
 * expression for the file (the names of its imports and local functions are its own). Exported for
 * the tests, with `wordPattern`. @internal
 */
export function positionsOfNames(names: ReadonlySet<string>, text: string, into: number[]): void {
  if (names.size > MAX_NAMES_BY_INDEX) {
    positionsOf(wordPattern(names), text, into);
    return;
  }
  for (const name of names) {
    if (name.length === 0) continue;
    // As `\b` in wordPattern: only beside a word character of the name itself.
    const before = isWordCode(name.charCodeAt(0));
    const after = isWordCode(name.charCodeAt(name.length - 1));
    for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
      if (before && at > 0 && isWordCode(text.charCodeAt(at - 1))) continue;
      if (after && isWordCode(text.charCodeAt(at + name.length))) continue;
      into.push(at);
    }
  }
}


function positionsOf(pattern: RegExp, text: string, into: number[]): void {
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) into.push(match.index);
}

const gates = new WeakMap<DriverContext, WalkGate>();

/** The gate of a file (computed once per file and settings). */
export function walkGate(ctx: DriverContext): WalkGate {
  let gate = gates.get(ctx);
  if (!gate) {
    gate = computeGate(ctx);
    gates.set(ctx, gate);
  }
  return gate;
}

const BEGIN_STATEMENTS = new RegExp(MAY_BEGIN_STATEMENT.source, 'gi');

/** Rounds of the local-acquirer fixpoint before the gate gives up and lets every function through. */
const MAX_ROUNDS = 8;

const EVERYWHERE: WalkGate = { holdsCandidate: () => true, positions: undefined };

function computeGate(ctx: DriverContext): WalkGate {
  const text = ctx.sourceCode.text;
  const found: number[] = [];
  positionsOf(candidateWords(ctx), text, found);
  // A begin statement is a transaction statement: none where the file holds none (a fact most files already have).
  if (mayControlTransaction(ctx)) positionsOf(BEGIN_STATEMENTS, text, found);

  const names = new Set<string>();
  const imported = driverImports(ctx).names;
  if (imported.size > 0) {
    for (const name of imported) names.add(name);
    positionsOfNames(imported, text, found);
  }

  // Local acquirers: a function holding a candidate may return an acquisition, so every use of its
  // name is one too, and so on, until no new name is found. Only the functions a plain call can name
  // (`function f() {}`, `const f = () => {}`) are looked at, found by their scopes; no other (a method,
  // a callback) ever gives a name. Each round scans the text once: a chain of wrappers deeper than
  // MAX_ROUNDS lets every function through rather than cost a scan per link.
  let pending: NamedFunction[] = [];
  for (const scope of ctx.sourceCode.scopeManager?.scopes ?? []) {
    if (scope.type !== ScopeType.function || !isFunction(scope.block)) continue;
    const name = bindingName(scope.block);
    if (name !== undefined) pending.push({ range: scope.block.range, name });
  }
  let positions = sorted(found);
  for (let round = 0; pending.length > 0; round++) {
    const fresh = new Set<string>();
    const rest: NamedFunction[] = [];
    for (const fn of pending) {
      if (!holds(positions, fn.range[0], fn.range[1])) rest.push(fn);
      else if (!names.has(fn.name)) fresh.add(fn.name);
    }
    if (fresh.size === 0) break;
    if (round === MAX_ROUNDS) return EVERYWHERE;
    for (const name of fresh) names.add(name);
    positionsOfNames(fresh, text, found);
    positions = sorted(found);
    pending = rest;
  }
  const gate = positions;
  return { holdsCandidate: (start, end) => holds(gate, start, end), positions: gate };
}

/** A function a plain call can name, and that name. */
interface NamedFunction {
  readonly range: TSESTree.Range;
  readonly name: string;
}

/** The name a call can use for a function, as `localFunction` resolves one: a declaration's, or a declarator's. */
function bindingName(fn: FunctionNode): string | undefined {
  if (fn.type === AST_NODE_TYPES.FunctionDeclaration) return fn.id?.name;
  let value: TSESTree.Node = fn;
  let parent: TSESTree.Node | undefined = fn.parent;
  while (parent && skipTsWrappers(parent) !== parent) {
    value = parent;
    parent = parent.parent;
  }
  return parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === value && parent.id.type === AST_NODE_TYPES.Identifier ? parent.id.name : undefined;
}

/** `list` in increasing order (repeated positions stay: `holds` finds the first of them). */
function sorted(list: number[]): Int32Array {
  return Int32Array.from(list).sort();
}

/** Whether a position of `positions` lies within `[start, end)` (binary search). */
function holds(positions: Int32Array, start: number, end: number): boolean {
  let low = 0;
  let high = positions.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((positions[mid] as number) < start) low = mid + 1;
    else high = mid;
  }
  return low < positions.length && (positions[low] as number) < end;
}

const trackableCache = new WeakMap<DriverContext, boolean>();

/**
 * Whether the walk can track anything in the file: whether some call or `new` whose own range holds a
 * candidate of the gate classifies as an acquisition (`classifyAcquisition`) or as the begin of a
 * transaction (`classifyBegin`). The walk passes its rules no other call (see `trackCall` in flow.ts),
 * and a walk rule tracks a call only when one of the two classifies it (no-leaked-connection and
 * no-use-after-release by its acquisition, no-leaked-transaction by its begin), so where this says no,
 * the walk registers no resource, holds none on entry of any function and reports nothing: it need not
 * run at all. Like the gate, the answer depends on the file and the settings only, never on which
 * rules are on.
 *
 * Answered before the traversal (when the first walk rule is created): the calls that hold a candidate
 * are those on the way down from the program to each candidate position, found by the nodes' ranges,
 * so no listener has to see every node. Both classifications read only the syntax, the scopes and the
 * node parents, which ESLint has set before it creates the rules (where they are missing, the answer is
 * yes: the walk runs, as it did before this existed). Computed once per file and settings.
 */
export function mayTrackAny(ctx: DriverContext): boolean {
  let answer = trackableCache.get(ctx);
  if (answer === undefined) {
    answer = computeTrackable(ctx, walkGate(ctx));
    trackableCache.set(ctx, answer);
  }
  return answer;
}

function computeTrackable(ctx: DriverContext, gate: WalkGate): boolean {
  const positions = gate.positions;
  if (!positions) return true;
  const { ast, visitorKeys } = ctx.sourceCode;
  // Node parents are set by ESLint's traversal, which it computes before it creates the rules; a host
  // that creates them first has none yet (nor can the classifications run): let the walk decide.
  const first = ast.body[0];
  if (first && first.parent !== ast) return true;
  // The way down to each position in turn: the positions increase, so the nodes on the way to the
  // last one that hold the next are kept (each node is entered once), and only the rest is searched.
  const path: TSESTree.Node[] = [ast];
  for (const position of positions) {
    // Every kept node starts at or before the last position, so it holds this one unless it ends first.
    while (path.length > 1 && (path[path.length - 1] as TSESTree.Node).range[1] <= position) path.pop();
    let node = path[path.length - 1] as TSESTree.Node;
    for (;;) {
      const keys: readonly string[] | undefined = visitorKeys[node.type];
      // A node type the visitor keys do not know (another parser's): its children cannot be found.
      if (!keys) return true;
      const child = childHolding(node, keys, position);
      if (!child) break;
      path.push(child);
      if ((child.type === AST_NODE_TYPES.CallExpression || child.type === AST_NODE_TYPES.NewExpression) && mayTrack(ctx, child)) return true;
      node = child;
    }
  }
  return false;
}

/**
 * Whether some walk rule can track `node`: as `trackCall` in flow.ts passes calls to the rules, a
 * method call only to those that name its method, and each rule tracks only what one of the two
 * classifications classifies.
 */
function mayTrack(ctx: DriverContext, node: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
  const method = node.type === AST_NODE_TYPES.CallExpression ? methodName(node) : undefined;
  if ((method === undefined || acquiringMethods(ctx).has(method)) && classifyAcquisition(ctx, node) !== undefined) return true;
  return (method === undefined || BEGINNING_METHODS.has(method)) && classifyBegin(ctx, node) !== undefined;
}
