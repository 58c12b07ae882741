// Paths into the build, for tests that exercise what users install (the CLI, the package exports).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll } from 'vitest';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'dist', 'esm', 'src', 'cli.js');

/** Throws a clear error when dist/ is missing (run `npm run build`, or `npm test`, which builds). */
export function requireBuild(): void {
  const missing = [CLI, path.join(ROOT, 'dist', 'cjs', 'index.js')].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new Error(`${missing.map((f) => path.relative(ROOT, f)).join(', ')} missing: run \`npm run build\` first (\`npm test\` builds).`);
  }
}

/**
 * Registers hooks that check the build before the file's tests and give them a temporary directory,
 * removed afterwards. Returns the directory's getter (valid inside tests and later hooks).
 */
export function useBuildAndTempDir(prefix: string): () => string {
  let dir: string | undefined;
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(path.join(tmpdir(), prefix));
  });
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (dir === undefined) throw new Error('the temporary directory exists only inside tests and hooks');
    return dir;
  };
}
