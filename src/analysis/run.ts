/**
 * What the rules of one lint run of one file share: ESLint builds every rule's context on one
 * per-file, per-run object and creates every rule before it traverses, so the first rule to ask can
 * do shared work for all of them (the code-path walk in flow.ts, the call listener in calls.ts).
 */
import type { TSESLint } from '@typescript-eslint/utils';

/** The per-run object of a rule context, or undefined where a host builds contexts otherwise. */
function runKey(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): object | undefined {
  const run: unknown = Object.getPrototypeOf(context);
  const shared =
    typeof run === 'object' && run !== null && run !== Object.prototype && (run as { sourceCode?: unknown }).sourceCode === context.sourceCode;
  return shared ? run : undefined;
}

/** Shared work of one run, started once the traversal has begun. */
export interface RunShare {
  /** The traversal has begun: a rule created now belongs to another run (a host reusing the object). */
  started: boolean;
}

/**
 * The share of this run in `shares` for a rule to join, or undefined when this rule is the first to
 * ask (or the contexts share no per-run object): then it makes a fresh one, stored by `begin`.
 */
export function joinRun<S extends RunShare>(shares: WeakMap<object, S>, context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): { join: S | undefined; begin: (fresh: S) => S } {
  const run = runKey(context);
  const share = run ? shares.get(run) : undefined;
  return {
    join: share && !share.started ? share : undefined,
    begin: (fresh) => {
      if (run) shares.set(run, fresh);
      return fresh;
    },
  };
}

/**
 * Says in `error` which rule it really came from (`[rule, in <where>] message`), for a rule's function
 * that another rule's listener called: ESLint names the rule whose listener threw. The callers catch
 * around their loop over the handlers rather than wrap each handler, which would cost a closure call
 * and an arguments array on every call of a hot listener. `ruleId` is undefined for the rule whose
 * listener it is (ESLint names that one already).
 */
export function attribute(error: unknown, ruleId: string | undefined, where: string): void {
  if (ruleId !== undefined && error instanceof Error && !error.message.startsWith('[')) error.message = `[${ruleId}, in ${where}] ${error.message}`;
}
