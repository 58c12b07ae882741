// Real-world evaluation as a regression test: every rule of `configs.all` over the shipped source of
// the corpus packages (scripts/real-world.mjs), compared with the reviewed verdicts in
// docs/real-world-verdicts.json. A new report must be reviewed, a vanished true positive is noticed, a
// crash fails, and a report reviewed as a false positive fails until the rule stops making it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ROOT } from './helpers/built.js';

const SCRIPT = path.join(ROOT, 'scripts', 'real-world.mjs');
const PLUGIN = path.join(ROOT, 'dist', 'esm', 'src', 'index.js');
const VERDICTS = path.join(ROOT, 'docs', 'real-world-verdicts.json');
/** The whole corpus takes 1.5 to 3 minutes of wall time on 2 busy cores. */
const TIMEOUT_MS = 8 * 60_000;

interface Report {
  rule: string;
  package: string;
  file: string;
  line: number;
  column: number;
  message: string;
  code: string;
}

interface Crash {
  rule: string;
  package: string;
  file: string;
  line?: number;
  message: string;
}

interface ParseError {
  package: string;
  file: string;
  line: number;
  message: string;
}

interface Result {
  rules: string[];
  packages: { name: string; version: string; files: number }[];
  reports: Report[];
  crashes: Crash[];
  parseErrors: ParseError[];
}

interface Verdict {
  rule: string;
  package: string;
  file: string;
  line: number;
  code: string;
  verdict: 'true-positive' | 'false-positive';
  impact: 'real' | 'low' | 'none';
  why: string;
}

const key = (e: { rule: string; package: string; file: string; line: number; code: string }): string =>
  `${e.rule} ${e.package}/${e.file}:${String(e.line)} | ${e.code}`;

const verdicts = JSON.parse(readFileSync(VERDICTS, 'utf8')) as Verdict[];
let tmp = '';
let result: Result;

beforeAll(() => {
  if (!existsSync(PLUGIN)) {
    throw new Error(`${path.relative(ROOT, PLUGIN)} is missing: run \`npm run build\` first (\`npm test\` builds).`);
  }
  tmp = mkdtempSync(path.join(os.tmpdir(), 'db-guard-real-world-'));
  const out = path.join(tmp, 'result.json');
  const run = spawnSync(process.execPath, [SCRIPT, '--out', out, '--quiet'], { cwd: ROOT, encoding: 'utf8', timeout: TIMEOUT_MS });
  // Exit status 1 means a rule crashed: the result is still written and the crash test below shows it.
  if ((run.status !== 0 && run.status !== 1) || !existsSync(out)) {
    throw new Error(`scripts/real-world.mjs failed (status ${String(run.status)}, signal ${String(run.signal)}):\n${run.stderr}${run.stdout}`);
  }
  result = JSON.parse(readFileSync(out, 'utf8')) as Result;
}, TIMEOUT_MS);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('real-world evaluation (scripts/real-world.mjs over the corpus devDependencies)', () => {
  it('lints every corpus package with every rule of configs.all', () => {
    expect(result.packages.length).toBeGreaterThanOrEqual(20);
    for (const pkg of result.packages) expect(pkg.files, `${pkg.name} has no lintable files`).toBeGreaterThan(0);
    expect(result.rules.length).toBeGreaterThan(0);
  });

  it('no rule crashes on any file', () => {
    const lines = result.crashes.map((c) => `${c.rule} on ${c.package}/${c.file}${c.line === undefined ? '' : `:${String(c.line)}`}: ${c.message}`);
    expect(lines).toEqual([]);
  });

  it('every file parses (a parse error means a file was not analysed)', () => {
    const lines = result.parseErrors.map((e) => `${e.package}/${e.file}:${String(e.line)} ${e.message}`);
    expect(lines).toEqual([]);
  });

  it('every verdict is well-formed and unique', () => {
    const seen = new Set<string>();
    for (const v of verdicts) {
      expect(['true-positive', 'false-positive'], key(v)).toContain(v.verdict);
      expect(['real', 'low', 'none'], key(v)).toContain(v.impact);
      expect(v.verdict === 'false-positive' ? v.impact === 'none' : v.impact !== 'none', `${key(v)}: impact does not fit the verdict`).toBe(true);
      expect(v.why.length, `${key(v)}: no reasoning`).toBeGreaterThan(40);
      expect(seen.has(key(v)), `${key(v)}: reviewed twice`).toBe(false);
      seen.add(key(v));
    }
  });

  // A false positive that no longer occurs has been fixed: its verdict stays in the file as a
  // regression guard. A true positive that no longer occurs is lost recall (or moved code): re-review.
  it('the reports are exactly the reviewed ones (review new reports in docs/real-world-verdicts.json)', () => {
    const reviewed = new Set(verdicts.map(key));
    const reported = new Set(result.reports.map(key));
    const unreviewed = result.reports.filter((r) => !reviewed.has(key(r))).map((r) => `${key(r)}\n    ${r.message}`);
    const vanished = verdicts.filter((v) => v.verdict === 'true-positive' && !reported.has(key(v))).map(key);
    expect({ unreviewed, vanishedTruePositives: vanished }).toEqual({ unreviewed: [], vanishedTruePositives: [] });
  });

  it('no report is a known false positive', () => {
    const falsePositives = new Set(verdicts.filter((v) => v.verdict === 'false-positive').map(key));
    const still = result.reports.filter((r) => falsePositives.has(key(r))).map((r) => `${key(r)}\n    ${r.message}`);
    expect(still).toEqual([]);
  });
});
