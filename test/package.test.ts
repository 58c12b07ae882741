// The package as users install it: `npm pack`, unpacked into the node_modules of throwaway CommonJS
// and ESM projects. Its dependencies are linked from this repository's node_modules, and only those
// the package declares (dependencies and peerDependencies), so an undeclared import fails here.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { rules } from '../src/rules.js';
import { ROOT, useBuildAndTempDir } from './helpers/built.js';

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface Loaded {
  keys: string[];
  rules: string[];
  configs: string[];
  meta: unknown;
  recommended: string[];
  runtime: string[];
  resolved: string;
}

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const LEAK_TS = `import mysql from 'mysql2/promise';

interface User {
  id: number;
  name: string;
}

const pool = mysql.createPool({ host: 'localhost' });

export async function rename(user: User): Promise<void> {
  const conn = await pool.getConnection();
  await conn.query('UPDATE users SET name = ? WHERE id = ?', [user.name, user.id]);
  conn.release();
}
`;

const temp = useBuildAndTempDir('db-guard-package-');
let tmp: string;
let installed: string;

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function node(cwd: string, args: string[]): string {
  const { status, stdout, stderr } = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  if (status !== 0) throw new Error(`node ${args.join(' ')} failed in ${cwd} (exit ${String(status)}):\n${stderr}`);
  return stdout;
}

beforeAll(() => {
  tmp = temp();
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  ) as [{ filename: string }];
  const modules = path.join(tmp, 'consumers', 'node_modules');
  installed = path.join(modules, pkg.name);
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(tmp, packed.filename), '-C', installed, '--strip-components=1']);
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
  for (const dep of [...deps, 'mysql2']) {
    mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(modules, dep), 'dir');
  }
  for (const type of ['commonjs', 'module']) {
    const dir = path.join(tmp, 'consumers', type);
    write(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${type}`, private: true, type }));
    write(path.join(dir, 'src', 'users.ts'), LEAK_TS);
  }
}, 120_000);

const ruleNames = Object.keys(rules).sort();
const recommended = Object.entries(rules)
  .filter(([, rule]) => rule.meta.docs?.recommended === true)
  .map(([name]) => `db-guard/${name}`)
  .sort();

function expectPlugin(loaded: Loaded, format: 'cjs' | 'esm'): void {
  expect(loaded.meta).toEqual({ name: pkg.name, version: pkg.version, namespace: 'db-guard' });
  expect(loaded.rules).toEqual(ruleNames);
  expect(loaded.configs).toEqual(expect.arrayContaining(['recommended', 'all']));
  expect(loaded.recommended).toEqual(recommended);
  expect(loaded.keys).not.toContain('default');
  expect(loaded.resolved.startsWith(path.join(installed, 'dist', format) + path.sep)).toBe(true);
  expect(loaded.runtime).toContain('withConnection');
}

describe('the packed package', () => {
  it('ships dist (both builds, with types), docs and the README, and no sources or tests', () => {
    const files = execFileSync('find', ['.', '-type', 'f'], { cwd: installed, encoding: 'utf8' }).split('\n');
    for (const file of ['./package.json', './README.md', './dist/cjs/index.js', './dist/cjs/index.d.ts', './dist/esm/src/index.js', './dist/esm/src/index.d.ts', './dist/esm/src/cli.js']) {
      expect(files).toContain(file);
    }
    expect(files.filter((f) => /^\.\/(src|test|scripts|examples)\//.test(f) || f.endsWith('.map'))).toEqual([]);
  });

  it('loads with require() from a CommonJS project as the plugin object itself', () => {
    const script = `
      const plugin = require('db-connection-guard');
      const runtime = require('db-connection-guard/runtime');
      console.log(JSON.stringify({
        keys: Object.keys(plugin), rules: Object.keys(plugin.rules).sort(), configs: Object.keys(plugin.configs),
        meta: plugin.meta, recommended: Object.keys(plugin.configs.recommended.rules).sort(),
        runtime: Object.keys(runtime), resolved: require.resolve('db-connection-guard'),
      }));`;
    expectPlugin(JSON.parse(node(path.join(tmp, 'consumers', 'commonjs'), ['-e', script])) as Loaded, 'cjs');
  });

  it('loads with import from an ESM project', () => {
    const script = `
      import plugin from 'db-connection-guard';
      import * as runtime from 'db-connection-guard/runtime';
      console.log(JSON.stringify({
        keys: Object.keys(plugin), rules: Object.keys(plugin.rules).sort(), configs: Object.keys(plugin.configs),
        meta: plugin.meta, recommended: Object.keys(plugin.configs.recommended.rules).sort(),
        runtime: Object.keys(runtime), resolved: import.meta.resolve('db-connection-guard').replace('file://', ''),
      }));`;
    expectPlugin(JSON.parse(node(path.join(tmp, 'consumers', 'module'), ['--input-type=module', '-e', script])) as Loaded, 'esm');
  });

  it('gives both formats the same runtime exports', () => {
    const cjs = node(path.join(tmp, 'consumers', 'commonjs'), ['-e', "console.log(Object.keys(require('db-connection-guard/runtime')).sort().join())"]);
    const esm = node(path.join(tmp, 'consumers', 'module'), ['--input-type=module', '-e', "import * as r from 'db-connection-guard/runtime'; console.log(Object.keys(r).sort().join())"]);
    expect(esm).toBe(cjs);
    expect(cjs.trim()).not.toBe('');
  });

  describe.each([
    ['eslint.config.js', 'module', "import dbGuard from 'db-connection-guard';\nexport default [dbGuard.configs.recommended];\n"],
    ['eslint.config.cjs', 'commonjs', "const dbGuard = require('db-connection-guard');\nmodule.exports = [dbGuard.configs.recommended];\n"],
  ])('a flat config %s (%s project)', (configFile, type, config) => {
    it('lints a .ts file with the recommended rules through the ESLint Node API', () => {
      const dir = path.join(tmp, 'consumers', type);
      write(path.join(dir, configFile), config);
      const script = `
        import { ESLint } from 'eslint';
        const eslint = new ESLint({ cwd: ${JSON.stringify(dir)} });
        const [result] = await eslint.lintFiles(['src/users.ts']);
        const config = await eslint.calculateConfigForFile('src/users.ts');
        console.log(JSON.stringify({ messages: result.messages, rules: Object.keys(config.rules).filter((r) => r.startsWith('db-guard/')).sort() }));`;
      const { messages, rules: enabled } = JSON.parse(node(dir, ['--input-type=module', '-e', script])) as {
        messages: { ruleId: string | null; fatal?: boolean; message: string }[];
        rules: string[];
      };
      expect(enabled).toEqual(recommended);
      expect(messages.filter((m) => m.fatal === true)).toEqual([]);
      expect(messages.length, 'the leak in src/users.ts is reported').toBeGreaterThan(0);
      for (const message of messages) expect(recommended).toContain(message.ruleId);
      rmSync(path.join(dir, configFile));
    });
  });

  it('type-checks for TypeScript consumers in both module formats', () => {
    const dir = path.join(tmp, 'consumers', 'types');
    write(path.join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
    write(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [] }, include: ['*.mts', '*.cts'] }),
    );
    const check = "const name: string = plugin.meta.name;\nconst config: object = plugin.configs.recommended;\nconst ids: string[] = Object.keys(plugin.rules);\nexport { name, config, ids, runtime };\n";
    write(path.join(dir, 'esm.mts'), `import plugin from 'db-connection-guard';\nimport * as runtime from 'db-connection-guard/runtime';\n${check}`);
    write(path.join(dir, 'cjs.cts'), `import plugin = require('db-connection-guard');\nimport runtime = require('db-connection-guard/runtime');\n${check}`);
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const { status, stdout } = spawnSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
    expect(stdout).toBe('');
    expect(status).toBe(0);
  });
});
