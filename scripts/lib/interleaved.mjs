// What the rules add to a lint run, measured file by file: `node scripts/lib/interleaved.mjs <package>
// <rounds> [<other build>/dist/esm/src/index.js]`. Each file is linted with every configuration in
// turn (one empty rule; with no-unused-vars; with all db-guard rules; and with all rules of the other
// build, if given), starting with a different one for each file, so that a slow moment of the machine
// (on a shared machine, moments are shorter than a round) falls on every configuration alike. Each
// lint gets a fresh parse of the file (not timed), so that no configuration finds the caches ESLint
// keeps on a SourceCode (scopes looked up, globals applied) filled by another. Prints the medians over
// the rounds of each configuration's time minus the empty rule's, and their ratios to no-unused-vars.
// (Not a bench itself: docs/benchmarks.md says when it was used.)
import { pathToFileURL } from 'node:url';

import * as tsParser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import { builtinRules } from 'eslint/use-at-your-own-risk';

import { comparisonConfigs, configArray, freshParses, loadBuiltPlugin, median, packageSources } from './bench.mjs';

const [pkg, roundsArg, other] = process.argv.slice(2);
const rounds = Number(roundsArg);
if (!pkg || !Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: node scripts/lib/interleaved.mjs <package> <rounds> [<other build>/dist/esm/src/index.js]');
  process.exit(2);
}
const inputs = packageSources(pkg);
if (inputs.length === 0) {
  console.error(`interleaved: ${pkg} is not installed`);
  process.exit(2);
}
const languageOptions = { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' };
const baselineRule = builtinRules.get('no-unused-vars');
const ours = comparisonConfigs(await loadBuiltPlugin('interleaved'), 'no-unused-vars', baselineRule, languageOptions);
const configs = { empty: ours.empty, 'no-unused-vars': ours.baseline, 'all db-guard rules': ours.all };
if (other) {
  const plugin = (await import(pathToFileURL(other).href)).default;
  configs[`all rules of ${other}`] = comparisonConfigs(plugin, 'no-unused-vars', baselineRule, languageOptions).all;
}
const names = Object.keys(configs);
const parseOnly = configArray([{ files: ['**/*.{js,cjs,mjs,ts,cts,mts}'], languageOptions }]);
const linter = new Linter({ configType: 'flat' });
const totals = Object.fromEntries(names.map((name) => [name, []]));
/** A fresh SourceCode of `input` (as freshParses makes one, for one file). */
function parse(input) {
  for (const parsed of freshParses(linter, [input], parseOnly, pkg)) return parsed.sourceCode;
  throw new Error(`interleaved: ${input.filename} gave no SourceCode`);
}
let turn = 0;
// Round 0 warms the JIT up and is not counted.
for (let round = 0; round <= rounds; round++) {
  const spent = Object.fromEntries(names.map((name) => [name, 0]));
  for (const input of inputs) {
    turn++;
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + turn) % names.length];
      const sourceCode = parse(input);
      const start = performance.now();
      linter.verify(sourceCode, configs[name], { filename: input.filename });
      spent[name] += performance.now() - start;
    }
  }
  if (round > 0) for (const name of names) totals[name].push(spent[name]);
}
const added = (name) => median(totals[name].map((t, i) => t - totals.empty[i]));
const baseline = added('no-unused-vars');
console.log(`${pkg}, ${String(inputs.length)} files, ${String(rounds)} rounds: empty rule ${median(totals.empty).toFixed(1)} ms`);
for (const name of names.slice(1)) console.log(`  + ${name}: ${added(name).toFixed(1)} ms (ratio ${(added(name) / baseline).toFixed(2)})`);
