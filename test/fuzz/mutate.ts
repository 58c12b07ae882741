// Mutations of real snippets, and the shrinker that reduces a failing program to a minimal one.
// The seed corpus: the code and expected outputs of the rule tests (test/rules/*.test.ts, read as
// text, not imported), the typed fix fixtures, and the example service.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';

import { parseError, parseProgram } from './check.js';
import type { Random } from './random.js';

/** Template literals given as `code:` or `output:` in the rule tests, unescaped, without interpolations. */
export function ruleTestSnippets(root: string): string[] {
  const dir = path.join(root, 'test', 'rules');
  const snippets: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort()) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    for (const match of text.matchAll(/\b(?:code|output):\s*`((?:[^`\\]|\\.)*)`/g)) {
      const raw = match[1]!;
      if (raw.includes('${')) continue;
      snippets.push(raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)));
    }
  }
  return snippets;
}

export function corpus(root: string): string[] {
  const files = [
    ...readdirSync(path.join(root, 'examples', 'src')).map((f) => path.join(root, 'examples', 'src', f)),
    ...readdirSync(path.join(root, 'test', 'fixtures', 'no-leaked-connection')).map((f) => path.join(root, 'test', 'fixtures', 'no-leaked-connection', f)),
  ];
  return [...ruleTestSnippets(root), ...files.sort().map((f) => readFileSync(f, 'utf8'))].filter((code) => parseError(code) === null);
}

interface Span {
  start: number;
  end: number;
  /** Blocks directly under the statement (a function's body, a branch, a try block, a loop body). */
  blocks: TSESTree.BlockStatement[];
  /** The statement list the statement is in (for swaps with a neighbour). */
  siblings: TSESTree.Node[];
  index: number;
}

/** Every statement of every statement list in the program, with its range. */
export function statements(program: TSESTree.Program): Span[] {
  const out: Span[] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const n = node as TSESTree.Node & Record<string, unknown>;
    if (typeof n.type !== 'string') return;
    const lists: TSESTree.Node[][] = [];
    if (n.type === AST_NODE_TYPES.Program || n.type === AST_NODE_TYPES.BlockStatement || n.type === AST_NODE_TYPES.StaticBlock) lists.push(n.body);
    if (n.type === AST_NODE_TYPES.SwitchCase) lists.push(n.consequent);
    for (const list of lists) list.forEach((s, index) => out.push({ start: s.range[0], end: s.range[1], blocks: innerBlocks(s), siblings: list, index }));
    for (const [key, value] of Object.entries(n)) {
      if (key !== 'parent' && key !== 'loc' && key !== 'range') visit(value);
    }
  };
  visit(program);
  return out;
}

/** BlockStatements under `node`, not looking inside them. */
function innerBlocks(node: TSESTree.Node): TSESTree.BlockStatement[] {
  const found: TSESTree.BlockStatement[] = [];
  const visit = (value: unknown, top: boolean): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const child of value) visit(child, false);
      return;
    }
    const n = value as TSESTree.Node & Record<string, unknown>;
    if (typeof n.type !== 'string') return;
    if (!top && n.type === AST_NODE_TYPES.BlockStatement) {
      found.push(n);
      return;
    }
    for (const [key, child] of Object.entries(n)) {
      if (key !== 'parent' && key !== 'loc' && key !== 'range') visit(child, false);
    }
  };
  visit(node, true);
  return found;
}

const WRAPS: ((s: string) => string)[] = [
  (s) => `try {\n${s}\n} finally {\n}`,
  (s) => `try {\n${s}\n} catch (err) {\nthrow err;\n}`,
  (s) => `if (flag) {\n${s}\n}`,
  (s) => `for (const item of [1]) {\n${s}\n}`,
  (s) => `outer: {\n${s}\n}`,
  (s) => `await (async () => {\n${s}\n})();`,
  (s) => `setTimeout(() => {\n${s}\n});`,
  (s) => `switch (flag) {\ncase true:\n${s}\nbreak;\ndefault:\n}`,
];

/** One random mutation of `code`; may give code that does not parse (the caller drops it). */
export function mutate(code: string, random: Random): string {
  let program: TSESTree.Program;
  try {
    program = parseProgram(code);
  } catch {
    return code;
  }
  const spans = statements(program);
  if (spans.length === 0) return code;
  const target = random.pick(spans);
  const text = code.slice(target.start, target.end);
  const splice = (start: number, end: number, replacement: string): string => code.slice(0, start) + replacement + code.slice(end);
  const identifiers = [...new Set(code.match(/\b[a-z][A-Za-z0-9]{1,12}\b/g) ?? [])];
  switch (random.int(9)) {
    case 0:
      return splice(target.start, target.end, '');
    case 1:
      return splice(target.end, target.end, `\n${text}`);
    case 2:
      return splice(target.start, target.end, random.pick(WRAPS)(text));
    case 3:
      return splice(target.start, target.start, `${random.pick(['return;', "throw new Error('x');", 'break;', 'continue;'])}\n`);
    case 4: {
      const next = target.siblings[target.index + 1];
      if (!next) return splice(target.start, target.end, '');
      const nextText = code.slice(next.range[0], next.range[1]);
      return code.slice(0, target.start) + nextText + code.slice(target.end, next.range[0]) + text + code.slice(next.range[1]);
    }
    case 5: {
      const id = random.pick(identifiers.length > 0 ? identifiers : ['conn']);
      return splice(target.start, target.start, `${random.pick([`${id}.release();`, `${id}?.release();`, `await ${id}.query('SELECT 1');`, `${id}.destroy();`])}\n`);
    }
    case 6:
      // Drop one `await`, or add `void` before a call statement.
      return text.includes('await ') ? splice(target.start, target.end, text.replace('await ', '')) : splice(target.start, target.start, 'void 0;\n');
    case 7: {
      // Rename an identifier everywhere (shadowing, lost references).
      if (identifiers.length < 2) return code;
      const [from, to] = random.sample(identifiers, 2);
      return code.replace(new RegExp(`\\b${from!}\\b`, 'g'), to!);
    }
    default: {
      // Move the statement into another statement list (a different scope or path).
      const other = random.pick(spans);
      if (other.start >= target.start && other.start <= target.end) return code;
      const without = splice(target.start, target.end, '');
      const at = other.start > target.start ? other.start - (target.end - target.start) : other.start;
      return without.slice(0, at) + `${text}\n` + without.slice(at);
    }
  }
}

/**
 * Reduces `code` while `stillFails` holds: removes statements (largest first, then smaller), then
 * lines, until no single removal keeps the failure. Bounded by `maxChecks` calls of `stillFails`.
 */
export function shrink(code: string, stillFails: (candidate: string) => boolean, maxChecks = 400): string {
  let current = code;
  let checks = 0;
  let progress = true;
  while (progress && checks < maxChecks) {
    progress = false;
    let spans: Span[];
    try {
      spans = statements(parseProgram(current)).sort((a, b) => b.end - b.start - (a.end - a.start));
    } catch {
      break;
    }
    // Remove a statement; or replace it by the contents of one of its blocks (unwrapping a function,
    // a branch, a try or a loop), keeping what is inside.
    const candidates = spans.flatMap((span) => [
      current.slice(0, span.start) + current.slice(span.end),
      ...span.blocks.map((block) => current.slice(0, span.start) + current.slice(block.range[0] + 1, block.range[1] - 1) + current.slice(span.end)),
    ]);
    for (const candidate of candidates) {
      if (checks >= maxChecks) break;
      checks += 1;
      if (stillFails(candidate)) {
        current = candidate;
        progress = true;
        break;
      }
    }
    if (progress) continue;
    const lines = current.split('\n');
    for (let i = 0; i < lines.length && checks < maxChecks; i += 1) {
      const candidate = [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n');
      checks += 1;
      if (stillFails(candidate)) {
        current = candidate;
        progress = true;
        break;
      }
    }
  }
  return `${current
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n')}\n`;
}
