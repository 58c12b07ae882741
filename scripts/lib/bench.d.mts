// Types of what the tests import from bench.mjs (the benchmarks themselves are plain JavaScript).

/** The .js sources of an installed package, as the benchmarks read them (tests, browser/esm duplicates, minified and huge files left out). */
export function packageSources(name: string): { filename: string; code: string }[];
