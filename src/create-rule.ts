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

export const createRule = ESLintUtils.RuleCreator<PluginDocs>(ruleDocsUrl);
