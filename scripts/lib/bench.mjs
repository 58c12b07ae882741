// Shared by the bench-*.mjs scripts that time rules: the built plugin, per-rule timers, medians,
// and the sources of installed packages. (Not a bench itself: scripts/bench.mjs runs bench-*.mjs only.)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The plugin from dist/esm; exits with a message when the build is missing. */
export async function loadBuiltPlugin(scriptName) {
  const entry = path.join(root, 'dist', 'esm', 'src', 'index.js');
  if (!existsSync(entry)) {
    console.error(`${scriptName}: dist/esm is missing; run \`npm run build\` first.`);
    process.exit(1);
  }
  return (await import(pathToFileURL(entry).href)).default;
}

/**
 * A copy of `rule` whose create() and listeners add the time they take to `spent` under `id`
 * (ESLint's TIMING does the same), so rules linted together can be timed apart.
 */
export function timed(id, rule, spent) {
  const clock = (fn) =>
    function (...args) {
      const start = performance.now();
      try {
        return fn.apply(this, args);
      } finally {
        spent.set(id, (spent.get(id) ?? 0) + performance.now() - start);
      }
    };
  return {
    ...rule,
    create(context) {
      const listeners = clock(rule.create)(context);
      return mapValues(listeners, (listener) => clock(listener));
    },
  };
}

export function mapValues(object, fn) {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, fn(value, key)]));
}

export function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The .js sources of an installed package (tests, browser/esm duplicates, minified and huge files left out). */
export function packageSources(name) {
  const dir = path.join(root, 'node_modules', name);
  if (!existsSync(dir)) return [];
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'test', 'tests', 'browser', 'esm'].includes(entry.name)) walk(p);
      } else if (/\.(c|m)?js$/.test(entry.name) && !entry.name.endsWith('.min.js') && statSync(p).size < 1_000_000) {
        out.push({ filename: path.relative(dir, p), code: readFileSync(p, 'utf8') });
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * The flat configs every rule bench uses: all the plugin's rules and the baseline core rule, each
 * wrapped with `timed` into `spent`; and the same files with no rule (to time parsing alone).
 */
export function timedConfigs(plugin, baseline, baselineRule, parser, spent) {
  const ns = plugin.meta.namespace;
  const ruleIds = Object.keys(plugin.rules).map((name) => `${ns}/${name}`);
  const languageOptions = { parser, ecmaVersion: 'latest', sourceType: 'module' };
  const files = ['**/*.{js,cjs,mjs,ts,cts,mts}'];
  const config = [
    {
      files,
      plugins: {
        [ns]: { rules: mapValues(plugin.rules, (rule, name) => timed(`${ns}/${name}`, rule, spent)) },
        core: { rules: { [baseline]: timed(baseline, baselineRule, spent) } },
      },
      languageOptions,
      rules: Object.fromEntries([...ruleIds, `core/${baseline}`].map((id) => [id, 'error'])),
    },
  ];
  return { ns, ruleIds, languageOptions, config: configArray(config), parseOnly: configArray([{ files, languageOptions }]) };
}

/**
 * The three configurations that compare all db-guard rules with `baselineRule` without timers: one
 * empty rule alone (`empty`), with the baseline (`baseline`), with every db-guard rule (`all`). Each is
 * normalized once (`configArray`).
 */
export function comparisonConfigs(plugin, baseline, baselineRule, languageOptions) {
  const ns = plugin.meta.namespace;
  const empty = { meta: { type: 'problem', schema: [] }, create: () => ({ Program() {} }) };
  const withRules = (rules) =>
    configArray([
      {
        files: ['**/*.{js,cjs,mjs,ts,cts,mts}'],
        plugins: { [ns]: plugin, bench: { rules: { empty, [baseline]: baselineRule } } },
        languageOptions,
        rules: { 'bench/empty': 'error', ...rules },
      },
    ]);
  return {
    empty: withRules({}),
    baseline: withRules({ [`bench/${baseline}`]: 'error' }),
    all: withRules(Object.fromEntries(Object.keys(plugin.rules).map((name) => [`${ns}/${name}`, 'error']))),
  };
}

/**
 * A flat config normalized once into ESLint's own FlatConfigArray, as the ESLint CLI holds one for a
 * whole run. `Linter#verify` given a plain array normalizes it again on every call, validating every
 * configured rule's options against its schema: a per-file cost that grows with the number of rules,
 * which a real lint run pays once per config, not once per file.
 */
export function configArray(config) {
  const require = createRequire(path.join(root, 'package.json'));
  const { FlatConfigArray } = require(path.join(path.dirname(require.resolve('eslint/package.json')), 'lib', 'config', 'flat-config-array.js'));
  const array = new FlatConfigArray(config, { basePath: root });
  array.normalizeSync();
  return array;
}

/**
 * Yields each input parsed (not timed) into a SourceCode to lint, one file at a time, as ESLint
 * does: parse a file, lint it, go on. Called for every timed run, since a rule's per-node caches
 * (WeakMaps keyed by AST nodes) would survive on a SourceCode linted before, where a real lint run
 * meets every file's AST once; and one file at a time, since a heap holding every file's fresh AST
 * makes each garbage collection during linting copy them all. Throws on a file that does not parse.
 */
export function* freshParses(linter, inputs, parseOnly, label) {
  for (const { filename, code } of inputs) {
    const messages = linter.verify(code, parseOnly, { filename });
    const fatal = messages.find((m) => m.fatal);
    if (fatal) throw new Error(`${label}: ${filename} does not parse: ${fatal.message}`);
    yield { filename, sourceCode: linter.getSourceCode() };
  }
}
