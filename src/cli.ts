#!/usr/bin/env node
// `db-connection-guard [paths...] [--fix] [--format name]`: runs the recommended db-guard rules over a
// code base through ESLint's Node API, without reading (or needing) the project's ESLint config.
//
// Exit codes: 0 nothing reported, 1 problems reported (including files that fail to parse),
// 2 bad usage (unknown option, missing path, unknown formatter) or an internal error.
// Standard output is exactly the formatter's output; the one-line summary goes to standard error,
// so `--format json > report.json` stays valid JSON.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { ESLint, type Linter } from 'eslint';

import plugin from './index.js';

const NAME = 'db-connection-guard';

/** Globs every run ignores, relative to the linted paths (ESLint adds `node_modules` and `.git`). */
const ALWAYS_IGNORED = [
  '**/node_modules/',
  '**/dist/',
  '**/build/',
  '**/coverage/',
  '**/.next/',
  '**/.nuxt/',
  '**/.output/',
  '**/*.min.js',
];

const HELP = `Usage: ${NAME} [paths...] [options]

Lints JavaScript and TypeScript files (.js .cjs .mjs .jsx .ts .cts .mts .tsx) with the
recommended db-guard rules, without using or needing an ESLint config. Paths default to the
current directory. node_modules and build output (${ALWAYS_IGNORED.join(', ')}) are skipped.

Options:
  --fix              Write automatic fixes to the files
  -f, --format name  ESLint formatter: stylish (default), json, or an installed
                     eslint-formatter-* package
  -h, --help         Show this help
  -v, --version      Show the version

Exit codes: 0 no problems, 1 problems found, 2 bad usage or internal error.
The formatter's output goes to stdout, the one-line summary to stderr.`;

class UsageError extends Error {}

interface Options {
  paths: string[];
  fix: boolean;
  format: string;
}

/** Parses argv; returns null after printing help or the version. */
function parseOptions(argv: string[]): Options | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        fix: { type: 'boolean', default: false },
        format: { type: 'string', short: 'f', default: 'stylish' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return null;
  }
  if (values.version) {
    process.stdout.write(`${plugin.meta.version}\n`);
    return null;
  }
  if (values.format === '') throw new UsageError('--format needs a formatter name.');
  return { paths: positionals.length > 0 ? positionals : ['.'], fix: values.fix, format: values.format };
}

/** node:util's parse errors are multi-line and mention `args`; keep the first sentence. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const option = /'([^']+)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) return `Unknown option '${option}'.`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
    const long = option.split(',').pop()?.replace('<value>', '').trim() ?? option;
    return `Option '${long}' needs a value.`;
  }
  return message.split('\n')[0] ?? message;
}

/** The deepest directory containing every path (for a single file, its directory). */
function commonDirectory(absolutePaths: string[]): string {
  const dirs = absolutePaths.map((p) => (statSync(p).isDirectory() ? p : path.dirname(p)));
  const first = dirs[0] ?? process.cwd();
  return dirs.slice(1).reduce((common, dir) => {
    let candidate = common;
    while (candidate !== path.dirname(candidate) && path.relative(candidate, dir).startsWith('..')) {
      candidate = path.dirname(candidate);
    }
    return candidate;
  }, first);
}

/** `3 problems (3 errors, 0 warnings) in 2 of 5 files: db-guard/no-leaked-connection ×3`. */
function summarize(results: ESLint.LintResult[], fixedFiles: number): string {
  const byRule = new Map<string, number>();
  let errors = 0;
  let warnings = 0;
  let filesWithProblems = 0;
  for (const result of results) {
    if (result.messages.length > 0) filesWithProblems += 1;
    for (const message of result.messages) {
      if (message.severity === 2) errors += 1;
      else warnings += 1;
      const key = message.ruleId ?? (message.fatal === true ? 'parse error' : 'other');
      byRule.set(key, (byRule.get(key) ?? 0) + 1);
    }
  }
  const files = `${String(results.length)} file${results.length === 1 ? '' : 's'}`;
  const fixed = fixedFiles > 0 ? ` Fixed ${String(fixedFiles)} file${fixedFiles === 1 ? '' : 's'}.` : '';
  const total = errors + warnings;
  if (total === 0) return `No problems found in ${files}.${fixed}`;
  const rules = [...byRule]
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
    .map(([rule, count]) => `${rule} ×${String(count)}`)
    .join(', ');
  const problems = `${String(total)} problem${total === 1 ? '' : 's'}`;
  const detail = `(${String(errors)} error${errors === 1 ? '' : 's'}, ${String(warnings)} warning${warnings === 1 ? '' : 's'})`;
  return `${problems} ${detail} in ${String(filesWithProblems)} of ${files}: ${rules}.${fixed}`;
}

async function run(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options === null) return 0;

  const absolute = options.paths.map((p) => path.resolve(p));
  const missing = options.paths.find((_, i) => !existsSync(absolute[i] ?? ''));
  if (missing !== undefined) throw new UsageError(`No such file or directory: ${missing}`);

  // ESLint ignores files outside its base path, so the base is the common directory of the
  // paths: `db-connection-guard ../other-project` lints that project, and the ignore globs apply
  // inside the given paths only.
  const base = commonDirectory(absolute);
  const config: Linter.Config[] = [
    { name: `${NAME}/ignores`, ignores: ALWAYS_IGNORED },
    plugin.configs.recommended as Linter.Config,
  ];
  const eslint = new ESLint({
    cwd: base,
    overrideConfigFile: true,
    overrideConfig: config,
    fix: options.fix,
    errorOnUnmatchedPattern: false,
    warnIgnored: false,
  });

  // Load the formatter before linting, so that a bad name fails fast.
  let formatter: ESLint.LoadedFormatter;
  try {
    formatter = await eslint.loadFormatter(options.format);
  } catch {
    throw new UsageError(`Cannot load formatter '${options.format}': use stylish, json, or an installed eslint-formatter-* package.`);
  }

  const results = await eslint.lintFiles(absolute);
  let fixedFiles = 0;
  if (options.fix) {
    await ESLint.outputFixes(results);
    fixedFiles = results.filter((r) => r.output !== undefined).length;
  }

  const output = await formatter.format(results);
  if (output.length > 0) process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
  process.stderr.write(`${summarize(results, fixedFiles)}\n`);

  return results.some((r) => r.errorCount + r.warningCount > 0) ? 1 : 0;
}

/** A usage error's message; for an internal error also ESLint's "Occurred while linting" lines. */
function describeError(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).trim();
  if (error instanceof UsageError) return message;
  return `internal error: ${message.split('\n').map((line) => line.trim()).filter(Boolean).join(' | ')}`;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${NAME}: ${describeError(error)}\n`);
    if (!(error instanceof UsageError)) process.stderr.write(`Run with DEBUG_DB_GUARD=1 for the stack trace.\n`);
    if (process.env['DEBUG_DB_GUARD'] && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
    process.exitCode = 2;
  },
);
