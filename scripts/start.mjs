#!/usr/bin/env node
// `npm start`: the CLI on examples/, whose code is full of the bugs the rules exist for.
// The CLI exits 1 when it reports problems; here that is the expected outcome, so this script
// exits 0 for it (npm would otherwise print an error banner under the findings). Any other exit
// code (0: the examples no longer produce findings; 2: usage or internal error) is passed through.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'esm', 'src', 'cli.js');
const { status, error } = spawnSync(process.execPath, [cli, 'examples', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
if (error) throw error;
if (status === 1) {
  console.log('\nThese are the bugs planted in examples/ (see examples/README.md). The CLI itself exits 1 on findings.');
  process.exit(0);
}
if (status === 0) console.error('\nnpm start: expected findings in examples/, got none.');
process.exit(status === 0 ? 1 : (status ?? 2));
