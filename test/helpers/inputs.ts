// The inputs the analysis tests compare an answer with its reference on: the corpus (examples,
// fixtures and rule-test snippets), generated programs, and the installed sources of the benchmark
// packages (each named `<package>/<path>`, with `.cjs` read as `.js`).
import { expect } from 'vitest';

import { packageSources } from '../../scripts/lib/bench.mjs';
import { ProgramGenerator } from '../fuzz/generate.js';
import { corpus } from '../fuzz/mutate.js';

export const BENCHMARK_PACKAGES = ['typeorm', 'sequelize', 'knex', 'mysql2', 'pg'] as const;

export interface Input {
  readonly code: string;
  readonly filename: string;
}

/** The corpus, `generated` programs of the generator seeded with `seed`, and the packages' sources. */
export function analysisInputs(root: string, seed: number, generated: number): Input[] {
  const generator = new ProgramGenerator(seed);
  const inputs: Input[] = [
    ...corpus(root).map((code) => ({ code, filename: 'file.ts' })),
    ...Array.from({ length: generated }, () => ({ code: generator.program(), filename: 'file.ts' })),
  ];
  for (const pkg of BENCHMARK_PACKAGES) {
    const sources = packageSources(pkg);
    expect(sources.length, `${pkg} is a devDependency: run npm ci`).toBeGreaterThan(0);
    for (const { filename, code } of sources) inputs.push({ code, filename: `${pkg}/${filename.replace(/\.c?js$/, '.js')}` });
  }
  return inputs;
}
