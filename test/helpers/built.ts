// Paths into the build, for tests that exercise what users install (the CLI, the package exports).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'dist', 'esm', 'src', 'cli.js');

/** Throws a clear error when dist/ is missing (run `npm run build`, or `npm test`, which builds). */
export function requireBuild(): void {
  const missing = [CLI, path.join(ROOT, 'dist', 'cjs', 'index.js')].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new Error(`${missing.map((f) => path.relative(ROOT, f)).join(', ')} missing: run \`npm run build\` first (\`npm test\` builds).`);
  }
}
