#!/usr/bin/env node
// `npm run bench [-- name...]`: runs every scripts/bench-*.mjs in turn (sorted by name), or only those
// whose name contains one of the given words (`npm run bench -- rules`), and exits non-zero if any
// fails. Each prints its own figures; run one directly for its options
// (e.g. `node scripts/bench-rules.mjs --sizes 1000,4000 --runs 3`).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const words = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => /^bench-.+\.mjs$/.test(f))
  .filter((f) => words.length === 0 || words.some((w) => f.includes(w)))
  .sort();
if (benches.length === 0) {
  console.error(`bench: no scripts/bench-*.mjs matches ${words.join(', ')}`);
  process.exit(2);
}
const failed = [];
for (const file of benches) {
  console.log(`\n## ${file}\n`);
  const { status, error } = spawnSync(process.execPath, [path.join(dir, file)], { stdio: 'inherit' });
  if (error || status !== 0) failed.push(`${file} (${error ? error.message : `exit ${String(status)}`})`);
}
if (failed.length > 0) {
  console.error(`\nbench: failed: ${failed.join(', ')}`);
  process.exit(1);
}
