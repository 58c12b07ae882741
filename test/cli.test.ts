// The built CLI (dist/esm/src/cli.js), run as users run it: on examples/, on clean and broken
// temporary projects (which have no ESLint config), and with bad input.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import plugin from '../src/index.js';
import { CLI, ROOT, useBuildAndTempDir } from './helpers/built.js';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

interface JsonResult {
  filePath: string;
  messages: { ruleId: string | null; line: number; fatal?: boolean }[];
}

function cli(args: string[], cwd = ROOT): Run {
  const { status, stdout, stderr } = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { status, stdout, stderr };
}

const ns = plugin.meta.namespace;
const ruleIds = new Set(Object.keys(plugin.rules).map((name) => `${ns}/${name}`));
const SUMMARY = /^\d+ problems? \(\d+ errors?, \d+ warnings?\) in \d+ of \d+ files?: .+ ×\d+(, .+ ×\d+)*\.$/;
const LEAK = `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function rename(id: number, name: string) {
  const conn = await pool.getConnection();
  await conn.query('UPDATE users SET name = ? WHERE id = ?', [name, id]);
  conn.release();
}
`;
const LEAK_CJS = `'use strict';
const mysql = require('mysql2/promise');
const pool = mysql.createPool({});
async function rename(id, name) {
  const conn = await pool.getConnection();
  await conn.query('UPDATE users SET name = ? WHERE id = ?', [name, id]);
  conn.release();
}
module.exports = { rename };
`;
const CLEAN = `import mysql from 'mysql2/promise';
const pool = mysql.createPool({});
export async function rename(id: number, name: string) {
  const conn = await pool.getConnection();
  try {
    await conn.query('UPDATE users SET name = ? WHERE id = ?', [name, id]);
  } finally {
    conn.release();
  }
}
`;

const temp = useBuildAndTempDir('db-guard-cli-');

/** A fresh directory under the test's temp dir holding the given files. */
function project(name: string, files: Record<string, string>): string {
  const dir = path.join(temp(), name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

/** `(file, rule)` pairs of the bug table in examples/README.md. */
function plantedBugs(): { file: string; rule: string }[] {
  const readme = readFileSync(path.join(ROOT, 'examples', 'README.md'), 'utf8');
  return [...readme.matchAll(/^\| (src\/\S+) \| .+ \| `([\w/-]+)` \|$/gm)].map(([, file, rule]) => ({ file: file!, rule: rule! }));
}

/** For each line of a file: 'BUG', 'OK' or null, from the `// BUG:` / `// OK:` comment above it. */
function markers(file: string): ('BUG' | 'OK' | null)[] {
  let current: 'BUG' | 'OK' | null = null;
  let previousWasComment = false;
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => {
      const comment = line.startsWith('//');
      if (comment && !previousWasComment) current = /^\/\/ (BUG|OK):/.exec(line)?.[1] as 'BUG' | 'OK' | null;
      previousWasComment = comment;
      return current;
    });
}

describe('db-connection-guard examples', () => {
  it('reports the planted bugs with file paths, rule ids and a summary, and exits 1', () => {
    const run = cli(['examples']);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(lastLine(run.stderr)).toMatch(SUMMARY);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(path.join('examples', 'src', 'users.ts'));
    const reported = new Set(run.stdout.match(new RegExp(`${ns}/[a-z-]+`, 'g')));
    expect(reported.size).toBeGreaterThan(0);
    for (const id of reported) expect(ruleIds).toContain(id);
    for (const id of reported) expect(lastLine(run.stderr)).toContain(id);
  });

  it('finds every bug listed in examples/README.md and nothing in code marked OK', () => {
    const run = cli(['examples', '--format', 'json']);
    expect(run.status).toBe(1);
    const results = JSON.parse(run.stdout) as JsonResult[];
    expect(results.flatMap((r) => r.messages.filter((m) => m.fatal === true))).toEqual([]);

    const expected = plantedBugs().filter(({ rule }) => ruleIds.has(rule));
    expect(expected.length, 'no rule of the plugin matches a bug listed in examples/README.md').toBeGreaterThan(0);
    for (const { file, rule } of expected) {
      const result = results.find((r) => r.filePath === path.join(ROOT, 'examples', file));
      expect(result?.messages.map((m) => m.ruleId), `${file} should be reported by ${rule}`).toContain(rule);
    }

    const falsePositives = results.flatMap((r) => {
      const marks = markers(r.filePath);
      return r.messages
        .filter((m) => marks[m.line - 1] === 'OK')
        .map((m) => `${path.relative(ROOT, r.filePath)}:${String(m.line)} ${m.ruleId ?? ''}`);
    });
    expect(falsePositives).toEqual([]);
  });
});

describe('db-connection-guard on a project without an ESLint config', () => {
  it('exits 0 on clean .ts/.js/.jsx/.tsx/.mts/.cts code and skips node_modules and build output', () => {
    const dir = project('clean', {
      'src/users.ts': CLEAN,
      'src/util.js': 'export const twice = (n) => n * 2;\n',
      'src/view.jsx': 'export const View = ({ name }) => <p>{name}</p>;\n',
      'src/card.tsx': 'export const Card = (props: { title: string }) => <h2>{props.title}</h2>;\n',
      'src/esm.mts': 'export const limit: number = 10;\n',
      'src/cjs.cts': 'const limit: number = 10;\nexport = limit;\n',
      'node_modules/dep/index.js': LEAK,
      'dist/users.js': LEAK,
      'build/users.js': LEAK,
      'coverage/users.js': LEAK,
    });
    const run = cli([], dir);
    expect(run.stderr.trim()).toBe('No problems found in 6 files.');
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });

  it('reports the same leaky code outside the ignored folders', () => {
    const dir = project('leaky', { 'src/users.ts': LEAK, 'src/users.cjs': LEAK_CJS });
    const run = cli(['src'], dir);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(path.join(dir, 'src', 'users.ts'));
    expect(run.stdout).toContain(path.join(dir, 'src', 'users.cjs'));
    expect(lastLine(run.stderr)).toMatch(SUMMARY);
  });

  it('counts a file that does not parse and exits 1', () => {
    const dir = project('broken', { 'ok.ts': CLEAN, 'broken.js': 'const = ;\n' });
    const run = cli(['.'], dir);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('Parsing error');
    expect(lastLine(run.stderr)).toBe('1 problem (1 error, 0 warnings) in 1 of 2 files: parse error ×1.');
  });

  it('writes fixes with --fix', () => {
    const fixable = Object.entries(plugin.rules).filter(([, rule]) => rule.meta.fixable !== undefined);
    expect(fixable.map(([name]) => name), 'the plugin has no fixable rule').not.toEqual([]);
    const dir = path.join(temp(), 'fix');
    cpSync(path.join(ROOT, 'examples'), dir, { recursive: true });
    const file = path.join(dir, 'src', 'users.ts');
    const before = readFileSync(file, 'utf8');
    const countFixable = (run: Run): number =>
      (JSON.parse(run.stdout) as JsonResult[])
        .flatMap((r) => r.messages)
        .filter((m) => fixable.some(([name]) => m.ruleId === `${ns}/${name}`)).length;
    const beforeCount = countFixable(cli([file, '-f', 'json'], dir));

    const run = cli([file, '--fix'], dir);
    expect(run.stderr).toMatch(/Fixed 1 file\.$/m);
    const after = readFileSync(file, 'utf8');
    expect(after).not.toBe(before);
    expect(after).toContain('finally');
    expect(countFixable(cli([file, '-f', 'json'], dir))).toBeLessThan(beforeCount);
  });
});

describe('db-connection-guard bad usage', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown option', ['--frobnicate', 'examples'], /^db-connection-guard: Unknown option '--frobnicate'\.$/],
    ['a path that does not exist', ['examples', 'no/such/dir'], /^db-connection-guard: No such file or directory: no\/such\/dir$/],
    ['an invalid --format', ['--format', 'no-such-formatter', 'examples'], /^db-connection-guard: Cannot load formatter 'no-such-formatter'/],
    ['--format without a value', ['examples', '--format'], /^db-connection-guard: Option '--format' needs a value\.$/],
  ];
  for (const [what, args, message] of cases) {
    it(`exits 2 with a one-line error for ${what}`, () => {
      const run = cli(args);
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr.trimEnd()).toMatch(message);
    });
  }

  it('prints help and the version', () => {
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: db-connection-guard \[paths\.\.\.\]/);
    expect(help.stdout).toContain('--fix');
    const version = cli(['-v']);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(plugin.meta.version);
  });
});
