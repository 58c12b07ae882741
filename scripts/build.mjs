#!/usr/bin/env node
// Builds the package into dist/:
//   dist/esm  `tsc -p tsconfig.build.json` (type-checked, with declarations): what `import` loads.
//   dist/cjs  the same sources transpiled to CommonJS, plus the ESM declarations (a .d.ts under a
//             `"type": "commonjs"` package.json is read as CommonJS) and an `index.js` entry that
//             makes `require('db-connection-guard')` return the plugin object itself.
// The CLI (src/cli.ts) is ESM-only: it is the `bin` and is left out of dist/cjs.
//
// Why not a second `tsc` run with `module: commonjs`: in a `"type": "module"` package the NodeNext
// settings always emit ESM, and the CommonJS-compatible resolution (node10) cannot see the types of
// exports-only dependencies such as @typescript-eslint/parser. The ESM run already type-checks
// everything, so the CommonJS output only needs a per-file transpile.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const esmDir = path.join(dist, 'esm');
const cjsDir = path.join(dist, 'cjs');
/** Sources that exist only in the ESM build (relative to the repo root, POSIX separators). */
const ESM_ONLY = new Set(['src/cli.ts']);
const CLI = 'src/cli.ts';

const started = performance.now();
rmSync(dist, { recursive: true, force: true });

buildEsm();
const sources = readBuildSources();
buildCjs(sources);
markCliExecutable();

const ms = Math.round(performance.now() - started);
console.log(`built dist/esm and dist/cjs from ${String(sources.length)} sources in ${String(ms)} ms`);

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

function buildEsm() {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) fail(`tsc -p tsconfig.build.json failed (exit ${String(result.status)})`);
}

/** The .ts files tsconfig.build.json compiles (declaration files excluded), relative to the root. */
function readBuildSources() {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.build.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  });
  if (!parsed) fail('cannot read tsconfig.build.json');
  return parsed.fileNames
    .filter((f) => !f.endsWith('.d.ts'))
    .map((f) => path.relative(root, f).split(path.sep).join('/'))
    .sort();
}

function buildCjs(files) {
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    sourceMap: false,
  };
  for (const rel of files) {
    if (ESM_ONLY.has(rel)) continue;
    const source = readFileSync(path.join(root, rel), 'utf8');
    if (/\bimport\.meta\b/.test(source)) {
      fail(`${rel} uses import.meta, which does not exist in the CommonJS build`);
    }
    const out = ts.transpileModule(source, { compilerOptions, fileName: rel, reportDiagnostics: true });
    if (out.diagnostics?.length) {
      fail(`${rel}: ${ts.flattenDiagnosticMessageText(out.diagnostics[0].messageText, '\n')}`);
    }
    const target = path.join(cjsDir, rel.replace(/\.(c|m)?tsx?$/, '.js'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, out.outputText);
  }
  // Declarations: the same text works for both formats; the package.json below makes them CommonJS.
  cpSync(esmDir, cjsDir, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(esmDir, src).split(path.sep).join('/');
      if (rel === CLI.replace(/\.ts$/, '.d.ts')) return false;
      return !src.endsWith('.js') && !src.endsWith('.map');
    },
  });
  writeFileSync(path.join(cjsDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
  // `require('db-connection-guard')` is the plugin object (with `rules`, `configs`, `meta`), as
  // ESLint users of CommonJS configs expect, not a namespace with `default`.
  writeFileSync(
    path.join(cjsDir, 'index.js'),
    "'use strict';\n// The plugin object itself, for require('db-connection-guard').\nmodule.exports = require('./src/index.js').default;\n",
  );
  writeFileSync(
    path.join(cjsDir, 'index.d.ts'),
    "import plugin from './src/index.js';\nexport = plugin;\n",
  );
}

function markCliExecutable() {
  const cli = path.join(esmDir, CLI.replace(/\.ts$/, '.js'));
  try {
    chmodSync(cli, 0o755);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
}
