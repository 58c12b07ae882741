/**
 * One pair of `CallExpression` / `NewExpression` listeners per lint run for the rules that look at
 * calls one by one (handle-stale-connection, require-error-listener, no-transaction-on-pool,
 * prefer-pool-query) and for the shared code-path walk (flow.ts). ESLint's dispatch of a listener
 * costs about as much as those rules' own check of a call that is not theirs; on a file full of calls,
 * five listeners cost five dispatches per call. The first of them created for a file gets the
 * listeners and calls every handler in turn, in the order the rules were created (the order ESLint
 * calls plain `CallExpression` listeners of different rules in); see run.ts for what one run shares.
 *
 * A handler can also say which calls it looks at (`calls`): then the listener reads the callee's
 * method name once per call and passes the call only to the handlers that look at that name, so a
 * call no rule looks at (most calls of most files) costs one property read and one map lookup.
 */
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { skipTsWrappers } from './ast.js';
import { attribute, joinRun, type RunShare } from './run.js';

type RuleContext = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

type OnCall = (node: TSESTree.CallExpression) => void;
type OnNew = (node: TSESTree.NewExpression) => void;

/**
 * The calls a `CallExpression` handler looks at; it returns at once for every other call. A handler
 * that gives none is passed every call.
 */
export interface CallFilter {
  /**
   * Method calls whose property is written as one of these names: `x.name()`, `x['name']()`,
   * `x[name]()`, `x.#name()`, through TypeScript wrappers of the callee (`(x.name as F)()`). A
   * handler that reads the name some other way must look at a subset of these.
   */
  readonly methods: ReadonlySet<string>;
  /** Calls whose callee (through TypeScript wrappers) is not a member expression: `f()`, `f()()`. */
  readonly plain: boolean;
}

export interface CallHandlers {
  readonly CallExpression?: OnCall;
  /** Which calls `CallExpression` looks at (see `CallFilter`); all of them without one. */
  readonly calls?: CallFilter;
  readonly NewExpression?: OnNew;
}

/** A handler with the rule it came from (undefined for the first rule's own: ESLint names that one). */
interface Entry<F> {
  readonly handler: F;
  readonly rule: string | undefined;
  /** Always set (undefined without one), so that every entry has one shape for the dispatch loop. */
  readonly filter: CallFilter | undefined;
}

interface Hub extends RunShare {
  readonly calls: Entry<OnCall>[];
  readonly news: Entry<OnNew>[];
}

/**
 * Where the calls of a run go: for each route, the handlers that take it, as a bit mask of their
 * indices in the run's list. It depends only on the handlers' filters (the same objects from file to
 * file for one configuration: the filters are built once per settings), so one is kept and used again
 * while the filters are the same.
 */
interface Routes {
  /** The filters (or their absence), in the order of the handlers, that the routes were made for. */
  readonly filters: readonly (CallFilter | undefined)[];
  /** The handlers of method calls named by some filter, by name. */
  readonly byName: Map<string, number>;
  /** The handlers of every other method call: those without a filter. */
  readonly unnamed: number;
  /** The handlers of calls whose callee is not a member expression. */
  readonly plain: number;
}

/**
 * At most this many handlers share a call listener (a bit each in a route's mask). db-guard has seven
 * rules; a rule beyond this (the plugin configured under several names) gets listeners of its own.
 */
const MAX_HANDLERS = 31;

const hubs = new WeakMap<object, Hub>();

const WHERE = 'the shared call listener';

/** The listeners for `handlers`: the shared ones for the first rule of a run, none for the others. */
export function callListeners(context: RuleContext, handlers: CallHandlers): TSESLint.RuleListener {
  const { join, begin } = joinRun(hubs, context);
  if (join && join.calls.length < MAX_HANDLERS) {
    add(join, handlers, context.id);
    return {};
  }
  if (join) {
    // The shared listener is full: this rule's handlers listen on their own (a filter only saves work,
    // a handler returns at once for a call it does not look at).
    const own: TSESLint.RuleListener = {};
    if (handlers.CallExpression) own.CallExpression = handlers.CallExpression;
    if (handlers.NewExpression) own.NewExpression = handlers.NewExpression;
    return own;
  }
  const fresh = begin({ calls: [], news: [], started: false });
  add(fresh, handlers, undefined);
  let routes: Routes | undefined;
  return {
    Program() {
      fresh.started = true;
    },
    CallExpression(node) {
      routes ??= routesFor(fresh.calls);
      const callee = skipTsWrappers(node.callee);
      let mask: number;
      if (callee.type !== AST_NODE_TYPES.MemberExpression) mask = routes.plain;
      else {
        const name = propertyName(callee);
        mask = (name === undefined ? undefined : routes.byName.get(name)) ?? routes.unnamed;
      }
      dispatchMask(fresh.calls, mask, node);
    },
    NewExpression(node) {
      dispatch(fresh.news, node);
    },
  };
}

/** Calls the handlers of `list` whose bit is set in `mask`, in the order of the list. */
function dispatchMask(list: readonly Entry<OnCall>[], mask: number, node: TSESTree.CallExpression): void {
  let i = 0;
  try {
    for (let rest = mask; rest !== 0; rest &= rest - 1) {
      i = 31 - Math.clz32(rest & -rest);
      (list[i] as Entry<OnCall>).handler(node);
    }
  } catch (error) {
    attribute(error, list[i]?.rule, WHERE);
    throw error;
  }
}

function dispatch<N>(list: readonly Entry<(node: N) => void>[], node: N): void {
  let i = 0;
  try {
    for (; i < list.length; i++) (list[i] as Entry<(node: N) => void>).handler(node);
  } catch (error) {
    attribute(error, list[i]?.rule, WHERE);
    throw error;
  }
}

/** The name of a member's property as written (`x.name`, `x['name']`, `x[name]`, `x.#name`), if any. */
function propertyName(member: TSESTree.MemberExpression): string | undefined {
  const property = member.property;
  if (property.type === AST_NODE_TYPES.Identifier || property.type === AST_NODE_TYPES.PrivateIdentifier) return property.name;
  if (property.type === AST_NODE_TYPES.Literal && typeof property.value === 'string') return property.value;
  return undefined;
}

let routing = true;

/**
 * Whether calls are routed by the handlers' filters (the default), or every handler is passed every
 * call, for the tests that check the filters change no report. @internal
 */
export function setCallRouting(on: boolean): void {
  routing = on;
}

/** The routes last made, used again while the handlers' filters are the same objects. */
let lastRoutes: Routes | undefined;

/** The routes of `calls`: the last ones when their filters are the same, else new ones. */
function routesFor(calls: readonly Entry<OnCall>[]): Routes {
  const last = lastRoutes;
  if (last && routing && last.filters.length === calls.length && calls.every((entry, i) => entry.filter === last.filters[i])) return last;
  const routes = route(calls);
  if (routing) lastRoutes = routes;
  return routes;
}

/** The routes of `calls`: each mask holds the handlers of its route, by their index in `calls`. */
function route(calls: readonly Entry<OnCall>[]): Routes {
  const filters = calls.map((entry) => entry.filter);
  const all = calls.length === 0 ? 0 : (2 ** calls.length - 1) | 0;
  if (!routing) return { filters, byName: new Map(), unnamed: all, plain: all };
  const bits = (take: (filter: CallFilter | undefined) => boolean): number => {
    let mask = 0;
    for (let i = 0; i < filters.length; i++) if (take(filters[i])) mask |= 1 << i;
    return mask;
  };
  const names = new Set<string>();
  for (const filter of filters) for (const name of filter?.methods ?? []) names.add(name);
  const byName = new Map<string, number>();
  for (const name of names) byName.set(name, bits((filter) => !filter || filter.methods.has(name)));
  return { filters, byName, unnamed: bits((filter) => !filter), plain: bits((filter) => !filter || filter.plain) };
}

/** Adds a rule's handlers; those of a rule that joined say its name when they throw (ESLint names the first rule's). */
function add(hub: Hub, handlers: CallHandlers, joinedAs: string | undefined): void {
  const { CallExpression: onCall, NewExpression: onNew, calls: filter } = handlers;
  if (onCall) hub.calls.push({ handler: onCall, rule: joinedAs, filter });
  if (onNew) hub.news.push({ handler: onNew, rule: joinedAs, filter: undefined });
}
