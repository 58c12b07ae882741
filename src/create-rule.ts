import { ESLintUtils } from '@typescript-eslint/utils';

/** Extra `meta.docs` fields every db-guard rule declares. */
export interface PluginDocs {
  /** In `configs.recommended` when true. `configs.all` holds every rule. */
  recommended?: boolean;
  /** Needs type information (`parserOptions.projectService`). */
  requiresTypeChecking?: boolean;
}

export const REPO_URL = 'https://github.com/db-connection-guard/db-connection-guard';

/** The documentation page of a rule. */
export function ruleDocsUrl(name: string): string {
  return `${REPO_URL}/blob/main/docs/rules/${name}.md`;
}

const namedRule = ESLintUtils.RuleCreator<PluginDocs>(ruleDocsUrl);

/**
 * `ESLintUtils.RuleCreator` with `docs.url`, whose `create` gets the options merged with
 * `meta.defaultOptions` as RuleCreator merges them, but merged once per distinct options rather than
 * cloned again for every file: `create` runs once per rule and file, and the clone cost more than
 * some rules' whole work on a file that needs none.
 */
export function createRule<Options extends readonly unknown[], MessageIds extends string>(
  spec: Readonly<ESLintUtils.RuleWithMetaAndName<Options, MessageIds, PluginDocs>>,
): ReturnType<typeof namedRule<Options, MessageIds>> {
  const rule = namedRule(spec);
  const defaults = (spec.meta.defaultOptions ?? []) as Readonly<Options>;
  const resolve = optionsResolver(defaults);
  return { ...rule, create: (context) => spec.create(context, resolve(context.options)) };
}

/** At most this many distinct option sets are kept per rule (a config has a handful). */
const MAX_OPTION_SETS = 64;

function optionsResolver<Options extends readonly unknown[]>(defaults: Readonly<Options>): (options: Readonly<Options>) => Readonly<Options> {
  const resolvedDefaults = deepFreeze(ESLintUtils.applyDefault<Options, Options>(defaults, null));
  const byValue = new Map<string, Readonly<Options>>();
  let last: { readonly options: unknown; readonly merged: Readonly<Options> } | undefined;
  return (options) => {
    // ESLint passes no options, `meta.defaultOptions` itself, or (ESLint 9.15 and later, which
    // merges them) a fresh copy of the defaults for every file for a rule set by severity alone; a
    // config's options for a rule are the same from file to file. Comparing values is cheaper than
    // the JSON key (a string made and hashed for each rule of each file).
    if (options.length === 0 || options === defaults || sameJson(options, defaults)) return resolvedDefaults;
    if (last && sameJson(options, last.options)) return last.merged;
    const key = JSON.stringify(options);
    let merged = byValue.get(key);
    if (!merged) {
      merged = deepFreeze(ESLintUtils.applyDefault(defaults, options));
      if (byValue.size >= MAX_OPTION_SETS) byValue.clear();
      byValue.set(key, merged);
    }
    // A copy (from the key, which already exists), so that nothing done to `options` later changes it.
    last = { options: JSON.parse(key) as unknown, merged };
    return merged;
  };
}

/** Whether two JSON values (options: arrays, plain objects, strings, numbers, booleans, null) are equal. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // Object.keys, not for-in: several times quicker on the small objects options are.
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** Shared between files, so no rule may change it. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
