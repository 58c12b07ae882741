#!/usr/bin/env node
// `npm run bench`: runs every scripts/bench-*.mjs in turn (sorted by name), passing the arguments
// through, and exits non-zero if any of them fails. Each prints its own figures.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const benches = readdirSync(dir)
  .filter((f) => /^bench-.+\.mjs$/.test(f))
  .sort();
const failed = [];
for (const file of benches) {
  console.log(`\n## ${file}\n`);
  const { status, error } = spawnSync(process.execPath, [path.join(dir, file), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (error || status !== 0) failed.push(`${file} (${error ? error.message : `exit ${String(status)}`})`);
}
if (failed.length > 0) {
  console.error(`\nbench: failed: ${failed.join(', ')}`);
  process.exit(1);
}
