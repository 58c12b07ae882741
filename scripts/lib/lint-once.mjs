// One lint of an installed package's sources, for scripts/bench-instructions.mjs (which runs it under
// callgrind): `node scripts/lib/lint-once.mjs <package> <empty|baseline|all>`. Each file is parsed
// once and linted once with one empty rule, plus no-unused-vars (baseline) or every db-guard rule
// (all); the configs are normalized once, as the ESLint CLI does. Prints the number of problems.
import * as tsParser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { builtinRules } from 'eslint/use-at-your-own-risk';

import { comparisonConfigs, configArray, freshParses, loadBuiltPlugin, packageSources } from './bench.mjs';

const [pkg, which] = process.argv.slice(2);
if (!pkg || !['empty', 'baseline', 'all'].includes(which ?? '')) {
  console.error('usage: node scripts/lib/lint-once.mjs <package> <empty|baseline|all>');
  process.exit(2);
}
const plugin = await loadBuiltPlugin('lint-once');
const files = ['**/*.{js,cjs,mjs,ts,cts,mts}'];
const languageOptions = { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' };
const config = comparisonConfigs(plugin, 'no-unused-vars', builtinRules.get('no-unused-vars'), languageOptions)[which];
const parseOnly = configArray([{ files, languageOptions }]);
const linter = new Linter({ configType: 'flat' });
const inputs = packageSources(pkg);
if (inputs.length === 0) {
  console.error(`lint-once: ${pkg} is not installed`);
  process.exit(2);
}
let problems = 0;
for (const { filename, sourceCode } of freshParses(linter, inputs, parseOnly, pkg)) problems += linter.verify(sourceCode, config, { filename }).length;
console.log(`${pkg} ${which}: ${String(inputs.length)} files, ${String(problems)} problems`);
