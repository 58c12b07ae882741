// scripts/docs.mjs: the README rules table is in sync with the rules, and the check catches drift.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { rules } from '../src/rules.js';
import { ROOT, useBuildAndTempDir } from './helpers/built.js';

const SCRIPT = path.join(ROOT, 'scripts', 'docs.mjs');
const README = path.join(ROOT, 'README.md');
const DOCS = path.join(ROOT, 'docs', 'rules');

function docs(...args: string[]): { status: number | null; output: string } {
  const { status, stdout, stderr } = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status, output: stdout + stderr };
}

const temp = useBuildAndTempDir('db-guard-docs-');

/** A copy of README.md and docs/rules in the temp dir, returned as CLI arguments. */
function copy(name: string): { readme: string; dir: string; args: string[] } {
  const readme = path.join(temp(), `${name}.md`);
  const dir = path.join(temp(), name);
  cpSync(README, readme);
  mkdirSync(dir);
  if (existsSync(DOCS)) cpSync(DOCS, dir, { recursive: true });
  return { readme, dir, args: ['--check', '--readme', readme, '--docs', dir] };
}

const names = Object.keys(rules).sort();

describe('README rules table and rule pages', () => {
  it('are up to date (npm run docs:check)', () => {
    const run = docs('--check');
    expect(run.output).toContain('up to date');
    expect(run.status).toBe(0);
  });

  it('lists every rule with a link to its page, and its description', () => {
    const readme = readFileSync(README, 'utf8');
    for (const name of names) {
      const row = readme.split('\n').find((line) => line.startsWith(`| [${name}](docs/rules/${name}.md) |`));
      expect(row, `README row for ${name}`).toBeDefined();
      expect(row).toContain(rules[name as keyof typeof rules].meta.docs?.description);
      expect(row?.includes('✅')).toBe(rules[name as keyof typeof rules].meta.docs?.recommended === true);
    }
  });

  it('fails the check when the table drifts, and `npm run docs` repairs it', () => {
    const { readme, args } = copy('drift');
    const text = readFileSync(readme, 'utf8');
    const stale = text.replace(/<!-- begin auto-generated rules list -->[\s\S]*?<!-- end auto-generated rules list -->/, '<!-- begin auto-generated rules list -->\n| stale |\n<!-- end auto-generated rules list -->');
    expect(stale).not.toBe(text);
    writeFileSync(readme, stale);
    const failed = docs(...args);
    expect(failed.status).toBe(1);
    expect(failed.output).toMatch(/rules table in .* is out of date/);
    expect(docs('--readme', readme, '--docs', args[4]!).status).toBe(0);
    const repaired = readFileSync(readme, 'utf8');
    expect(repaired).not.toContain('| stale |');
    for (const name of names) expect(repaired).toContain(`| [${name}](docs/rules/${name}.md) |`);
    expect(docs(...args).status).toBe(0);
    expect(repaired.replace(/<!-- begin[\s\S]*<!-- end auto-generated rules list -->/, '')).toBe(text.replace(/<!-- begin[\s\S]*<!-- end auto-generated rules list -->/, ''));
  });

  it('fails when the markers are missing', () => {
    const { readme, args } = copy('markers');
    writeFileSync(readme, '# no table here\n');
    const run = docs(...args);
    expect(run.status).toBe(1);
    expect(run.output).toContain('lacks the markers');
  });

  it('fails when a rule page lacks "When Not To Use It", or is missing, or documents no rule', () => {
    expect(names.length, 'the plugin has no rules').toBeGreaterThan(0);
    const first = names[0]!;
    const { dir, args } = copy('pages');
    const page = path.join(dir, `${first}.md`);
    writeFileSync(page, readFileSync(page, 'utf8').replace(/^## When Not To Use It/m, '## Someday'));
    writeFileSync(path.join(dir, 'no-such-rule.md'), '# nothing\n');
    let run = docs(...args);
    expect(run.status).toBe(1);
    expect(run.output).toContain(`${first}.md lacks the section "## When Not To Use It"`);
    expect(run.output).toContain('no-such-rule.md documents no rule');

    rmSync(page);
    run = docs(...args);
    expect(run.output).toContain(`rule ${first} has no page`);
  });
});

describe('README.md', () => {
  it('links only to files that exist', () => {
    const text = readFileSync(README, 'utf8');
    const links = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map(([, target]) => target!);
    const local = [...new Set(links.filter((target) => !/^[a-z]+:/.test(target)))];
    expect(local).toContain('examples/README.md');
    expect(local.filter((target) => !existsSync(path.join(ROOT, target)))).toEqual([]);
  });
});
