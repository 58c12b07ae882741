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

/** Where the calls of a run go, built once every rule of the run has been created. */
interface Routes {
  /** The handlers of method calls named by some filter, by name. */
  readonly byName: Map<string, readonly Entry<OnCall>[]>;
  /** The handlers of every other method call: those without a filter. */
  readonly unnamed: readonly Entry<OnCall>[];
  /** The handlers of calls whose callee is not a member expression. */
  readonly plain: readonly Entry<OnCall>[];
}

const hubs = new WeakMap<object, Hub>();

const WHERE = 'the shared call listener';

/** The listeners for `handlers`: the shared ones for the first rule of a run, none for the others. */
export function callListeners(context: RuleContext, handlers: CallHandlers): TSESLint.RuleListener {
  const { join, begin } = joinRun(hubs, context);
  if (join) {
    add(join, handlers, context.id);
    return {};
  }
  const fresh = begin({ calls: [], news: [], started: false });
  add(fresh, handlers, undefined);
  let routes: Routes | undefined;
  return {
    Program() {
      fresh.started = true;
    },
    CallExpression(node) {
      routes ??= route(fresh.calls);
      const callee = skipTsWrappers(node.callee);
      let list: readonly Entry<OnCall>[];
      if (callee.type !== AST_NODE_TYPES.MemberExpression) list = routes.plain;
      else {
        const name = propertyName(callee);
        list = (name === undefined ? undefined : routes.byName.get(name)) ?? routes.unnamed;
      }
      dispatch(list, node);
    },
    NewExpression(node) {
      dispatch(fresh.news, node);
    },
  };
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

/** The routes of `calls`, each list in the order the handlers were added. */
function route(calls: readonly Entry<OnCall>[]): Routes {
  if (!routing) return { byName: new Map(), unnamed: calls, plain: calls };
  const names = new Set<string>();
  for (const entry of calls) for (const name of entry.filter?.methods ?? []) names.add(name);
  const byName = new Map<string, readonly Entry<OnCall>[]>();
  for (const name of names) byName.set(name, calls.filter((entry) => !entry.filter || entry.filter.methods.has(name)));
  return {
    byName,
    unnamed: calls.filter((entry) => !entry.filter),
    plain: calls.filter((entry) => !entry.filter || entry.filter.plain),
  };
}

/** Adds a rule's handlers; those of a rule that joined say its name when they throw (ESLint names the first rule's). */
function add(hub: Hub, handlers: CallHandlers, joinedAs: string | undefined): void {
  const { CallExpression: onCall, NewExpression: onNew, calls: filter } = handlers;
  if (onCall) hub.calls.push({ handler: onCall, rule: joinedAs, filter });
  if (onNew) hub.news.push({ handler: onNew, rule: joinedAs, filter: undefined });
}
