import type { TSESLint } from '@typescript-eslint/utils';
import * as tsParser from '@typescript-eslint/parser';

import { rules } from './rules.js';
import { PLUGIN_NAME, PLUGIN_VERSION, NAMESPACE } from './version.js';

type RuleName = keyof typeof rules;

interface Plugin {
  meta: { name: string; version: string; namespace: string };
  rules: typeof rules;
  configs: {
    recommended: TSESLint.FlatConfig.Config;
    'recommended-type-checked': TSESLint.FlatConfig.Config;
    all: TSESLint.FlatConfig.Config;
  };
}

const ruleNames = Object.keys(rules) as RuleName[];

function severityMap(filter: (name: RuleName) => boolean): TSESLint.FlatConfig.Rules {
  const entries = ruleNames.filter(filter).map((name) => [`${NAMESPACE}/${name}`, 'error'] as const);
  return Object.fromEntries(entries);
}

const FILES = ['**/*.{js,cjs,mjs,jsx,ts,cts,mts,tsx}'];

const plugin: Plugin = {
  meta: { name: PLUGIN_NAME, version: PLUGIN_VERSION, namespace: NAMESPACE },
  rules,
  configs: {} as Plugin['configs'],
};

/**
 * Builds a flat config that registers the plugin and the TypeScript parser (so `.ts` files parse
 * out of the box) and turns on the given rules.
 */
function makeConfig(name: string, filter: (name: RuleName) => boolean): TSESLint.FlatConfig.Config {
  return {
    name: `${NAMESPACE}/${name}`,
    files: FILES,
    plugins: { [NAMESPACE]: plugin },
    languageOptions: {
      parser: tsParser,
      ecmaVersion: 'latest',
      sourceType: 'module',
    },
    rules: severityMap(filter),
  };
}

const isRecommended = (name: RuleName): boolean => rules[name].meta.docs?.recommended === true;

plugin.configs.recommended = makeConfig('recommended', isRecommended);
plugin.configs.all = makeConfig('all', () => true);

/**
 * The recommended rules in typed mode: driver objects are recognised by their declared types
 * (across modules, through typed parameters), with the TypeScript project service for type information.
 */
plugin.configs['recommended-type-checked'] = {
  ...makeConfig('recommended-type-checked', isRecommended),
  languageOptions: {
    parser: tsParser,
    ecmaVersion: 'latest',
    sourceType: 'module',
    parserOptions: { projectService: true },
  },
  settings: { [NAMESPACE]: { typed: true } },
};

export default plugin;
export { rules };
export const configs = plugin.configs;
export const meta = plugin.meta;
