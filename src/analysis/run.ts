/**
 * What the rules of one lint run of one file share: ESLint builds every rule's context on one
 * per-file, per-run object and creates every rule before it traverses, so the first rule to ask can
 * do shared work for all of them (the code-path walk in flow.ts, the call listener in calls.ts).
 */
import type { TSESLint } from '@typescript-eslint/utils';

/** The per-run object of a rule context, or undefined where a host builds contexts otherwise. */
export function runKey(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): object | undefined {
  const run: unknown = Object.getPrototypeOf(context);
  const shared =
    typeof run === 'object' && run !== null && run !== Object.prototype && (run as { sourceCode?: unknown }).sourceCode === context.sourceCode;
  return shared ? run : undefined;
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
