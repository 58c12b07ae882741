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
 * Wraps a rule's function that another rule's listener calls: ESLint names the rule whose listener
 * threw, so an error says which rule it really came from (`[rule, in <where>] message`).
 */
export function attributed<A extends unknown[], R>(fn: (...args: A) => R, ruleId: string, where: string): (...args: A) => R {
  return (...args) => {
    try {
      return fn(...args);
    } catch (error) {
      if (error instanceof Error && !error.message.startsWith('[')) error.message = `[${ruleId}, in ${where}] ${error.message}`;
      throw error;
    }
  };
}
