/**
 * The suggestion of `require-error-listener`: an `'error'` listener that logs, inserted after the
 * statement that stores the object (or chained onto a class field's initialiser). For a single
 * connection that a getter re-creates when it is empty, the listener also empties the holder.
 */
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { indentUnit, lineIndent } from '../../src/analysis/fix.js';
import type { Holder, Reach } from '../../src/analysis/long-lived.js';

type SourceCode = Readonly<TSESLint.SourceCode>;

export interface ListenerFix {
  /** The expression the listener is attached to (`pool`, `this.client`). */
  readonly target: string;
  /** `undefined` or `null` when the listener also empties the holder. */
  readonly empty: string | undefined;
  readonly fix: (fixer: TSESLint.RuleFixer) => TSESLint.RuleFix;
}

const MESSAGE = "'Unexpected database error'";

/** Builds the listener suggestion, or undefined where no statement can carry it. */
export function buildListenerFix(sourceCode: SourceCode, reach: Reach): ListenerFix | undefined {
  const holder = reach.holders[0];
  const entry = reach.creation.value.parent;
  if (!holder || holder.parent || !entry) return undefined;
  if (entry.type === AST_NODE_TYPES.PropertyDefinition) return chainedListener(sourceCode, reach, entry);
  let statement: TSESTree.Node;
  let target: string;
  if (entry.type === AST_NODE_TYPES.VariableDeclarator && entry.id.type === AST_NODE_TYPES.Identifier) {
    statement = entry.parent;
    if (statement.parent.type === AST_NODE_TYPES.ExportNamedDeclaration) statement = statement.parent;
    target = entry.id.name;
  } else if (
    entry.type === AST_NODE_TYPES.AssignmentExpression &&
    entry.parent.type === AST_NODE_TYPES.ExpressionStatement &&
    (entry.left.type === AST_NODE_TYPES.Identifier || entry.left.type === AST_NODE_TYPES.MemberExpression)
  ) {
    statement = entry.parent;
    target = sourceCode.getText(entry.left);
  } else {
    return undefined;
  }
  const container = statement.parent;
  const blockLike =
    container.type === AST_NODE_TYPES.Program ||
    container.type === AST_NODE_TYPES.BlockStatement ||
    container.type === AST_NODE_TYPES.StaticBlock ||
    container.type === AST_NODE_TYPES.SwitchCase;
  const wrapped =
    !blockLike &&
    (container.type === AST_NODE_TYPES.IfStatement ||
      ((container.type === AST_NODE_TYPES.WhileStatement ||
        container.type === AST_NODE_TYPES.DoWhileStatement ||
        container.type === AST_NODE_TYPES.ForStatement ||
        container.type === AST_NODE_TYPES.ForInStatement ||
        container.type === AST_NODE_TYPES.ForOfStatement) &&
        container.body === statement));
  if (!blockLike && !wrapped) return undefined;
  const empty = emptyValue(reach, holder);
  const outer = lineIndent(sourceCode, wrapped ? container : statement);
  if (outer === undefined) return undefined;
  const unit = fileIndentUnit(sourceCode, outer);
  const final = statement;
  if (!wrapped) {
    const text = listenerText(target, empty, outer, unit);
    return { target, empty, fix: (fixer) => fixer.insertTextAfter(final, `\n${text}`) };
  }
  // `if (!db) db = await connect();` becomes a block holding the assignment and the listener.
  const inner = outer + unit;
  const text = `{\n${inner}${sourceCode.getText(final)}\n${listenerText(target, empty, inner, unit)}\n${outer}}`;
  return { target, empty, fix: (fixer) => fixer.replaceText(final, text) };
}

/** `pool = new Pool(cfg)` as a class field: `new Pool(cfg).on('error', ...)` keeps the field's type. */
function chainedListener(sourceCode: SourceCode, reach: Reach, definition: TSESTree.PropertyDefinition): ListenerFix | undefined {
  const value = reach.creation.value;
  if (value.type === AST_NODE_TYPES.AwaitExpression) return undefined;
  const outer = lineIndent(sourceCode, definition);
  if (outer === undefined) return undefined;
  const unit = fileIndentUnit(sourceCode, outer);
  const body = listenerText('', undefined, outer, unit).trimStart().replace(/;$/, '');
  const key = definition.key;
  const target =
    !definition.computed && (key.type === AST_NODE_TYPES.Identifier || key.type === AST_NODE_TYPES.PrivateIdentifier)
      ? `this.${sourceCode.getText(key)}`
      : `this[${sourceCode.getText(key)}]`;
  return { target, empty: undefined, fix: (fixer) => fixer.insertTextAfter(value, body) };
}

function listenerText(target: string, empty: string | undefined, indent: string, unit: string): string {
  const lines = [
    `${indent}${target}.on('error', (err) => {`,
    `${indent}${unit}console.error(${MESSAGE}, err);`,
    ...(empty === undefined ? [] : [`${indent}${unit}${target} = ${empty};`]),
    `${indent}});`,
  ];
  return lines.join('\n');
}

/** The indentation unit of the file: from the first indented line, else two spaces. */
function fileIndentUnit(sourceCode: SourceCode, outer: string): string {
  for (const line of sourceCode.lines) {
    const match = /^([ \t]+)\S/.exec(line);
    if (match?.[1] && match[1].length > outer.length && match[1].startsWith(outer)) return indentUnit(outer, match[1]);
    if (match?.[1] && outer === '') return indentUnit('', match[1]);
  }
  return indentUnit(outer, undefined);
}

/**
 * For a single connection whose holder a getter fills when empty (`if (!db) db = ...`): the value that
 * empties it, when the holder's declared type allows it. Undefined otherwise (the listener only logs).
 */
function emptyValue(reach: Reach, holder: Holder): string | undefined {
  if (reach.creation.kind !== 'connection' || reach.creation.pkg?.driver === 'mssql') return undefined;
  const tests = reach.tests.filter((test) => test.holder === holder);
  if (tests.length === 0) return undefined;
  const strict = new Set(tests.map((test) => test.strict).filter((value) => value !== undefined));
  if (strict.size > 1) return undefined;
  const wanted = [...strict][0];
  const allowed = allowedEmpties(holder);
  if (!allowed) return undefined;
  if (wanted) return allowed.includes(wanted) ? wanted : undefined;
  return allowed[0];
}

/** What the holder's declaration allows: `undefined`/`null` as its annotation or initialiser says. */
function allowedEmpties(holder: Holder): ('undefined' | 'null')[] | undefined {
  if (holder.type === 'variable') {
    const def = holder.variable?.defs[0];
    if (def?.type !== TSESLint.Scope.DefinitionType.Variable || def.parent.kind === 'const') return undefined;
    const annotation = def.name.typeAnnotation?.typeAnnotation;
    if (annotation) return unionEmpties(annotation);
    const init = def.node.init;
    if (init?.type === AST_NODE_TYPES.Literal && init.value === null) return ['null', 'undefined'];
    return ['undefined', 'null'];
  }
  if (holder.type === 'field') {
    const definition = holder.cls?.body.body.find(
      (member): member is TSESTree.PropertyDefinition =>
        member.type === AST_NODE_TYPES.PropertyDefinition &&
        !member.computed &&
        (member.key.type === AST_NODE_TYPES.PrivateIdentifier ? `#${member.key.name}` : member.key.type === AST_NODE_TYPES.Identifier ? member.key.name : '') === holder.name,
    );
    if (!definition) return ['undefined', 'null'];
    const annotation = definition.typeAnnotation?.typeAnnotation;
    if (!annotation) return definition.value?.type === AST_NODE_TYPES.Literal && definition.value.value === null ? ['null', 'undefined'] : ['undefined', 'null'];
    const empties = unionEmpties(annotation);
    return definition.optional && !empties?.includes('undefined') ? [...(empties ?? []), 'undefined'] : empties;
  }
  return undefined;
}

function unionEmpties(annotation: TSESTree.TypeNode): ('undefined' | 'null')[] | undefined {
  const members = annotation.type === AST_NODE_TYPES.TSUnionType ? annotation.types : [annotation];
  const found: ('undefined' | 'null')[] = [];
  for (const member of members) {
    if (member.type === AST_NODE_TYPES.TSUndefinedKeyword) found.push('undefined');
    if (member.type === AST_NODE_TYPES.TSNullKeyword) found.push('null');
    if (member.type === AST_NODE_TYPES.TSAnyKeyword) return ['undefined', 'null'];
  }
  return found.length > 0 ? found : undefined;
}
