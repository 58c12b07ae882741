/** Text helpers shared by the fixes: indentation, moving statements, adding the runtime import. */
import { AST_NODE_TYPES, AST_TOKEN_TYPES, ASTUtils, TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { RUNTIME_MODULE } from '../catalogue.js';
import { isFunction as isFunctionNode } from './ast.js';

type SourceCode = Readonly<TSESLint.SourceCode>;

/** The whitespace before a node on its line, or undefined if code precedes it on that line. */
export function lineIndent(sourceCode: SourceCode, node: TSESTree.Node | TSESTree.Token): string | undefined {
  const line = sourceCode.lines[node.loc.start.line - 1] ?? '';
  const before = line.slice(0, node.loc.start.column);
  return /^\s*$/.test(before) ? before : undefined;
}

/** The indentation unit the file uses, guessed from a child line deeper than its parent. */
export function indentUnit(parentIndent: string, childIndent: string | undefined): string {
  if (childIndent !== undefined && childIndent.length > parentIndent.length && childIndent.startsWith(parentIndent)) {
    return childIndent.slice(parentIndent.length);
  }
  return parentIndent.includes('\t') ? '\t' : '  ';
}

/**
 * Adds `unit` to the start of every non-empty line of `text`, except lines that begin inside a
 * template literal or a block comment (adding spaces there would change a string or a comment).
 * `offset` is the position of `text` in the file.
 */
export function indentText(sourceCode: SourceCode, text: string, offset: number, unit: string): string {
  const frozen = frozenRanges(sourceCode, offset, offset + text.length);
  let position = offset;
  return text
    .split('\n')
    .map((line) => {
      const start = position;
      position += line.length + 1;
      if (line.trim() === '' || frozen.some(([from, to]) => from < start && start < to)) return line;
      return unit + line;
    })
    .join('\n');
}

/** Removes one `unit` of indentation from every line but the first, except inside multi-line tokens. */
export function dedentText(sourceCode: SourceCode, text: string, offset: number, unit: string): string {
  const frozen = frozenRanges(sourceCode, offset, offset + text.length);
  let position = offset;
  return text
    .split('\n')
    .map((line, index) => {
      const start = position;
      position += line.length + 1;
      if (index === 0 || !line.startsWith(unit) || frozen.some(([from, to]) => from < start && start < to)) return line;
      return line.slice(unit.length);
    })
    .join('\n');
}

const multiLineCache = new WeakMap<object, [number, number][]>();

/** Ranges of multi-line template literals, strings and comments of the file, computed once. */
function multiLineRanges(sourceCode: SourceCode): [number, number][] {
  const cached = multiLineCache.get(sourceCode.ast);
  if (cached) return cached;
  const ranges: [number, number][] = [];
  for (const token of [...sourceCode.ast.tokens, ...sourceCode.getAllComments()]) {
    if (token.loc.start.line !== token.loc.end.line) ranges.push(token.range);
  }
  multiLineCache.set(sourceCode.ast, ranges);
  return ranges;
}

function frozenRanges(sourceCode: SourceCode, from: number, to: number): [number, number][] {
  return multiLineRanges(sourceCode).filter(([start, end]) => end > from && start < to);
}

/**
 * The range of whole lines that hold exactly `node` (plus whitespace), including the line break,
 * or undefined if something else shares those lines.
 */
export function wholeLinesRange(sourceCode: SourceCode, node: TSESTree.Node): [number, number] | undefined {
  return wholeLinesWithComment(sourceCode, node, false)?.range;
}

/**
 * Like `wholeLinesRange`, and when `withComment`, also accepts a line comment after the node on its
 * last line (`conn.release(); // back to the pool`), returned so that a fix can carry it along.
 */
export function wholeLinesWithComment(
  sourceCode: SourceCode,
  node: TSESTree.Node,
  withComment: boolean,
): { range: [number, number]; comment: string | undefined } | undefined {
  const after = withComment ? sourceCode.getTokenAfter(node, { includeComments: true }) : null;
  const comment = after?.type === AST_TOKEN_TYPES.Line && after.loc.start.line === node.loc.end.line ? after : undefined;
  const range = linesOf(sourceCode, node.range[0], comment ? comment.range[1] : node.range[1]);
  return range ? { range, comment: comment ? sourceCode.getText(comment) : undefined } : undefined;
}

function linesOf(sourceCode: SourceCode, from: number, to: number): [number, number] | undefined {
  const text = sourceCode.text;
  let start = from;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  if (start > 0 && text[start - 1] !== '\n') return undefined;
  let end = to;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t' || text[end] === '\r')) end++;
  if (end < text.length && text[end] !== '\n') return undefined;
  return [start, Math.min(end + 1, text.length)];
}

/**
 * Lines of `[from, to)` with `unit` more indentation, leaving out the given ranges (whole lines of
 * removed releases), trimmed at the end.
 */
export function movedText(sourceCode: SourceCode, from: number, to: number, unit: string, removed: [number, number][]): string {
  let text = '';
  let cursor = from;
  for (const [start, end] of [...removed].sort((a, b) => a[0] - b[0])) {
    if (start >= to || end <= from) continue;
    text += indentText(sourceCode, sourceCode.text.slice(cursor, start), cursor, unit);
    cursor = end;
  }
  text += indentText(sourceCode, sourceCode.text.slice(cursor, to), cursor, unit);
  return text.replace(/\s+$/, '');
}

/** The end of `node`, extended over a line comment that follows it on the same line. */
export function endWithTrailingComment(sourceCode: SourceCode, node: TSESTree.Node): number {
  const after = sourceCode.getTokenAfter(node, { includeComments: true });
  if (after?.type === AST_TOKEN_TYPES.Line && after.loc.start.line === node.loc.end.line) return after.range[1];
  return node.range[1];
}

/** Start of the line after the acquisition statement, if nothing but a comment follows it there. */
export function bodyStartAfter(sourceCode: SourceCode, statement: TSESTree.Node): number | undefined {
  const next = sourceCode.getTokenAfter(statement, { includeComments: false });
  if (next && next.loc.start.line === statement.loc.end.line) return undefined;
  const newline = sourceCode.text.indexOf('\n', statement.range[1]);
  return newline < 0 ? undefined : newline + 1;
}

/** The statement that holds `node` directly in a block, with the block and its position there. */
export interface BlockSite {
  readonly statement: TSESTree.Statement;
  readonly block: TSESTree.BlockStatement;
  readonly index: number;
}

/** Where a node stands as (part of) a statement of a block in its own function, if it does. */
export function statementInBlock(node: TSESTree.Node): BlockSite | undefined {
  let statement: TSESTree.Node = node;
  while (statement.parent && statement.parent.type !== AST_NODE_TYPES.BlockStatement) {
    if (isFunctionNode(statement.parent)) return undefined;
    statement = statement.parent;
  }
  const block = statement.parent;
  if (block?.type !== AST_NODE_TYPES.BlockStatement) return undefined;
  const index = block.body.indexOf(statement as TSESTree.Statement);
  return index >= 0 ? { statement: block.body[index] as TSESTree.Statement, block, index } : undefined;
}

/** Whether `name` is free at `node` or already names the runtime export of the same name. */
export function runtimeNameAvailable(sourceCode: SourceCode, node: TSESTree.Node, name: string): 'free' | 'imported' | 'taken' {
  const variable = ASTUtils.findVariable(sourceCode.getScope(node), name);
  if (!variable) return 'free';
  const def = variable.defs[0];
  if (
    def?.type === TSESLint.Scope.DefinitionType.ImportBinding &&
    def.parent.type === AST_NODE_TYPES.ImportDeclaration &&
    def.parent.source.value === RUNTIME_MODULE &&
    def.node.type === AST_NODE_TYPES.ImportSpecifier &&
    def.node.imported.type === AST_NODE_TYPES.Identifier &&
    def.node.imported.name === name
  ) {
    return 'imported';
  }
  return 'taken';
}

interface ImportLayout {
  /** The last top-level import declaration. */
  readonly last: TSESTree.ImportDeclaration | undefined;
  /** The value import of the runtime module, if the file has one. */
  readonly runtime: TSESTree.ImportDeclaration | undefined;
  /** The file loads modules with `require` (or is a script). */
  readonly usesRequire: boolean;
  /** The last top-level `const x = require('...')`. */
  readonly lastRequire: TSESTree.VariableDeclaration | undefined;
}

const layoutCache = new WeakMap<TSESTree.Program, ImportLayout>();

/** How the file imports, computed once per file. */
function importLayout(program: TSESTree.Program): ImportLayout {
  const cached = layoutCache.get(program);
  if (cached) return cached;
  const imports = program.body.filter((s): s is TSESTree.ImportDeclaration => s.type === AST_NODE_TYPES.ImportDeclaration);
  const requires = program.body.filter(isRequireDeclaration);
  const layout: ImportLayout = {
    last: imports.at(-1),
    runtime: imports.find((s) => s.source.value === RUNTIME_MODULE && s.importKind !== 'type'),
    usesRequire: program.sourceType === 'script' || requires.length > 0,
    lastRequire: requires.at(-1),
  };
  layoutCache.set(program, layout);
  return layout;
}

/** A fix that imports `name` from the runtime module (ESM import or CommonJS require, as the file does). */
export function addRuntimeImport(fixer: TSESLint.RuleFixer, sourceCode: SourceCode, name: string): TSESLint.RuleFix {
  const program = sourceCode.ast;
  const layout = importLayout(program);
  const lastNamed = layout.runtime?.specifiers.filter((s) => s.type === AST_NODE_TYPES.ImportSpecifier).at(-1);
  if (lastNamed) return fixer.insertTextAfter(lastNamed, `, ${name}`);
  if (layout.last) return fixer.insertTextAfter(layout.last, `\nimport { ${name} } from '${RUNTIME_MODULE}';`);
  if (layout.lastRequire) return fixer.insertTextAfter(layout.lastRequire, `\nconst { ${name} } = require('${RUNTIME_MODULE}');`);
  const line = layout.usesRequire
    ? `const { ${name} } = require('${RUNTIME_MODULE}');\n`
    : `import { ${name} } from '${RUNTIME_MODULE}';\n`;
  const first = program.body[0];
  const directive = first?.type === AST_NODE_TYPES.ExpressionStatement && first.directive !== undefined ? first : undefined;
  if (directive) return fixer.insertTextAfter(directive, `\n${line.trimEnd()}`);
  return fixer.insertTextBeforeRange([firstCodeOffset(sourceCode), firstCodeOffset(sourceCode)], line);
}

/** Where code starts after a shebang and leading comment block (license headers stay first). */
function firstCodeOffset(sourceCode: SourceCode): number {
  const first = sourceCode.ast.body[0];
  if (!first) return sourceCode.text.length;
  const comments = sourceCode.getCommentsBefore(first);
  return comments[0] ? (wholeLinesRange(sourceCode, first)?.[0] ?? first.range[0]) : first.range[0];
}

/** `const x = require('...')` (or a destructuring of it). */
function isRequireDeclaration(statement: TSESTree.ProgramStatement): statement is TSESTree.VariableDeclaration {
  return (
    statement.type === AST_NODE_TYPES.VariableDeclaration &&
    statement.declarations.some(
      (d) =>
        d.init?.type === AST_NODE_TYPES.CallExpression &&
        d.init.callee.type === AST_NODE_TYPES.Identifier &&
        d.init.callee.name === 'require',
    )
  );
}

/** Whether a subtree contains an `await` or `yield` outside nested functions. */
export function containsSuspension(node: TSESTree.Node, visitorKeys: TSESLint.SourceCode.VisitorKeys): boolean {
  let found = false;
  const visit = (current: TSESTree.Node): void => {
    if (found) return;
    if (current.type === AST_NODE_TYPES.AwaitExpression || current.type === AST_NODE_TYPES.YieldExpression) {
      found = true;
      return;
    }
    if (
      current !== node &&
      (current.type === AST_NODE_TYPES.FunctionDeclaration ||
        current.type === AST_NODE_TYPES.FunctionExpression ||
        current.type === AST_NODE_TYPES.ArrowFunctionExpression)
    ) {
      return;
    }
    if (current.type === AST_NODE_TYPES.ForOfStatement && current.await) {
      found = true;
      return;
    }
    for (const key of visitorKeys[current.type] ?? []) {
      const child = (current as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) {
        for (const item of child) if (item && typeof item === 'object' && 'type' in item) visit(item as TSESTree.Node);
      } else if (child && typeof child === 'object' && 'type' in child) {
        visit(child as TSESTree.Node);
      }
    }
  };
  visit(node);
  return found;
}
