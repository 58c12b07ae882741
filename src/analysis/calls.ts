/**
 * One pair of `CallExpression` / `NewExpression` listeners per lint run for the rules that look at
 * calls one by one (handle-stale-connection, require-error-listener, no-transaction-on-pool,
 * prefer-pool-query) and for the shared code-path walk (flow.ts). ESLint's dispatch of a listener
 * costs about as much as those rules' own check of a call that is not theirs; on a file full of calls,
 * five listeners cost five dispatches per call. The first of them created for a file gets the
 * listeners and calls every handler in turn, in the order the rules were created (the order ESLint
 * calls plain `CallExpression` listeners of different rules in); see run.ts for what one run shares.
 */
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { attributed, joinRun, type RunShare } from './run.js';

type RuleContext = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

export interface CallHandlers {
  readonly CallExpression?: (node: TSESTree.CallExpression) => void;
  readonly NewExpression?: (node: TSESTree.NewExpression) => void;
}

interface Hub extends RunShare {
  readonly calls: ((node: TSESTree.CallExpression) => void)[];
  readonly news: ((node: TSESTree.NewExpression) => void)[];
}

const hubs = new WeakMap<object, Hub>();

/** The listeners for `handlers`: the shared ones for the first rule of a run, none for the others. */
export function callListeners(context: RuleContext, handlers: CallHandlers): TSESLint.RuleListener {
  const { join, begin } = joinRun(hubs, context);
  if (join) {
    add(join, handlers, context.id);
    return {};
  }
  const fresh = begin({ calls: [], news: [], started: false });
  add(fresh, handlers, undefined);
  return {
    Program() {
      fresh.started = true;
    },
    CallExpression(node) {
      for (const handler of fresh.calls) handler(node);
    },
    NewExpression(node) {
      for (const handler of fresh.news) handler(node);
    },
  };
}

/** Adds a rule's handlers; those of a rule that joined say its name when they throw (ESLint names the first rule's). */
function add(hub: Hub, handlers: CallHandlers, joinedAs: string | undefined): void {
  const { CallExpression: onCall, NewExpression: onNew } = handlers;
  if (onCall) hub.calls.push(joinedAs === undefined ? onCall : attributed(onCall, joinedAs, 'the shared call listener'));
  if (onNew) hub.news.push(joinedAs === undefined ? onNew : attributed(onNew, joinedAs, 'the shared call listener'));
}
