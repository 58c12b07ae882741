// CI, as users run it: ESLint's own CLI with the plugin in a flat config, over a folder of many
// files (a copy of examples/ plus generated leaks, every rule reporting, some with fixes and
// suggestions, non-default options and settings). The results are identical with
// `--concurrency=auto`, with worker threads forced (`--concurrency=2`), with `--cache` on a cold and
// a warm cache, and in one process over the files in reverse order: the rules keep no state across
// files, and their options and settings survive ESLint's serialisation (config hash, worker threads).
// `@microsoft/eslint-formatter-sarif` (GitHub code scanning) gives valid SARIF 2.1.0 with our rule
// ids and locations, through `eslint -f` and through `db-connection-guard --format`.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

import Ajv from 'ajv';
import { Linter } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import plugin from '../../src/index.js';
import { CLI, requireBuild, ROOT } from '../helpers/built.js';
import { GENERATED_RULE_OPTIONS, GENERATED_SETTINGS, generateLeakModules } from './helpers/leaks.js';

const ESLINT_BIN = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
const SARIF_FORMATTER = '@microsoft/eslint-formatter-sarif';
const GENERATED_FILES = 64; // with the 7 examples, over ESLint's 50 files per worker: `auto` may use threads
const RUN_TIMEOUT_MS = 120_000;
const ns = plugin.meta.namespace;

interface Message {
  ruleId: string | null;
  messageId?: string;
  severity: number;
  message: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  fix?: { range: [number, number]; text: string };
  suggestions?: { desc: string; messageId?: string; fix: { range: [number, number]; text: string } }[];
  fatal?: boolean;
}

interface Result {
  filePath: string;
  messages: Message[];
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** `threadId<TAB>file` for each file the rules actually ran on (the probe rule of the config). */
  linted: { thread: number; file: string }[];
}

let project = '';

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(path.join(project, 'src'));
  return out.sort();
}

/** Runs a node CLI in the project with a fresh probe log, returning its output and what it linted. */
function run(name: string, args: string[]): Run {
  const log = path.join(project, `probe-${name}.log`);
  rmSync(log, { force: true });
  const child = spawnSync(process.execPath, args, {
    cwd: project,
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CI_PROBE_LOG: log },
  });
  if (child.error) throw child.error;
  const linted = existsSync(log)
    ? readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => {
          const [thread, file] = line.split('\t');
          return { thread: Number(thread), file: file ?? '' };
        })
    : [];
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, linted };
}

const eslint = (name: string, ...args: string[]): Run => run(name, [ESLINT_BIN, ...args]);

/** Messages by file (relative path), in a form that compares everything the user sees. */
function normalise(results: Result[]): Record<string, Message[]> {
  const byFile: Record<string, Message[]> = {};
  for (const result of results) {
    byFile[path.relative(project, result.filePath)] = result.messages.map((m) => ({
      ruleId: m.ruleId,
      ...(m.messageId === undefined ? {} : { messageId: m.messageId }),
      severity: m.severity,
      message: m.message,
      line: m.line,
      column: m.column,
      ...(m.endLine === undefined ? {} : { endLine: m.endLine }),
      ...(m.endColumn === undefined ? {} : { endColumn: m.endColumn }),
      ...(m.fix === undefined ? {} : { fix: m.fix }),
      ...(m.suggestions === undefined ? {} : { suggestions: m.suggestions.map((s) => ({ desc: s.desc, fix: s.fix })) }),
    }));
  }
  return byFile;
}

function parseJson(runResult: Run): Record<string, Message[]> {
  expect(runResult.stderr.replace(/\(node:\d+\) ESLintPoorConcurrencyWarning[^\n]*\n?|\(Use `node --trace-warnings[^\n]*\n?/g, '')).toBe('');
  expect(runResult.status).toBe(1); // findings
  return normalise(JSON.parse(runResult.stdout) as Result[]);
}

const memo = new Map<string, unknown>();
function once<T>(key: string, compute: () => T): T {
  if (!memo.has(key)) memo.set(key, compute());
  return memo.get(key) as T;
}

/** The reference: a plain `eslint -f json src`. */
const plainRun = (): Run => once('plain', () => eslint('plain', '-f', 'json', 'src'));
const plain = (): Record<string, Message[]> => once('plain-results', () => parseJson(plainRun()));

interface SarifLocation {
  physicalLocation: {
    artifactLocation: { uri: string; index?: number };
    region?: { startLine?: number; startColumn?: number; endLine?: number; endColumn?: number };
  };
}

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string; helpUri?: string }[] } };
    results: { ruleId?: string; level: string; message: { text: string }; locations: SarifLocation[] }[];
    artifacts?: { location: { uri: string } }[];
  }[];
}

/** The official SARIF 2.1.0 (rtm.5) JSON schema, as shipped in @microsoft/jest-sarif. */
function sarifValidator(): Ajv.ValidateFunction {
  const require = createRequire(import.meta.url);
  const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
  const draft4 = require('ajv/lib/refs/json-schema-draft-04.json') as object;
  const ajv = new Ajv({ schemaId: 'auto', allErrors: true });
  ajv.addMetaSchema(draft4);
  return ajv.compile(schema);
}

/** SARIF results and JSON messages reduced to the same rows: file, rule, region, message. */
function sarifRows(log: SarifLog): string[] {
  return log.runs.flatMap((r) =>
    r.results.map((result) => {
      const location = result.locations[0]!.physicalLocation;
      const file = path.relative(project, fileURLToPath(location.artifactLocation.uri));
      const { startLine, startColumn, endLine, endColumn } = location.region ?? {};
      return [file, result.ruleId, startLine, startColumn, endLine, endColumn, result.level, result.message.text].join(' | ');
    }),
  );
}

function jsonRows(byFile: Record<string, Message[]>): string[] {
  return Object.entries(byFile).flatMap(([file, messages]) =>
    messages.map((m) => [file, m.ruleId, m.line, m.column, m.endLine, m.endColumn, m.severity === 2 ? 'error' : 'warning', m.message].join(' | ')),
  );
}

function checkSarif(text: string, reference: Record<string, Message[]>): SarifLog {
  const log = JSON.parse(text) as SarifLog;
  const validate = sarifValidator();
  expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
  expect(log.version).toBe('2.1.0');
  expect(log.runs).toHaveLength(1);
  expect(log.runs[0]!.tool.driver.name).toBe('ESLint');
  expect(sarifRows(log).sort()).toEqual(jsonRows(reference).sort());
  // Every reported rule is described, with its documentation page.
  const reported = new Set(log.runs[0]!.results.map((r) => r.ruleId));
  const described = log.runs[0]!.tool.driver.rules.filter((r) => reported.has(r.id));
  expect(described.map((r) => r.id).sort()).toEqual([...reported].sort());
  for (const rule of described) expect(rule.helpUri).toMatch(new RegExp(`/docs/rules/${rule.id.replace(`${ns}/`, '')}\\.md$`));
  return log;
}

beforeAll(() => {
  requireBuild();
  project = mkdtempSync(path.join(tmpdir(), 'db-guard-ci-'));
  // The formatter is a devDependency of the project under lint, as in a user's repository.
  mkdirSync(path.join(project, 'node_modules', '@microsoft'), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules', '@microsoft', 'eslint-formatter-sarif'), path.join(project, 'node_modules', '@microsoft', 'eslint-formatter-sarif'), 'dir');
  cpSync(path.join(ROOT, 'examples', 'src'), path.join(project, 'src', 'examples'), { recursive: true });
  for (const [name, text] of Object.entries(generateLeakModules(GENERATED_FILES))) {
    mkdirSync(path.join(project, 'src', 'gen'), { recursive: true });
    writeFileSync(path.join(project, 'src', 'gen', name), text);
  }
  // A user's flat config, plus a probe rule that logs which thread linted which file (it reports
  // nothing): it tells a cached file from a linted one, and a worker thread from the main thread.
  writeFileSync(
    path.join(project, 'eslint.config.mjs'),
    `import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import dbGuard from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist', 'esm', 'src', 'index.js')).href)};

const probe = {
  meta: { name: 'ci-probe', version: '1.0.0' },
  rules: {
    linted: {
      meta: { type: 'problem', schema: [] },
      create(context) {
        if (process.env.CI_PROBE_LOG) appendFileSync(process.env.CI_PROBE_LOG, threadId + '\\t' + context.filename + '\\n');
        return {};
      },
    },
  },
};

export default [
  dbGuard.configs.all,
  {
    settings: ${JSON.stringify(GENERATED_SETTINGS)},
    rules: ${JSON.stringify(GENERATED_RULE_OPTIONS)},
  },
  { files: ['**/*.{js,ts}'], plugins: { 'ci-probe': probe }, rules: { 'ci-probe/linted': 'error' } },
];
`,
  );
});

afterAll(() => {
  if (project !== '') rmSync(project, { recursive: true, force: true });
});

describe('ESLint CLI over a folder of many files', { timeout: 4 * RUN_TIMEOUT_MS }, () => {
  it('the plain run lints every file once, and every rule of the plugin reports, with fixes and suggestions', () => {
    const reference = plain();
    const files = sourceFiles();
    expect(Object.keys(reference).sort()).toEqual(files.map((f) => path.relative(project, f)));
    expect(plainRun().linted.map((l) => l.file).sort()).toEqual(files);
    expect([...new Set(plainRun().linted.map((l) => l.thread))]).toEqual([0]); // no worker threads
    const messages = Object.values(reference).flat();
    expect(messages.filter((m) => m.fatal === true)).toEqual([]);
    expect(new Set(messages.map((m) => m.ruleId))).toEqual(new Set(Object.keys(plugin.rules).map((name) => `${ns}/${name}`)));
    expect(messages.filter((m) => m.fix !== undefined).length).toBeGreaterThan(GENERATED_FILES / 2);
    expect(messages.filter((m) => (m.suggestions ?? []).length > 0).length).toBeGreaterThan(GENERATED_FILES / 2);
  });

  it('--concurrency=auto gives the same results', () => {
    const auto = eslint('auto', '--concurrency=auto', '-f', 'json', 'src');
    expect(parseJson(auto)).toEqual(plain());
    // ESLint's auto picks worker threads with 4+ CPUs for this many files; on fewer it runs in one.
    const threads = new Set(auto.linted.map((l) => l.thread));
    if (availableParallelism() >= 4) expect(threads.has(0)).toBe(false);
    else expect([...threads]).toEqual([0]);
  });

  it('--concurrency=2 lints in two worker threads and gives the same results', () => {
    const threaded = eslint('threads', '--concurrency=2', '-f', 'json', 'src');
    expect(parseJson(threaded)).toEqual(plain());
    const threads = new Set(threaded.linted.map((l) => l.thread));
    expect(threads.has(0)).toBe(false); // not the main thread
    expect(threads.size).toBe(2);
    expect(threaded.linted).toHaveLength(sourceFiles().length);
  });

  it('--cache gives the same results linted and from the cache', () => {
    // Not the default .eslintcache: ESLint deletes that one on every run without --cache.
    const reference = plain();
    const cache = ['--cache', '--cache-location', path.join(project, 'cache', 'metadata')];
    const cold = eslint('cache-cold', ...cache, '-f', 'json', 'src');
    expect(parseJson(cold)).toEqual(reference);
    expect(cold.linted).toHaveLength(sourceFiles().length);
    const warm = eslint('cache-warm', ...cache, '-f', 'json', 'src');
    expect(parseJson(warm)).toEqual(reference);
    expect(warm.linted).toEqual([]); // every result came from the cache
  });

  it('--cache --cache-strategy content survives a fresh checkout (new mtimes): the warm run lints nothing', () => {
    const reference = plain();
    const cache = ['--cache', '--cache-strategy', 'content', '--cache-location', path.join(project, 'cache', 'content')];
    const cold = eslint('content-cold', ...cache, '-f', 'json', 'src');
    expect(parseJson(cold)).toEqual(reference);
    expect(cold.linted).toHaveLength(sourceFiles().length);
    const later = new Date(Date.now() + 60_000);
    for (const file of sourceFiles()) utimesSync(file, later, later); // what a new clone does to mtimes
    const warm = eslint('content-warm', ...cache, '-f', 'json', 'src');
    expect(parseJson(warm)).toEqual(reference);
    expect(warm.linted).toEqual([]);
  });

  it('one Linter over the files in reverse order gives the same results (no state across files)', async () => {
    const config = ((await import(pathToFileURL(path.join(project, 'eslint.config.mjs')).href)) as { default: Linter.Config[] }).default;
    const linter = new Linter({ cwd: project });
    const results: Result[] = sourceFiles()
      .reverse()
      .map((filePath) => ({ filePath, messages: linter.verify(readFileSync(filePath, 'utf8'), config, { filename: filePath }) as Message[] }));
    expect(normalise(results)).toEqual(plain());
  });

  it(`eslint -f ${SARIF_FORMATTER} writes valid SARIF 2.1.0 with the rule ids and locations of the json run`, () => {
    const out = path.join(project, 'eslint.sarif');
    const sarif = eslint('sarif', '-f', SARIF_FORMATTER, '-o', out, 'src');
    expect(sarif.status).toBe(1);
    const log = checkSarif(readFileSync(out, 'utf8'), plain());
    expect(log.runs[0]!.results.every((r) => r.ruleId?.startsWith(`${ns}/`))).toBe(true);
  });
});

describe('db-connection-guard --format with the SARIF formatter', { timeout: 2 * RUN_TIMEOUT_MS }, () => {
  it.each([SARIF_FORMATTER, '@microsoft/sarif'])('--format %s gives valid SARIF matching --format json', (format) => {
    const json = once('cli-json', () => run('cli-json', [CLI, '--format', 'json', 'src']));
    expect(json.status).toBe(1);
    const reference = normalise(JSON.parse(json.stdout) as Result[]);
    // The CLI runs the recommended rules, not the config file's: the leaks are found all the same.
    expect(Object.values(reference).flat().filter((m) => m.ruleId === `${ns}/no-leaked-connection`).length).toBeGreaterThan(GENERATED_FILES / 2);
    const sarif = run('cli-sarif', [CLI, '--format', format, 'src']);
    expect(sarif.stderr).toMatch(/^\d+ problems \(\d+ errors, 0 warnings\) in \d+ of \d+ files: /);
    expect(sarif.status).toBe(1);
    const log = checkSarif(sarif.stdout, reference);
    expect(log.runs[0]!.results.length).toBeGreaterThan(GENERATED_FILES);
  });
});
