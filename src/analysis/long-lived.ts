/**
 * Long-lived driver objects: where the value of a connection or pool creation goes in the file (the
 * variables, fields and getters that hold it), which of those holders outlive the function that made
 * it, every method called on it, and every `'error'` listener attached to it. Shared by
 * `handle-stale-connection` and `require-error-listener`; results are cached per creation node. What
 * counts as handling a lost connection is the business of `rules/handle-stale-connection/handling.ts`.
 */
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import {
  ACQUIRE_METHODS,
  DRIVER_PACKAGES,
  LISTENER_METHODS,
  RELEASE_METHODS,
  TEST_SETUP_HOOKS,
  TEST_TEARDOWN_HOOKS,
  type DriverPackage,
} from '../catalogue.js';
import { childHolding, contains, enclosingFunction, isFunction, isNode, memberName, skipTsWrappers, valueParent, type FunctionNode } from './ast.js';
import type { CallFilter } from './calls.js';
import { staticText } from './transactions.js';
import { classifyAcquisition, importedFromDriver, localFunction, resolveVariable, traceSyntax, type DriverContext } from './drivers.js';
import { isWordCode } from './text.js';

type Variable = TSESLint.Scope.Variable;
type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;
type ScopeNode = FunctionNode | TSESTree.Program;

/** What a creation builds: a dedicated connection, a pool, or a connection checked out of a pool. */
export type CreationKind = 'connection' | 'pool' | 'checkout';

export interface Creation {
  readonly node: TSESTree.CallExpression | TSESTree.NewExpression;
  readonly kind: CreationKind;
  readonly pkg: DriverPackage | undefined;
  /** The creating function or constructor (`createConnection`, `Client`, `Pool`, `getConnection`, ...). */
  readonly method: string;
  /** The outermost expression whose value is the object (`await`, `.promise()`, mssql `.connect()`). */
  readonly value: TSESTree.Node;
  /** The value passed through mysql2's `.promise()` wrapper. */
  readonly promiseWrapper: boolean;
}

/** A place that holds the object: a variable, a parameter, a class field, or a function's result. */
export interface Holder {
  readonly type: 'variable' | 'parameter' | 'field' | 'result';
  /** Variable, field or function name (for messages, fixes and name matching). */
  readonly name: string;
  readonly variable: Variable | undefined;
  readonly cls: ClassNode | undefined;
  readonly fn: FunctionNode | undefined;
  /** The holder the value came from (undefined when it came straight from the creation). */
  readonly parent: Holder | undefined;
  /** Where the value enters: a declarator, an assignment, a property definition, a return, a call. */
  readonly entry: TSESTree.Node;
  /** Expressions that evaluate to the object through this holder. */
  readonly accesses: TSESTree.Node[];
  /** Assignments to the holder (identifiers or `this.x` members on their left side). */
  readonly writes: TSESTree.Node[];
  /** The holder itself outlives the function that filled it. */
  ownLongLived: boolean;
  /** It, or a holder it got the value from, outlives the function that filled it. */
  longLived: boolean;
}

/** A method called on the object. */
export interface Use {
  readonly holder: Holder | undefined;
  readonly access: TSESTree.Node;
  readonly call: TSESTree.CallExpression;
  readonly member: TSESTree.MemberExpression;
  readonly name: string;
}

/**
 * Why a flow of a held object was not followed: passed to a function the file does not show, put into
 * an array or object, returned to callers the file does not show, exported, or anything else.
 */
export type OpaqueReason = 'argument' | 'container' | 'caller' | 'export' | 'other';

export interface Opaque {
  readonly node: TSESTree.Node;
  readonly reason: OpaqueReason;
}

/** A test of whether a holder is filled; `strict` is the value a strict comparison names. */
export interface PresenceTest {
  readonly holder: Holder;
  readonly node: TSESTree.Node;
  readonly strict: 'null' | 'undefined' | undefined;
}

/** A listener attached with `on`/`once`/`addListener`/`prependListener`. */
export interface Listener {
  readonly call: TSESTree.CallExpression;
  /** The event name, or undefined when it is not a string literal. */
  readonly event: string | undefined;
  readonly handler: TSESTree.Node | undefined;
}

export interface Reach {
  readonly creation: Creation;
  readonly holders: Holder[];
  readonly uses: Use[];
  readonly listeners: Listener[];
  /** Property reads on the object (`conn.state`), for health checks. */
  readonly reads: TSESTree.MemberExpression[];
  /** Presence tests of a holder (`if (!db)`, `db === null`, `db ??= ...`): a getter that fills it when empty. */
  readonly tests: PresenceTest[];
  /** The fresh object went to code the file does not show (a call argument, an unseen caller): that code owns it. */
  handedOff: boolean;
  /** A holder is exported (`export const`, `module.exports`). */
  exported: boolean;
  /** Flows the analysis could not follow: fixes must leave such objects alone. */
  readonly opaque: Opaque[];
  /** Every access node, for continuation checks. */
  readonly accessSet: Set<TSESTree.Node>;
  /** Any holder outlives the function that created the object. */
  longLived: boolean;
}

const creationCache = new WeakMap<TSESTree.Node, Creation | null>();
const reachCache = new WeakMap<TSESTree.Node, Reach | null>();
const thisAccessCache = new WeakMap<ClassNode, Map<string, readonly TSESTree.MemberExpression[]>>();

const MAX_HOLDERS = 64;

/**
 * Classifies a call or `new` as the creation of a driver connection, pool, or checked-out connection.
 * Cached per node.
 */
export function classifyCreation(ctx: DriverContext, node: TSESTree.CallExpression | TSESTree.NewExpression): Creation | undefined {
  const cached = creationCache.get(node);
  if (cached !== undefined) return cached ?? undefined;
  const result = computeCreation(ctx, node) ?? null;
  creationCache.set(node, result);
  return result ?? undefined;
}

function computeCreation(ctx: DriverContext, node: TSESTree.CallExpression | TSESTree.NewExpression): Creation | undefined {
  const acquisition = classifyAcquisition(ctx, node);
  let kind: CreationKind | undefined;
  let pkg: DriverPackage | undefined;
  let method: string | undefined;
  if (acquisition?.kind === 'dedicated') {
    kind = 'connection';
    ({ pkg, method } = acquisition);
  } else if (acquisition?.kind === 'checkout') {
    kind = 'checkout';
    ({ pkg, method } = acquisition);
  } else if (!acquisition) {
    // Asked of every call in the file: pool creations are calls of the driver's own factories.
    const traced = traceSyntax(ctx, node);
    if (traced?.kind === 'pool') {
      kind = 'pool';
      pkg = traced.pkg;
      method = creatorName(node);
    }
  }
  if (!kind || method === undefined) return undefined;
  const { value, promiseWrapper } = outerValue(node, pkg);
  return { node, kind, pkg, method, value, promiseWrapper };
}

function creatorName(node: TSESTree.CallExpression | TSESTree.NewExpression): string {
  const callee = skipTsWrappers(node.callee);
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression) return memberName(callee) ?? '';
  return '';
}

/** Climbs `await`, `.promise()` and mssql's `.connect()` (which resolves to the pool itself). */
function outerValue(node: TSESTree.Node, pkg: DriverPackage | undefined): { value: TSESTree.Node; promiseWrapper: boolean } {
  let value = node;
  let promiseWrapper = false;
  for (;;) {
    const parent = valueParent(value);
    if (parent?.type === AST_NODE_TYPES.AwaitExpression) {
      value = parent;
      continue;
    }
    if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === unwrapped(parent.object, value)) {
      const name = memberName(parent);
      const call = valueParent(parent);
      const isCall = call?.type === AST_NODE_TYPES.CallExpression && skipTsWrappers(call.callee) === parent && call.arguments.length === 0;
      if (isCall && (name === 'promise' || (name === 'connect' && pkg?.driver === 'mssql'))) {
        if (name === 'promise') promiseWrapper = true;
        value = call;
        continue;
      }
    }
    return { value, promiseWrapper };
  }
}

/** `candidate` when it is `value`, possibly inside TypeScript wrappers (`value as T`, `value!`). */
export function unwrapped(candidate: TSESTree.Node, value: TSESTree.Node): TSESTree.Node | undefined {
  return candidate === value || skipTsWrappers(candidate) === value ? candidate : undefined;
}

/** Follows the value of a creation through the file. Cached per creation node. */
export function analyzeCreation(ctx: DriverContext, creation: Creation): Reach {
  const cached = reachCache.get(creation.node);
  if (cached) return cached;
  const reach: Reach = {
    creation,
    holders: [],
    uses: [],
    listeners: [],
    reads: [],
    tests: [],
    handedOff: false,
    exported: false,
    opaque: [],
    accessSet: new Set(),
    longLived: false,
  };
  reachCache.set(creation.node, reach);
  const walker = new ReachWalker(ctx, reach);
  walker.flow(creation.value, undefined);
  walker.drain();
  for (const holder of reach.holders) {
    holder.ownLongLived = ownLongLived(ctx, reach, holder);
    holder.longLived = holder.ownLongLived || (holder.parent?.longLived ?? false);
  }
  reach.longLived = reach.holders.some((h) => h.longLived);
  return reach;
}

/** The BFS over holders: each holder's accesses are followed once. */
class ReachWalker {
  private readonly queue: Holder[] = [];
  private readonly seen = new Set<unknown>();

  constructor(
    private readonly ctx: DriverContext,
    private readonly reach: Reach,
  ) {}

  drain(): void {
    for (let holder = this.queue.shift(); holder; holder = this.queue.shift()) {
      for (const access of holder.accesses) {
        this.reach.accessSet.add(access);
        this.flow(access, holder);
      }
    }
  }

  /** Classifies the place where the value of `node` goes. */
  flow(node: TSESTree.Node, holder: Holder | undefined): void {
    const parent = valueParent(node);
    if (!parent) return;
    switch (parent.type) {
      case AST_NODE_TYPES.AwaitExpression:
        this.flow(parent, holder);
        return;
      case AST_NODE_TYPES.MemberExpression:
        if (unwrapped(parent.object, node)) this.memberUse(parent, node, holder);
        else this.escape(parent, holder, 'other');
        return;
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        if (parent.arguments.some((arg) => unwrapped(arg, node))) this.argument(parent, node, holder);
        else this.escape(parent, holder, 'other');
        return;
      case AST_NODE_TYPES.VariableDeclarator:
        if (parent.init && unwrapped(parent.init, node) && parent.id.type === AST_NODE_TYPES.Identifier) {
          const variable = resolveVariable(this.ctx, parent.id);
          if (variable) this.addVariable(variable, 'variable', parent, holder);
          else this.escape(parent, holder, 'other');
        } else {
          this.escape(parent, holder, 'other');
        }
        return;
      case AST_NODE_TYPES.AssignmentExpression:
        if (unwrapped(parent.right, node) && ['=', '||=', '??='].includes(parent.operator)) this.assign(parent, holder);
        else if (!unwrapped(parent.left, node)) this.escape(parent, holder, 'other');
        else if (parent.operator === '||=' || parent.operator === '??=') this.test(parent, holder, undefined);
        return;
      case AST_NODE_TYPES.PropertyDefinition:
        if (parent.value && unwrapped(parent.value, node)) this.field(parent, holder);
        return;
      case AST_NODE_TYPES.ReturnStatement:
        this.result(enclosingFunction(parent), parent, holder);
        return;
      case AST_NODE_TYPES.ArrowFunctionExpression:
        this.result(parent, parent, holder);
        return;
      case AST_NODE_TYPES.ExportDefaultDeclaration:
      case AST_NODE_TYPES.ExportSpecifier:
        this.reach.exported = true;
        return;
      case AST_NODE_TYPES.ConditionalExpression:
        if (parent.test === node) this.test(parent, holder, undefined);
        else this.flow(parent, holder);
        return;
      case AST_NODE_TYPES.LogicalExpression:
        if (parent.left === node) this.test(parent, holder, undefined);
        if (!(parent.operator === '&&' && parent.left === node)) this.flow(parent, holder);
        return;
      case AST_NODE_TYPES.UnaryExpression:
        if (parent.operator === '!') this.test(parent, holder, undefined);
        return;
      case AST_NODE_TYPES.BinaryExpression:
        this.test(parent, holder, strictEmpty(parent));
        return;
      case AST_NODE_TYPES.IfStatement:
      case AST_NODE_TYPES.WhileStatement:
      case AST_NODE_TYPES.DoWhileStatement:
      case AST_NODE_TYPES.ForStatement:
        this.test(parent, holder, undefined);
        return;
      case AST_NODE_TYPES.SequenceExpression:
        if (parent.expressions[parent.expressions.length - 1] === node) this.flow(parent, holder);
        return;
      case AST_NODE_TYPES.Property:
        if (parent.value === node && parent.parent.type === AST_NODE_TYPES.ObjectExpression) this.objectEscape(parent.parent, holder);
        else this.escape(parent, holder, 'other');
        return;
      case AST_NODE_TYPES.ArrayExpression:
      case AST_NODE_TYPES.SpreadElement:
        this.escape(parent, holder, 'container');
        return;
      case AST_NODE_TYPES.ExpressionStatement:
      case AST_NODE_TYPES.TemplateLiteral:
      case AST_NODE_TYPES.SwitchStatement:
        return; // tests and discarded values
      default:
        this.escape(parent, holder, 'other');
    }
  }

  private test(node: TSESTree.Node, holder: Holder | undefined, strict: PresenceTest['strict']): void {
    if (holder) this.reach.tests.push({ holder, node, strict });
  }

  private escape(node: TSESTree.Node, holder: Holder | undefined, reason: OpaqueReason): void {
    if (holder) this.reach.opaque.push({ node, reason });
    else this.reach.handedOff = true;
  }

  /** `{ pool }` exported (`module.exports = { pool }`, `export default { pool }`) or handed on. */
  private objectEscape(object: TSESTree.ObjectExpression, holder: Holder | undefined): void {
    const parent = valueParent(object);
    if (
      parent?.type === AST_NODE_TYPES.ExportDefaultDeclaration ||
      (parent?.type === AST_NODE_TYPES.AssignmentExpression && isModuleExports(parent.left))
    ) {
      this.reach.exported = true;
      this.reach.opaque.push({ node: object, reason: 'export' });
      return;
    }
    this.escape(object, holder, 'container');
  }

  private memberUse(member: TSESTree.MemberExpression, access: TSESTree.Node, holder: Holder | undefined): void {
    const name = memberName(member);
    const call = valueParent(member);
    if (call?.type !== AST_NODE_TYPES.CallExpression || skipTsWrappers(call.callee) !== member) {
      if (name === undefined) this.reach.opaque.push({ node: member, reason: 'other' });
      else this.reach.reads.push(member);
      return;
    }
    if (name === undefined) {
      this.reach.opaque.push({ node: member, reason: 'other' });
      return;
    }
    this.reach.uses.push({ holder, access, call, member, name });
    if (name === 'promise' && call.arguments.length === 0) {
      this.flow(call, holder);
    } else if (LISTENER_METHODS.includes(name)) {
      const [event, handler] = call.arguments;
      const literal = event?.type === AST_NODE_TYPES.Literal && typeof event.value === 'string' ? event.value : undefined;
      this.reach.listeners.push({ call, event: literal, handler });
      this.flow(call, holder); // emitter.on() returns the emitter
    }
  }

  private argument(call: TSESTree.CallExpression | TSESTree.NewExpression, node: TSESTree.Node, holder: Holder | undefined): void {
    const index = call.arguments.findIndex((arg) => unwrapped(arg, node));
    const fn = call.type === AST_NODE_TYPES.CallExpression ? this.calledFunction(call) : undefined;
    const param = fn?.params[index];
    if (param?.type === AST_NODE_TYPES.Identifier) {
      const variable = resolveVariable(this.ctx, param);
      if (variable) {
        this.addVariable(variable, 'parameter', call, holder);
        return;
      }
    }
    this.escape(call, holder, 'argument');
  }

  /** The same-file function a call calls: `f()` for a local function, `this.m()` for a method. */
  private calledFunction(call: TSESTree.CallExpression): FunctionNode | undefined {
    const callee = skipTsWrappers(call.callee);
    if (callee.type === AST_NODE_TYPES.Identifier) return localFunction(this.ctx, callee);
    if (callee.type === AST_NODE_TYPES.MemberExpression && callee.object.type === AST_NODE_TYPES.ThisExpression) {
      const name = memberName(callee);
      const cls = thisClass(callee);
      return name !== undefined && cls ? methodOf(cls, name) : undefined;
    }
    return undefined;
  }

  private assign(assignment: TSESTree.AssignmentExpression, holder: Holder | undefined): void {
    const left = assignment.left;
    if (left.type === AST_NODE_TYPES.Identifier) {
      const variable = resolveVariable(this.ctx, left);
      if (variable) this.addVariable(variable, 'variable', assignment, holder);
      else this.escape(assignment, holder, 'other');
      return;
    }
    if (left.type === AST_NODE_TYPES.MemberExpression) {
      if (isModuleExports(left) || isModuleExports(left.object)) {
        this.reach.exported = true;
        this.reach.opaque.push({ node: assignment, reason: 'export' });
        return;
      }
      const name = thisMemberName(left);
      const cls = left.object.type === AST_NODE_TYPES.ThisExpression ? thisClass(left) : undefined;
      if (cls && name !== undefined) {
        this.addField(cls, name, isStaticContext(left), assignment, holder);
        return;
      }
    }
    this.escape(assignment, holder, 'container');
  }

  private field(definition: TSESTree.PropertyDefinition, holder: Holder | undefined): void {
    const name = propertyKeyName(definition);
    const cls = definition.parent.parent;
    if (name === undefined) {
      this.escape(definition, holder, 'other');
      return;
    }
    this.addField(cls, name, definition.static, definition, holder);
  }

  /** The value is returned from `fn`: follow the calls of `fn` in this file. */
  private result(fn: ScopeNode, entry: TSESTree.Node, holder: Holder | undefined): void {
    if (fn.type === AST_NODE_TYPES.Program) {
      this.escape(entry, holder, 'other');
      return;
    }
    const calls = callSites(this.ctx, fn);
    if (!calls) {
      this.escape(entry, holder, 'caller');
      return;
    }
    this.push({
      type: 'result',
      name: functionName(fn) ?? '',
      variable: undefined,
      cls: undefined,
      fn,
      parent: holder,
      entry,
      accesses: calls,
      writes: [],
      ownLongLived: false,
      longLived: false,
    }, fn);
  }

  private addVariable(variable: Variable, type: 'variable' | 'parameter', entry: TSESTree.Node, holder: Holder | undefined): void {
    const accesses: TSESTree.Node[] = [];
    const writes: TSESTree.Node[] = [];
    for (const ref of variable.references) {
      if (ref.identifier.type !== AST_NODE_TYPES.Identifier) continue;
      if (ref.isWrite()) writes.push(ref.identifier);
      if (ref.isRead()) accesses.push(ref.identifier);
    }
    const def = variable.defs[0];
    if (def?.parent?.parent.type === AST_NODE_TYPES.ExportNamedDeclaration) this.reach.exported = true;
    this.push({ type, name: variable.name, variable, cls: undefined, fn: undefined, parent: holder, entry, accesses, writes, ownLongLived: false, longLived: false }, variable);
  }

  private addField(cls: ClassNode, name: string, isStatic: boolean, entry: TSESTree.Node, holder: Holder | undefined): void {
    const key = `${isStatic ? 'static ' : ''}${name}`;
    const members = thisAccesses(this.ctx, cls, key);
    const accesses: TSESTree.Node[] = [];
    const writes: TSESTree.Node[] = [];
    for (const member of members) {
      const parent = member.parent;
      if (parent.type === AST_NODE_TYPES.AssignmentExpression && parent.left === member) {
        writes.push(member);
        if (parent.operator !== '=') accesses.push(member);
      } else {
        accesses.push(member);
      }
    }
    const seenKey = `${String(cls.range[0])}:${key}`;
    this.push({ type: 'field', name, variable: undefined, cls, fn: undefined, parent: holder, entry, accesses, writes, ownLongLived: false, longLived: false }, seenKey);
  }

  private push(holder: Holder, key: unknown): void {
    if (this.seen.has(key) || this.reach.holders.length >= MAX_HOLDERS) {
      // Already followed (another path into the same holder): keep the first parent.
      return;
    }
    this.seen.add(key);
    this.reach.holders.push(holder);
    this.queue.push(holder);
  }
}

/** `x === null` → `'null'`, `x !== undefined` → `'undefined'`; loose comparisons and others → undefined. */
function strictEmpty(node: TSESTree.BinaryExpression): PresenceTest['strict'] {
  if (node.operator !== '===' && node.operator !== '!==') return undefined;
  for (const side of [node.left, node.right]) {
    if (side.type === AST_NODE_TYPES.Literal && side.value === null) return 'null';
    if (side.type === AST_NODE_TYPES.Identifier && side.name === 'undefined') return 'undefined';
  }
  return undefined;
}

function isModuleExports(node: TSESTree.Node): boolean {
  const target = skipTsWrappers(node);
  if (target.type === AST_NODE_TYPES.Identifier) return target.name === 'exports';
  return (
    target.type === AST_NODE_TYPES.MemberExpression &&
    target.object.type === AST_NODE_TYPES.Identifier &&
    target.object.name === 'module' &&
    memberName(target) === 'exports'
  );
}

function propertyKeyName(node: TSESTree.PropertyDefinition | TSESTree.MethodDefinition): string | undefined {
  if (node.key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${node.key.name}`;
  if (!node.computed && node.key.type === AST_NODE_TYPES.Identifier) return node.key.name;
  if (node.key.type === AST_NODE_TYPES.Literal && typeof node.key.value === 'string') return node.key.value;
  return undefined;
}

/** `name` of `this.name`, `#name` of `this.#name`. */
function thisMemberName(member: TSESTree.MemberExpression): string | undefined {
  if (member.property.type === AST_NODE_TYPES.PrivateIdentifier) return `#${member.property.name}`;
  return memberName(member);
}

/** The class whose instance (or constructor, in static code) `this` is at `node`. */
export function thisClass(node: TSESTree.Node): ClassNode | undefined {
  let current: TSESTree.Node | undefined = node.parent;
  while (current) {
    if (current.type === AST_NODE_TYPES.FunctionDeclaration || current.type === AST_NODE_TYPES.FunctionExpression) {
      const owner = current.parent;
      if (owner.type !== AST_NODE_TYPES.MethodDefinition) return undefined;
    }
    if (current.type === AST_NODE_TYPES.ClassBody) return current.parent;
    current = current.parent;
  }
  return undefined;
}

function isStaticContext(node: TSESTree.Node): boolean {
  let current: TSESTree.Node | undefined = node.parent;
  while (current && current.type !== AST_NODE_TYPES.ClassBody) {
    if (
      (current.type === AST_NODE_TYPES.MethodDefinition || current.type === AST_NODE_TYPES.PropertyDefinition) &&
      current.static
    ) {
      return true;
    }
    if (current.type === AST_NODE_TYPES.StaticBlock) return true;
    current = current.parent;
  }
  return false;
}

/** The method `name` of a class (`this.name()`), if it declares one. */
export function methodOf(cls: ClassNode, name: string): FunctionNode | undefined {
  for (const member of cls.body.body) {
    if (member.type === AST_NODE_TYPES.MethodDefinition && member.kind === 'method' && propertyKeyName(member) === name) {
      return isFunction(member.value) ? member.value : undefined;
    }
  }
  return undefined;
}

/**
 * The `this.x` members of a class for one (`static `-prefixed) key, outside nested non-arrow functions
 * and classes, in source order. Found from the text, not by walking the class (a query runner's class
 * runs to thousands of lines, and most of its names are never asked for): every place inside the class
 * body where the name is spelled as a whole word, then the node there. Like the walk gate, it reads
 * names as they are written, so an access spelled with escapes (`this['\\x63onn']`) is not seen.
 * @internal exported for the test that checks it against a walk of the whole class.
 */
export function thisAccesses(ctx: DriverContext, cls: ClassNode, key: string): readonly TSESTree.MemberExpression[] {
  let byKey = thisAccessCache.get(cls);
  if (!byKey) {
    byKey = new Map();
    thisAccessCache.set(cls, byKey);
  }
  const cached = byKey.get(key);
  if (cached) return cached;
  const found: TSESTree.MemberExpression[] = [];
  const isStatic = key.startsWith('static ');
  const name = isStatic ? key.slice('static '.length) : key;
  const text = ctx.sourceCode.text;
  const [start, end] = cls.body.range;
  if (name.length > 0) {
    for (let at = text.indexOf(name, start); at >= 0 && at + name.length <= end; at = text.indexOf(name, at + 1)) {
      if (isAsciiWordChar(text.charCodeAt(at - 1)) || isAsciiWordChar(text.charCodeAt(at + name.length))) continue;
      const property = nodeAt(ctx, cls.body, at);
      const member = property.parent;
      if (member?.type !== AST_NODE_TYPES.MemberExpression || member.property !== property || member.object.type !== AST_NODE_TYPES.ThisExpression) continue;
      if (thisMemberName(member) === name && accessIsStatic(cls, member) === isStatic) found.push(member);
    }
  }
  byKey.set(key, found);
  return found;
}

/** A character of `[A-Za-z0-9_$]` (a neighbour that makes a hit part of a longer name). */
function isAsciiWordChar(code: number): boolean {
  return isWordCode(code) || code === 36;
}

/** The innermost node under `root` whose range holds `index` (children found by binary search). */
function nodeAt(ctx: DriverContext, root: TSESTree.Node, index: number): TSESTree.Node {
  let node = root;
  for (;;) {
    const next = childHolding(node, ctx.sourceCode.visitorKeys[node.type] ?? [], index);
    if (!next) return node;
    node = next;
  }
}

/**
 * Whether `this` at `member` is the class's constructor (static code) or an instance (false), or
 * undefined where `this` is something else or the code is not one a walk of the class's members reads:
 * inside a nested non-arrow function or class, a member's key or decorators. These are the exclusions of
 * the walk of the class's members that `thisAccesses` replaced, kept as they were; `thisClass` and
 * `isStaticContext` answer a wider question (they also accept a member's key and a nested class's
 * `extends`), so they are not used here.
 */
function accessIsStatic(cls: ClassNode, member: TSESTree.MemberExpression): boolean | undefined {
  let child: TSESTree.Node = member;
  let current: TSESTree.Node | undefined = member.parent;
  while (current && current !== cls.body) {
    if (current.type === AST_NODE_TYPES.ClassDeclaration || current.type === AST_NODE_TYPES.ClassExpression) return undefined;
    if (current.type === AST_NODE_TYPES.FunctionDeclaration || current.type === AST_NODE_TYPES.FunctionExpression) {
      // Only a method's own function (its other parts, the return type and type parameters, hold no `this.x`).
      const method: TSESTree.Node = current.parent;
      if (method.type !== AST_NODE_TYPES.MethodDefinition || method.value !== current || method.parent !== cls.body) return undefined;
    }
    child = current;
    current = current.parent;
  }
  if (current !== cls.body) return undefined;
  switch (child.type) {
    case AST_NODE_TYPES.MethodDefinition:
      return member.range[0] >= child.value.range[0] && member.range[1] <= child.value.range[1] ? child.static : undefined;
    case AST_NODE_TYPES.PropertyDefinition:
    case AST_NODE_TYPES.AccessorProperty:
      return child.value !== null && member.range[0] >= child.value.range[0] && member.range[1] <= child.value.range[1] ? child.static : undefined;
    case AST_NODE_TYPES.StaticBlock:
      return true;
    default:
      return undefined;
  }
}

/** Calls each child node of `node` (by the parser's visitor keys). */
export function forEachChild(ctx: DriverContext, node: TSESTree.Node, visit: (child: TSESTree.Node) => void): void {
  for (const key of ctx.sourceCode.visitorKeys[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(child)) {
      for (const item of child) if (isNode(item)) visit(item);
    } else if (isNode(child)) {
      visit(child);
    }
  }
}


/** Whether any node of a subtree satisfies `test` (nested functions included). */
export function someNode(ctx: DriverContext, root: TSESTree.Node, test: (node: TSESTree.Node) => boolean): boolean {
  const stack: TSESTree.Node[] = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (test(node)) return true;
    forEachChild(ctx, node, (child) => stack.push(child));
  }
  return false;
}

function functionName(fn: FunctionNode): string | undefined {
  if (fn.id) return fn.id.name;
  const parent = fn.parent;
  if (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier) return parent.id.name;
  if (parent.type === AST_NODE_TYPES.MethodDefinition) return propertyKeyName(parent);
  return undefined;
}

/**
 * The call expressions of a same-file function, or undefined when it can be called from code the
 * file does not show (exported, a public method, passed around as a value).
 */
function callSites(ctx: DriverContext, fn: FunctionNode): TSESTree.Node[] | undefined {
  const parent = fn.parent;
  if (parent.type === AST_NODE_TYPES.MethodDefinition) {
    const name = propertyKeyName(parent);
    const cls = parent.parent.parent;
    const exposed = parent.key.type !== AST_NODE_TYPES.PrivateIdentifier && parent.accessibility !== 'private';
    if (name === undefined || exposed || parent.static) return undefined;
    return thisAccesses(ctx, cls, name).map((member) => member.parent).filter((call) => call.type === AST_NODE_TYPES.CallExpression);
  }
  let id: TSESTree.Identifier | undefined;
  if (fn.type === AST_NODE_TYPES.FunctionDeclaration && fn.id) id = fn.id;
  else if (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier && parent.init === fn) id = parent.id;
  if (!id) return undefined;
  const variable = resolveVariable(ctx, id);
  if (!variable) return undefined;
  const declaration = fn.type === AST_NODE_TYPES.FunctionDeclaration ? fn : parent.parent;
  if (declaration?.parent?.type === AST_NODE_TYPES.ExportNamedDeclaration || declaration?.parent?.type === AST_NODE_TYPES.ExportDefaultDeclaration) {
    return undefined;
  }
  const calls: TSESTree.Node[] = [];
  for (const ref of variable.references) {
    if (ref.init === true || ref.isWrite()) continue;
    const call = valueParent(ref.identifier);
    if (call?.type === AST_NODE_TYPES.CallExpression && skipTsWrappers(call.callee) === ref.identifier) calls.push(call);
    else return undefined; // passed around or exported: unseen callers
  }
  return calls;
}

/** The holder's release calls (`end()`, `release()`, ...). */
export function releaseUses(ctx: DriverContext, reach: Reach, holder: Holder): Use[] {
  return reach.uses.filter((use) => use.holder === holder && (RELEASE_METHODS.includes(use.name) || ctx.settings.release.has(use.name)));
}

/** Whether `fn` is a continuation of the object: a callback of its own method, a promise executor or `then` handler. */
function isContinuation(reach: Reach, fn: FunctionNode): boolean {
  const call = valueParent(fn);
  if (call?.type !== AST_NODE_TYPES.CallExpression && call?.type !== AST_NODE_TYPES.NewExpression) return false;
  if (!call.arguments.some((arg) => unwrapped(arg, fn))) return false;
  const callee = skipTsWrappers(call.callee);
  if (call.type === AST_NODE_TYPES.NewExpression) return callee.type === AST_NODE_TYPES.Identifier && callee.name === 'Promise';
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
  const name = memberName(callee);
  return reach.accessSet.has(skipTsWrappers(callee.object)) || name === 'then' || name === 'catch' || name === 'finally';
}

/** Whether `node` runs as part of `scope` itself: directly, or in continuation callbacks of it. */
export function runsIn(reach: Reach, node: TSESTree.Node, scope: ScopeNode): boolean {
  let fn = enclosingFunction(node);
  while (fn !== scope) {
    if (fn.type === AST_NODE_TYPES.Program || !isContinuation(reach, fn)) return false;
    fn = enclosingFunction(fn);
  }
  return true;
}

/** Whether `node` lies in a callback of a call named like one of `hooks` (`beforeAll(() => ...)`). */
function inHook(node: TSESTree.Node, hooks: readonly string[]): boolean {
  let byFunction = hookCache.get(hooks);
  if (!byFunction) {
    byFunction = new WeakMap();
    hookCache.set(hooks, byFunction);
  }
  // Memoised per function along the walk up: nested callbacks thousands deep stay linear.
  const walked: FunctionNode[] = [];
  let found = false;
  for (let current = node.parent; current; current = current.parent) {
    if (!isFunction(current)) continue;
    const known = byFunction.get(current);
    if (known !== undefined) {
      found = known;
      break;
    }
    walked.push(current);
    const call = current.parent;
    if (call.type !== AST_NODE_TYPES.CallExpression) continue;
    const callee = skipTsWrappers(call.callee);
    const name = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : undefined;
    if (name !== undefined && hooks.includes(name)) {
      found = true;
      break;
    }
  }
  for (const fn of walked) byFunction.set(fn, found);
  return found;
}

/** Per hook list, whether a function runs inside a callback of one of the hooks. */
const hookCache = new Map<readonly string[], WeakMap<FunctionNode, boolean>>();

/** A query whose text starts with `LISTEN` (through `holder`, or any): the connection is held to receive notifications. */
export function listens(reach: Reach, holder?: Holder): boolean {
  return reach.uses.some(
    (use) => (holder === undefined || use.holder === holder) && use.name === 'query' && /^\s*LISTEN\b/i.test(staticText(use.call.arguments[0]) ?? ''),
  );
}

/**
 * Whether a holder itself outlives the function that filled it: a variable of an outer scope filled in
 * a nested function (a singleton getter), an exported or captured variable (module scope, a factory's
 * closure), a class field, or a connection kept for `LISTEN`. Not when it is ended in the function that
 * filled it (a script, a job), or when it lives only as long as a test suite.
 */
function ownLongLived(ctx: DriverContext, reach: Reach, holder: Holder): boolean {
  if (holder.type === 'parameter' || holder.type === 'result') return false;
  if (inHook(holder.entry, TEST_SETUP_HOOKS)) return false;
  const ends = releaseUses(ctx, reach, holder);
  if (ends.some((use) => inHook(use.call, TEST_TEARDOWN_HOOKS))) return false;
  const entryScope = enclosingFunction(holder.entry);
  const endedInEntry = ends.some((use) => runsIn(reach, use.call, entryScope));
  if (holder.type === 'field') {
    const inMethod = entryScope.type !== AST_NODE_TYPES.Program && entryScope.parent.type === AST_NODE_TYPES.MethodDefinition && entryScope.parent.kind === 'method';
    return !(inMethod && endedInEntry);
  }
  if (endedInEntry) return false;
  const def = holder.variable?.defs[0];
  const declScope = def ? enclosingFunction(def.name) : entryScope;
  if (declScope !== entryScope) return true;
  if (reach.exported && declScope.type === AST_NODE_TYPES.Program) return true;
  if (holder.accesses.some((access) => !runsIn(reach, access, declScope))) return true;
  return listens(reach, holder);
}

/**
 * Whether the object is a resource with an explicit lifecycle rather than a connection for the life of
 * the process: a connection checked out of a pool that is released somewhere (a transaction handle, a
 * session object), or a connection held by a function's closure that the function's own code ends (a
 * factory returning `{ query, close }`: a migration run, a driver adapter inside another pool). A lost
 * connection must fail such a unit of work, not be replaced under it.
 */
export function hasExplicitLifecycle(ctx: DriverContext, reach: Reach): boolean {
  return reach.holders.some((holder) => {
    const ends = releaseUses(ctx, reach, holder);
    if (ends.length === 0) return false;
    if (reach.creation.kind === 'checkout') return true;
    if (holder.type !== 'variable') return false;
    const def = holder.variable?.defs[0];
    const declScope = def ? enclosingFunction(def.name) : undefined;
    return declScope !== undefined && declScope.type !== AST_NODE_TYPES.Program && ends.some((use) => contains(declScope, use.call));
  });
}

/** The names of the fields that hold the object, for matching `instance.field.on(...)` outside the class. */
export function fieldNames(reach: Reach): Set<string> {
  return new Set(reach.holders.filter((h) => h.type === 'field').map((h) => h.name));
}

/**
 * Whether a method call runs after the function that filled its long-lived holder is done with it:
 * in another function, a handler, a later call of a getter. A query right after `createConnection()`
 * in the same function cannot meet a stale connection.
 */
export function isLateUse(reach: Reach, use: Use): boolean {
  let holder = use.holder;
  while (holder && !holder.ownLongLived) holder = holder.parent;
  if (!holder) return false;
  return !runsIn(reach, use.call, enclosingFunction(holder.entry));
}

let candidateNames: Set<string> | undefined;

/**
 * A cheap test before classification: a call of a driver factory or acquire method by name, or a call
 * or `new` of a name imported from a driver package (or of a namespace of one: `new pg.Pool()`).
 */
export function isCreationCandidate(ctx: DriverContext, node: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
  // handle-stale-connection and require-error-listener ask about each call, one after the other. The
  // memo lives on the file's context: a module-level one would keep the last file's whole AST alive
  // while the next file is parsed, and the garbage collector would copy it again and again.
  const last = ctx.lastCandidate;
  if (node === last.node) return last.result;
  const result = computeCandidate(ctx, node);
  last.node = node;
  last.result = result;
  return result;
}

function computeCandidate(ctx: DriverContext, node: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
  const callee = skipTsWrappers(node.callee);
  if (callee.type === AST_NODE_TYPES.Identifier) return importedFromDriver(ctx, callee);
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
  if (node.type === AST_NODE_TYPES.NewExpression) {
    const object = skipTsWrappers(callee.object);
    return object.type === AST_NODE_TYPES.Identifier && importedFromDriver(ctx, object);
  }
  const name = memberName(callee);
  if (name === undefined) return false;
  return creationMethods().has(name) || ctx.settings.acquire.has(name);
}

function creationMethods(): ReadonlySet<string> {
  candidateNames ??= new Set([...Object.values(DRIVER_PACKAGES).flatMap((pkg) => Object.keys(pkg.factories)), ...Object.keys(ACQUIRE_METHODS)]);
  return candidateNames;
}

const filters = new WeakMap<ReadonlySet<string>, Map<readonly string[], CallFilter>>();

const NO_MORE: readonly string[] = [];

/**
 * The calls `isCreationCandidate` can answer true for, with the methods `more` besides, as a filter of
 * the shared call listener (calls.ts): built once per settings' acquiring names and `more` (a constant).
 */
export function creationCandidateFilter(ctx: DriverContext, more: readonly string[] = NO_MORE): CallFilter {
  const acquire = ctx.settings.acquire;
  let byMore = filters.get(acquire);
  if (!byMore) {
    byMore = new Map();
    filters.set(acquire, byMore);
  }
  let filter = byMore.get(more);
  if (!filter) {
    filter = { methods: new Set([...creationMethods(), ...acquire, ...more]), plain: true };
    byMore.set(more, filter);
  }
  return filter;
}


