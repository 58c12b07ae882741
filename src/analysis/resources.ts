/**
 * Binds acquisitions to the variables that hold them and classifies every reference to such a
 * variable: a release, a hand-off (ownership leaves the function), a continuation callback that takes
 * the obligation over, or a plain use.
 */
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { POOL_RELEASE_METHODS, QUERY_METHODS, RELEASE_METHODS } from '../catalogue.js';
import { contains, enclosingFunction, isFunction, memberName, methodCall, skipTsWrappers, valueParent, type FunctionNode } from './ast.js';
import { classifyAcquisition, localFunction, resolveVariable, type Acquisition, type DriverContext } from './drivers.js';

type Variable = TSESLint.Scope.Variable;

/** An event the code-path tracker records when it reaches the anchor node. */
export type ResourceEvent =
  | { readonly type: 'acquire'; readonly resource: Resource }
  | { readonly type: 'release'; readonly resource: Resource; readonly how: 'release' | 'handoff' | 'transfer' }
  | { readonly type: 'kill'; readonly resource: Resource }
  /** Something that must not happen while the obligation is open (releasing the connection of an open transaction). */
  | { readonly type: 'check'; readonly resource: Resource; readonly node: TSESTree.CallExpression };

/**
 * What ends an obligation. Connections end with `release()`/`end()`...; transactions with
 * `commit()`/`rollback()`, and must not see their connection released while open.
 */
export interface Vocabulary {
  /** Whether `v.<name>(...)` ends the obligation. */
  ends(call: TSESTree.CallExpression, name: string): boolean;
  /** Whether passing the value to a releasing function (`pool.releaseConnection(conn)`) ends it. */
  readonly endsByArgument: boolean;
  /** Whether `v.<name>(...)`, or releasing `v` by argument, is a check (must not run while open). */
  checks(call: TSESTree.CallExpression, name: string): boolean;
}

/** The vocabulary of connections: the catalogue's release methods plus the settings' ones. */
export function connectionVocabulary(ctx: DriverContext): Vocabulary {
  return {
    ends: (_call, name) => RELEASE_METHODS.includes(name) || ctx.settings.release.has(name),
    endsByArgument: true,
    checks: () => false,
  };
}

/** A continuation callback that receives the obligation to release (`conn.query(sql, (err) => ...)`). */
export interface Continuation {
  readonly fn: FunctionNode;
  /** The call the callback is passed to. */
  readonly call: TSESTree.CallExpression | TSESTree.NewExpression;
  /** True when only the success path of a promise reaches the callback (`.then(cb)` with no rejection handler). */
  readonly successOnly: boolean;
  /**
   * A `.then`/`.catch`/`.finally` callback of a chain the function awaits or returns: control comes
   * back to the function after it, so the function's own paths decide, and the callback's paths are
   * not checked on their own.
   */
  readonly inline: boolean;
}

/** A tracked connection: one acquisition whose release this function owns. */
export interface Resource {
  readonly acquisition: Acquisition;
  /** The variable holding the connection (a declared variable, or a callback parameter). */
  readonly variable: Variable;
  /** The function in which the connection is acquired (or whose parameter receives it). */
  readonly owner: FunctionNode;
  /** True when the connection arrives as a parameter of `owner` (callback or `.then` style). */
  readonly atEntry: boolean;
  /** The error parameter of an acquisition callback: when it is set, there is no connection. */
  readonly errorParam: Variable | undefined;
  /** Variables whose call releases the connection (pg's `done`). */
  readonly releasers: readonly Variable[];
  /** Node → events to record when the code-path tracker reaches it. */
  readonly events: Map<TSESTree.Node, ResourceEvent[]>;
  /** Functions that continue the obligation (callbacks that release it). */
  readonly continuations: Map<FunctionNode, Continuation>;
  /** Counts of reference kinds, for the verdicts. */
  releases: number;
  handoffs: number;
  passedToUnknown: number;
  /** The release is done somewhere this analysis cannot follow (a stored closure, an event handler...). */
  opaque: boolean;
  /** Release calls made directly (for `requireFinally` and fixes). */
  readonly releaseCalls: TSESTree.CallExpression[];
  readonly vocabulary: Vocabulary;
  /**
   * Reads an `if` test: `true` when it holds only if the resource may be held (`if (conn)`, or a
   * condition correlated with the acquisition: `if (ownRunner)` around both the acquisition and the
   * release, or a flag set right after the acquisition), `false` when it holds only if nothing is
   * held (`if (!conn)`), undefined otherwise.
   */
  guard: (test: TSESTree.Node) => boolean | undefined;
  /**
   * `obligation` (default): must be ended on every exit and exception path. `state`: only its check
   * events matter (use after release), no exit or exception is a finding.
   */
  readonly mode?: 'obligation' | 'state';
}

/** How an acquisition's result is bound. */
export type Binding =
  | { readonly type: 'variable'; readonly variable: Variable; readonly anchor: TSESTree.Node; readonly owner: FunctionNode }
  | {
      readonly type: 'parameter';
      readonly variable: Variable;
      readonly fn: FunctionNode;
      readonly errorParam: Variable | undefined;
      readonly releasers: Variable[];
    }
  | { readonly type: 'discarded' }
  | { readonly type: 'disposed' }
  | { readonly type: 'escaped' };

/** Works out where the connection of an acquisition goes. */
export function bindAcquisition(ctx: DriverContext, acq: Acquisition): Binding {
  const node = acq.node;
  // Callback style: pool.getConnection((err, conn) => ...), pool.connect((err, client, done) => ...),
  // also with the callback passed by name (pool.connect(onConnect)).
  if (node.type === AST_NODE_TYPES.CallExpression) {
    const last = node.arguments[node.arguments.length - 1];
    if (last && isFunction(last)) return callbackBinding(ctx, last, 1);
    if (last?.type === AST_NODE_TYPES.Identifier) {
      const named = localFunction(ctx, last);
      return named ? callbackBinding(ctx, named, 1) : { type: 'escaped' };
    }
    if (last && last.type !== AST_NODE_TYPES.ObjectExpression && last.type !== AST_NODE_TYPES.Literal) return { type: 'escaped' };
  }
  let value: TSESTree.Node = node;
  let parent = valueParent(value);
  // tarn: pool.acquire().promise
  if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === value && memberName(parent) === 'promise') {
    value = parent;
    parent = valueParent(value);
  }
  // mssql: await new sql.ConnectionPool(config).connect()
  if (node.type === AST_NODE_TYPES.NewExpression && parent?.type === AST_NODE_TYPES.MemberExpression && memberName(parent) === 'connect') {
    const call = valueParent(parent);
    if (call?.type !== AST_NODE_TYPES.CallExpression || call.callee !== parent) return { type: 'escaped' };
    value = call;
    parent = valueParent(value);
  }
  if (parent?.type === AST_NODE_TYPES.AwaitExpression) {
    value = parent;
    parent = valueParent(value);
  }
  // Promise style: pool.getConnection().then((conn) => ...)
  if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === unwrapTo(parent.object, value)) {
    const call = valueParent(parent);
    if (call?.type === AST_NODE_TYPES.CallExpression && call.callee === parent && memberName(parent) === 'then') {
      const first = call.arguments[0];
      return first && isFunction(first) ? callbackBinding(ctx, first, 0) : { type: 'escaped' };
    }
    return { type: 'escaped' };
  }
  if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier) {
    const declaration = parent.parent;
    if (declaration.kind === 'using' || declaration.kind === 'await using') return { type: 'disposed' };
    const owner = enclosingFunction(parent);
    const variable = resolveVariable(ctx, parent.id);
    if (!variable || owner.type === AST_NODE_TYPES.Program) return { type: 'escaped' };
    return { type: 'variable', variable, anchor: parent, owner };
  }
  if (
    parent?.type === AST_NODE_TYPES.AssignmentExpression &&
    parent.operator === '=' &&
    parent.left.type === AST_NODE_TYPES.Identifier
  ) {
    const owner = enclosingFunction(parent);
    const variable = resolveVariable(ctx, parent.left);
    if (!variable || owner.type === AST_NODE_TYPES.Program || !declaredIn(variable, owner)) return { type: 'escaped' };
    return { type: 'variable', variable, anchor: parent, owner };
  }
  if (parent?.type === AST_NODE_TYPES.ExpressionStatement) return { type: 'discarded' };
  return { type: 'escaped' };
}

/** Finds the node among `value`'s wrappers that `candidate` is; used to compare through TS wrappers. */
function unwrapTo(candidate: TSESTree.Node, value: TSESTree.Node): TSESTree.Node | undefined {
  return skipTsWrappers(candidate) === value || candidate === value ? candidate : undefined;
}

function callbackBinding(ctx: DriverContext, fn: FunctionNode, index: number): Binding {
  const param = fn.params[index];
  if (param?.type !== AST_NODE_TYPES.Identifier) return { type: 'escaped' };
  const variable = resolveVariable(ctx, param);
  if (!variable) return { type: 'escaped' };
  const errNode = index > 0 ? fn.params[0] : undefined;
  const errorParam = errNode?.type === AST_NODE_TYPES.Identifier ? resolveVariable(ctx, errNode) ?? undefined : undefined;
  const doneNode = index > 0 ? fn.params[index + 1] : undefined;
  const done = doneNode?.type === AST_NODE_TYPES.Identifier ? resolveVariable(ctx, doneNode) : null;
  return { type: 'parameter', variable, fn, errorParam, releasers: done ? [done] : [] };
}

function declaredIn(variable: Variable, fn: FunctionNode): boolean {
  return variable.defs.some((def) => enclosingFunction(def.name) === fn);
}

/** Builds the tracked resource for a variable or parameter binding and classifies its references. */
export function trackResource(
  ctx: DriverContext,
  acquisition: Acquisition,
  binding: Extract<Binding, { type: 'variable' } | { type: 'parameter' }>,
  vocabulary: Vocabulary = connectionVocabulary(ctx),
): Resource {
  const resource: Resource = {
    acquisition,
    variable: binding.variable,
    owner: binding.type === 'variable' ? binding.owner : binding.fn,
    atEntry: binding.type === 'parameter',
    errorParam: binding.type === 'parameter' ? binding.errorParam : undefined,
    releasers: binding.type === 'parameter' ? binding.releasers : [],
    events: new Map(),
    continuations: new Map(),
    releases: 0,
    handoffs: 0,
    passedToUnknown: 0,
    opaque: false,
    releaseCalls: [],
    vocabulary,
    guard: (test) => isPresenceTest(test, binding.variable),
  };
  if (binding.type === 'variable') {
    const correlated = correlatedConditions(ctx, binding);
    resource.guard = (test) => isPresenceTest(test, binding.variable) ?? correlated(test);
  }
  if (binding.type === 'variable') addEvent(resource, acquireAnchor(acquisition, binding), { type: 'acquire', resource });
  for (const ref of binding.variable.references) {
    if (ref.init === true || ref.isWrite() || ref.identifier.type !== AST_NODE_TYPES.Identifier) continue;
    classifyReference(ctx, resource, ref.identifier);
  }
  for (const releaser of resource.releasers) {
    for (const ref of releaser.references) {
      const id = ref.identifier;
      const parent = valueParent(id);
      if (parent?.type === AST_NODE_TYPES.CallExpression && skipTsWrappers(parent.callee) === id) {
        recordRelease(resource, parent);
      } else if (!ref.isWrite()) {
        recordUnfollowed(resource, id, 'handoff');
      }
    }
  }
  return resource;
}

/**
 * Conditions that hold whenever the acquisition happened: the tests of the `if`s around it, and
 * boolean flags set to `true` right after it in the same block (`startedByUs = true`).
 */
function correlatedConditions(
  ctx: DriverContext,
  binding: Extract<Binding, { type: 'variable' }>,
): (test: TSESTree.Node) => boolean | undefined {
  const texts = new Set<string>();
  const flags = new Set<Variable>();
  const text = (node: TSESTree.Node): string => ctx.sourceCode.getText(node).replace(/\s+/g, ' ');
  let child: TSESTree.Node = binding.anchor;
  let parent = child.parent;
  while (parent && parent !== binding.owner) {
    if (parent.type === AST_NODE_TYPES.IfStatement && parent.consequent === child) {
      for (const implied of impliedConditions(ctx, parent.test)) texts.add(text(implied));
    }
    if (parent.type === AST_NODE_TYPES.BlockStatement && child !== binding.anchor) {
      // The flag is set right after the acquisition (`await begin(); startedByUs = true;`).
      const index = parent.body.indexOf(child as TSESTree.Statement);
      for (const statement of parent.body.slice(index + 1, index + 1 + FLAG_WINDOW)) {
        const flag = trueAssignment(statement);
        const variable = flag ? resolveVariable(ctx, flag) : null;
        if (variable) flags.add(variable);
      }
    }
    child = parent;
    parent = parent.parent;
  }
  if (texts.size === 0 && flags.size === 0) return () => undefined;
  const read = (test: TSESTree.Node): boolean | undefined => {
    const node = skipTsWrappers(test);
    if (node.type === AST_NODE_TYPES.UnaryExpression && node.operator === '!') {
      const inner = read(node.argument);
      return inner === undefined ? undefined : !inner;
    }
    if (node.type === AST_NODE_TYPES.LogicalExpression && (node.operator === '&&' || node.operator === '||')) {
      // Acquired ⇒ a (a correlated side): then a || b holds too; a && b holds only if b is correlated as well.
      const left = read(node.left);
      const right = read(node.right);
      if (node.operator === '&&') return left === true && right === true ? true : undefined;
      return left === true || right === true ? true : undefined;
    }
    if (texts.has(text(node))) return true;
    if (node.type === AST_NODE_TYPES.Identifier) {
      const variable = resolveVariable(ctx, node);
      if (variable && flags.has(variable)) return true;
    }
    return undefined;
  };
  return read;
}

/**
 * What an `if` test that held implies: the test, each conjunct of `a && b`, and, for `a || f` where
 * `f` is a const defined as `a || ...`, `f` itself (the test is then equivalent to `f`).
 */
function impliedConditions(ctx: DriverContext, test: TSESTree.Node): TSESTree.Node[] {
  const node = skipTsWrappers(test);
  if (node.type === AST_NODE_TYPES.LogicalExpression && node.operator === '&&') {
    return [node, ...impliedConditions(ctx, node.left), ...impliedConditions(ctx, node.right)];
  }
  if (node.type === AST_NODE_TYPES.LogicalExpression && node.operator === '||') {
    const disjuncts = flattenOr(node);
    const text = (n: TSESTree.Node): string => ctx.sourceCode.getText(n).replace(/\s+/g, ' ');
    const equivalent = disjuncts.filter((d) => {
      if (d.type !== AST_NODE_TYPES.Identifier) return false;
      const def = resolveVariable(ctx, d)?.defs[0];
      const init = def?.node.type === AST_NODE_TYPES.VariableDeclarator && def.node.parent.kind === 'const' ? def.node.init : null;
      if (!init) return false;
      const inner = new Set(flattenOr(init).map(text));
      return disjuncts.every((other) => other === d || inner.has(text(other)));
    });
    return [node, ...equivalent];
  }
  return [node];
}

function flattenOr(node: TSESTree.Node): TSESTree.Node[] {
  const target = skipTsWrappers(node);
  return target.type === AST_NODE_TYPES.LogicalExpression && target.operator === '||'
    ? [...flattenOr(target.left), ...flattenOr(target.right)]
    : [target];
}

/** How many statements after the acquisition may set its flag. */
const FLAG_WINDOW = 3;

/** `flag = true;` */
function trueAssignment(statement: TSESTree.Statement): TSESTree.Identifier | undefined {
  if (statement.type !== AST_NODE_TYPES.ExpressionStatement) return undefined;
  const expression = statement.expression;
  return expression.type === AST_NODE_TYPES.AssignmentExpression &&
    expression.operator === '=' &&
    expression.left.type === AST_NODE_TYPES.Identifier &&
    expression.right.type === AST_NODE_TYPES.Literal &&
    expression.right.value === true
    ? expression.left
    : undefined;
}

/**
 * Where the obligation starts. For a connection built by `new Client()` (or a TypeORM query runner)
 * it starts once `connect()` succeeded: a failed connect leaves nothing to release. Likewise an mssql
 * `new Transaction()` once `begin()` succeeded.
 */
function acquireAnchor(
  acquisition: Acquisition,
  binding: Extract<Binding, { type: 'variable' }>,
): TSESTree.Node {
  const start = acquisition.startMethod;
  if (start === undefined) return binding.anchor;
  for (const ref of binding.variable.references) {
    const parent = valueParent(ref.identifier);
    if (parent?.type !== AST_NODE_TYPES.MemberExpression || memberName(parent) !== start) continue;
    const call = valueParent(parent);
    if (call?.type !== AST_NODE_TYPES.CallExpression || enclosingFunction(call) !== binding.owner) continue;
    const awaited = valueParent(call);
    return awaited?.type === AST_NODE_TYPES.AwaitExpression ? awaited : call;
  }
  return binding.anchor;
}

function addEvent(resource: Resource, anchor: TSESTree.Node, event: ResourceEvent): void {
  const list = resource.events.get(anchor);
  if (list) list.push(event);
  else resource.events.set(anchor, [event]);
}

/**
 * Classifies one reference. References inside nested functions count only through a chain of
 * continuation callbacks; anything else that releases or hands off there makes the resource opaque.
 */
function classifyReference(ctx: DriverContext, resource: Resource, id: TSESTree.Identifier): void {
  const parent = valueParent(id);
  if (parent?.type === AST_NODE_TYPES.MemberExpression && skipTsWrappers(parent.object) === id) {
    classifyMemberUse(resource, parent);
    return;
  }
  if (parent && (parent.type === AST_NODE_TYPES.CallExpression || parent.type === AST_NODE_TYPES.NewExpression)) {
    if (parent.arguments.some((arg) => skipTsWrappers(arg) === id)) {
      classifyArgument(ctx, resource, parent, id);
      return;
    }
  }
  const sink = valueSink(id);
  if (sink) recordHandoff(ctx, resource, sink, id);
}

function classifyMemberUse(resource: Resource, member: TSESTree.MemberExpression): void {
  const call = valueParent(member);
  if (call?.type !== AST_NODE_TYPES.CallExpression || skipTsWrappers(call.callee) !== member) return;
  const name = memberName(member);
  if (name === undefined) return;
  if (resource.vocabulary.ends(call, name)) recordRelease(resource, call);
  else if (resource.vocabulary.checks(call, name)) recordCheck(resource, call);
}

function recordCheck(resource: Resource, call: TSESTree.CallExpression): void {
  if (linkContinuations(resource, call) === 'linked') addEvent(resource, call, { type: 'check', resource, node: call });
}

function classifyArgument(
  ctx: DriverContext,
  resource: Resource,
  call: TSESTree.CallExpression | TSESTree.NewExpression,
  id: TSESTree.Identifier,
): void {
  if (call.type === AST_NODE_TYPES.CallExpression && releasesArgument(ctx, call, id)) {
    if (resource.vocabulary.endsByArgument) recordRelease(resource, call);
    else recordCheck(resource, call);
    return;
  }
  if (enclosingFunction(call) === resource.owner) {
    // Passed to a function we cannot see: a hand-off unless this function also releases it.
    resource.passedToUnknown++;
    return;
  }
  recordUnfollowed(resource, id, 'handoff');
}

/** `pool.releaseConnection(conn)`, `pool.release(conn)`, `releaseFn(conn)` from settings, or a same-file releaser. */
function releasesArgument(ctx: DriverContext, call: TSESTree.CallExpression, id: TSESTree.Identifier): boolean {
  const index = call.arguments.findIndex((arg) => skipTsWrappers(arg) === id);
  const method = methodCall(call);
  if (method) return index === 0 && POOL_RELEASE_METHODS.includes(method.name) && method.receiver !== id;
  const callee = skipTsWrappers(call.callee);
  if (callee.type !== AST_NODE_TYPES.Identifier) return false;
  if (ctx.settings.releaseFunctions.has(callee.name)) return index === 0;
  const fn = localFunction(ctx, callee);
  return fn !== undefined && index >= 0 && functionReleasesParam(ctx, fn, index);
}

const releaserCache = new WeakMap<FunctionNode, Map<number, boolean>>();

/** A local function that releases its `index`-th parameter directly (`function done(c) { c.release() }`). */
function functionReleasesParam(ctx: DriverContext, fn: FunctionNode, index: number): boolean {
  let byIndex = releaserCache.get(fn);
  if (!byIndex) {
    byIndex = new Map();
    releaserCache.set(fn, byIndex);
  }
  const cached = byIndex.get(index);
  if (cached !== undefined) return cached;
  byIndex.set(index, false);
  const param = fn.params[index];
  const vocabulary = connectionVocabulary(ctx);
  let result = false;
  if (param?.type === AST_NODE_TYPES.Identifier) {
    const variable = resolveVariable(ctx, param);
    result =
      variable?.references.some((ref) => {
        const member = valueParent(ref.identifier);
        if (member?.type !== AST_NODE_TYPES.MemberExpression) return false;
        const name = memberName(member);
        const call = valueParent(member);
        return (
          call?.type === AST_NODE_TYPES.CallExpression &&
          name !== undefined &&
          vocabulary.ends(call, name)
        );
      }) ?? false;
  }
  byIndex.set(index, result);
  return result;
}

/**
 * Follows a value up through object/array literals, conditionals and awaits to where it ends up:
 * returned, stored, aliased or yielded. Undefined for plain uses (tests, comparisons...).
 */
function valueSink(id: TSESTree.Identifier): TSESTree.Node | undefined {
  let value: TSESTree.Node = id;
  let parent = valueParent(value);
  while (parent) {
    switch (parent.type) {
      case AST_NODE_TYPES.Property:
        if (parent.value !== value) return undefined;
        break;
      case AST_NODE_TYPES.ObjectExpression:
      case AST_NODE_TYPES.ArrayExpression:
      case AST_NODE_TYPES.SpreadElement:
      case AST_NODE_TYPES.AwaitExpression:
        break;
      case AST_NODE_TYPES.ConditionalExpression:
        if (parent.test === value) return undefined;
        break;
      case AST_NODE_TYPES.LogicalExpression:
        if (parent.left === value && parent.operator === '&&') return undefined;
        break;
      case AST_NODE_TYPES.SequenceExpression:
        if (parent.expressions[parent.expressions.length - 1] !== value) return undefined;
        break;
      case AST_NODE_TYPES.ReturnStatement:
      case AST_NODE_TYPES.YieldExpression:
      case AST_NODE_TYPES.VariableDeclarator:
      case AST_NODE_TYPES.ThrowStatement:
        return parent;
      case AST_NODE_TYPES.AssignmentExpression:
        return parent.right === value ? parent : undefined;
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        return parent.arguments.includes(value as TSESTree.CallExpressionArgument) ? parent : undefined;
      case AST_NODE_TYPES.ArrowFunctionExpression:
        return parent.body === value ? parent : undefined;
      default:
        return undefined;
    }
    value = parent;
    parent = valueParent(value);
  }
  return undefined;
}

function recordHandoff(ctx: DriverContext, resource: Resource, sink: TSESTree.Node, id: TSESTree.Identifier): void {
  if (
    sink.type === AST_NODE_TYPES.AssignmentExpression &&
    sink.left.type === AST_NODE_TYPES.Identifier &&
    sink.left.name === resource.variable.name
  ) {
    return; // conn = conn ?? other: not a hand-off
  }
  if ((sink.type === AST_NODE_TYPES.CallExpression || sink.type === AST_NODE_TYPES.NewExpression) && enclosingFunction(sink) === resource.owner) {
    resource.passedToUnknown++;
    return;
  }
  if (enclosingFunction(sink) !== enclosingFunction(id) || isFunction(sink)) {
    recordUnfollowed(resource, id, 'handoff');
    return;
  }
  if (isStore(ctx, sink, resource.owner)) {
    // Stored in a field or an outer variable: something longer-lived owns it now, whatever the order.
    resource.opaque = true;
    return;
  }
  recordUnfollowed(resource, id, 'handoff', sink);
}

/** `this.conn = conn`, `state.conn = conn`, `outer = conn` (a variable declared outside the owner). */
function isStore(ctx: DriverContext, sink: TSESTree.Node, owner: FunctionNode): boolean {
  if (sink.type !== AST_NODE_TYPES.AssignmentExpression) return false;
  const target = skipTsWrappers(sink.left);
  if (target.type === AST_NODE_TYPES.MemberExpression) return true;
  if (target.type !== AST_NODE_TYPES.Identifier) return false;
  const variable = resolveVariable(ctx, target);
  return variable !== null && !declaredIn(variable, owner);
}

/**
 * Records a release or hand-off at `anchor`, which may lie in a continuation callback of the owner.
 * Where the chain from the owner to the anchor is not made of callback arguments, the resource is
 * marked opaque: something else manages it.
 */
function recordUnfollowed(
  resource: Resource,
  id: TSESTree.Node,
  how: 'release' | 'handoff',
  anchor: TSESTree.Node = id,
): void {
  const link = linkContinuations(resource, anchor);
  if (link !== 'linked') {
    if (link === 'opaque') resource.opaque = true;
    return;
  }
  if (how === 'release') resource.releases++;
  else resource.handoffs++;
  if (anchor !== id) addEvent(resource, anchor, { type: 'release', resource, how });
}

function recordRelease(resource: Resource, call: TSESTree.CallExpression): void {
  const link = linkContinuations(resource, call);
  if (link !== 'linked') {
    if (link === 'opaque') resource.opaque = true;
    return;
  }
  resource.releases++;
  resource.releaseCalls.push(call);
  addEvent(resource, guardedAnchor(resource, call), { type: 'release', resource, how: 'release' });
}

/**
 * `if (conn) conn.release()` and `conn && conn.release()` release whenever there is a connection:
 * record them where the guard is evaluated so that the null branch does not look like a leak.
 */
function guardedAnchor(resource: Resource, call: TSESTree.CallExpression): TSESTree.Node {
  let node: TSESTree.Node = call;
  let parent = valueParent(node);
  if (parent?.type === AST_NODE_TYPES.AwaitExpression) {
    node = parent;
    parent = valueParent(node);
  }
  if (parent?.type === AST_NODE_TYPES.LogicalExpression && parent.right === node && resource.guard(parent.left) === true) {
    return parent;
  }
  if (parent?.type !== AST_NODE_TYPES.ExpressionStatement) return call;
  let statement: TSESTree.Node = parent;
  let container: TSESTree.Node = parent.parent;
  if (container.type === AST_NODE_TYPES.BlockStatement && container.body[0] === statement) {
    statement = container;
    container = container.parent;
  }
  if (container.type === AST_NODE_TYPES.IfStatement && container.consequent === statement && resource.guard(container.test) === true) {
    return container;
  }
  return call;
}

/**
 * Reads a test of a variable's presence. `true`: the test holds exactly when the variable is set
 * (`x`, `x != null`, `x !== undefined`); `false`: when it is unset (`!x`, `x == null`); undefined:
 * not such a test of that variable.
 */
export function isPresenceTest(test: TSESTree.Node, variable: Variable): boolean | undefined {
  const node = skipTsWrappers(test);
  if (node.type === AST_NODE_TYPES.Identifier) return refersTo(node, variable) ? true : undefined;
  if (node.type === AST_NODE_TYPES.UnaryExpression && node.operator === '!') {
    const inner = isPresenceTest(node.argument, variable);
    return inner === undefined ? undefined : !inner;
  }
  if (node.type === AST_NODE_TYPES.BinaryExpression && ['==', '===', '!=', '!=='].includes(node.operator)) {
    const [subject, other] = refersTo(node.left, variable) ? [node.left, node.right] : [node.right, node.left];
    if (!refersTo(subject, variable)) return undefined;
    const nullish =
      (other.type === AST_NODE_TYPES.Literal && other.value === null) ||
      (other.type === AST_NODE_TYPES.Identifier && other.name === 'undefined');
    if (!nullish) return undefined;
    return node.operator.startsWith('!');
  }
  return undefined;
}

const referenceSets = new WeakMap<Variable, Set<TSESTree.Node>>();

/** Whether an identifier is a reference to the variable (a set per variable: O(1) per question). */
function refersTo(node: TSESTree.Node, variable: Variable): boolean {
  if (node.type !== AST_NODE_TYPES.Identifier || node.name !== variable.name) return false;
  let set = referenceSets.get(variable);
  if (!set) {
    set = new Set(variable.references.map((ref) => ref.identifier));
    referenceSets.set(variable, set);
  }
  return set.has(node);
}

/**
 * Checks that every function between the owner and `node` is a callback argument of a call in the
 * function around it, and registers those callbacks as continuations. `opaque` when some function
 * on the way is not such a callback; `ended` when one is the callback of a call that itself ends the
 * obligation (`conn.commit((err) => ...)`): what happens in there comes after the end.
 */
function linkContinuations(resource: Resource, node: TSESTree.Node): 'linked' | 'opaque' | 'ended' {
  const chain: FunctionNode[] = [];
  let fn = enclosingFunction(node);
  while (fn !== resource.owner) {
    if (fn.type === AST_NODE_TYPES.Program) return 'opaque';
    chain.unshift(fn);
    fn = enclosingFunction(fn);
  }
  for (const callback of chain) {
    const call = valueParent(callback);
    if (
      (call?.type !== AST_NODE_TYPES.CallExpression && call?.type !== AST_NODE_TYPES.NewExpression) ||
      !call.arguments.some((arg) => skipTsWrappers(arg) === callback)
    ) {
      return 'opaque';
    }
    if (call.type === AST_NODE_TYPES.CallExpression && isEndingCall(resource, call)) return 'ended';
    if (!resource.continuations.has(callback)) {
      const successOnly = isSuccessOnlyThen(resource, call, callback);
      resource.continuations.set(callback, { fn: callback, call, successOnly, inline: isAwaitedPromiseCallback(call) });
      addEvent(resource, call, { type: 'release', resource, how: 'transfer' });
    }
  }
  return 'linked';
}

const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);

/** `await p.then(cb)`, `return p.then(cb).catch(...)`: a promise callback whose chain the function waits for. */
function isAwaitedPromiseCallback(call: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
  if (call.type !== AST_NODE_TYPES.CallExpression || !PROMISE_METHODS.has(methodCall(call)?.name ?? '')) return false;
  let top: TSESTree.Node = call;
  for (;;) {
    const member = valueParent(top);
    const next = member?.type === AST_NODE_TYPES.MemberExpression ? valueParent(member) : undefined;
    if (member?.type !== AST_NODE_TYPES.MemberExpression || next?.type !== AST_NODE_TYPES.CallExpression || !PROMISE_METHODS.has(memberName(member) ?? '')) {
      break;
    }
    top = next;
  }
  const parent = valueParent(top);
  return (
    parent?.type === AST_NODE_TYPES.AwaitExpression ||
    parent?.type === AST_NODE_TYPES.ReturnStatement ||
    (parent?.type === AST_NODE_TYPES.ArrowFunctionExpression && parent.body === top)
  );
}

/** `v.release(cb)`, `v.commit(cb)`: a call on the tracked variable that ends the obligation. */
function isEndingCall(resource: Resource, call: TSESTree.CallExpression): boolean {
  const method = methodCall(call);
  const receiver = method ? skipTsWrappers(method.receiver) : undefined;
  return (
    method !== undefined &&
    receiver?.type === AST_NODE_TYPES.Identifier &&
    resource.variable.references.some((ref) => ref.identifier === receiver) &&
    resource.vocabulary.ends(call, method.name)
  );
}

/** `p.then(cb)` with no rejection handler that also releases: the rejection path skips `cb`. */
function isSuccessOnlyThen(
  resource: Resource,
  call: TSESTree.CallExpression | TSESTree.NewExpression,
  callback: FunctionNode,
): boolean {
  if (call.type !== AST_NODE_TYPES.CallExpression) return false;
  const method = methodCall(call);
  if (method?.name !== 'then' || call.arguments[0] !== callback) return false;
  if (call.arguments[1] && referencesRelease(resource, call.arguments[1])) return false;
  // Look along the chain for .catch(handler) / .finally(handler) that releases too.
  let link: TSESTree.Node = call;
  for (;;) {
    const member = valueParent(link);
    if (member?.type !== AST_NODE_TYPES.MemberExpression) return true;
    const next = valueParent(member);
    if (next?.type !== AST_NODE_TYPES.CallExpression) return true;
    const name = memberName(member);
    const handler = name === 'catch' || name === 'finally' ? next.arguments[0] : name === 'then' ? next.arguments[1] : undefined;
    if (handler && referencesRelease(resource, handler)) return false;
    link = next;
  }
}

/** Whether a handler expression contains a release of the resource (by name, structurally). */
function referencesRelease(resource: Resource, handler: TSESTree.Node): boolean {
  return resource.variable.references.some((ref) => {
    if (!contains(handler, ref.identifier)) return false;
    const member = valueParent(ref.identifier);
    const name = member?.type === AST_NODE_TYPES.MemberExpression ? memberName(member) : undefined;
    const call = member ? valueParent(member) : undefined;
    return name !== undefined && call?.type === AST_NODE_TYPES.CallExpression && resource.vocabulary.ends(call, name);
  }) || resource.releasers.some((releaser) => releaser.references.some((ref) => contains(handler, ref.identifier)));
}

/** Calls that use the connection's session: on a released connection they run on someone else's. */
const SESSION_METHODS = new Set([
  ...QUERY_METHODS,
  'prepare',
  'unprepare',
  'ping',
  'batch',
  'queryStream',
  'stream',
  'beginTransaction',
  'commit',
  'rollback',
  'startTransaction',
  'commitTransaction',
  'rollbackTransaction',
  'changeUser',
  'copyFrom',
  'copyTo',
]);

/**
 * The released state of a connection, for use-after-release: it is "held" from each release in the
 * owner function until the variable is assigned again, and every call on the connection is a check.
 * A release is itself checked first (a second release). Continuation callbacks are not followed.
 */
export function trackReleasedState(connection: Resource): Resource {
  const state: Resource = {
    ...connection,
    events: new Map(),
    continuations: new Map(),
    atEntry: false,
    releaseCalls: [],
    mode: 'state',
  };
  const releases = new Set(connection.releaseCalls);
  for (const [anchor, events] of connection.events) {
    if (events.some((e) => e.type === 'acquire')) addEvent(state, anchor, { type: 'release', resource: state, how: 'release' });
  }
  for (const ref of connection.variable.references) {
    const id = ref.identifier;
    if (id.type !== AST_NODE_TYPES.Identifier || enclosingFunction(id) !== connection.owner) continue;
    if (ref.isWrite()) {
      const write = valueParent(id);
      if (write?.type === AST_NODE_TYPES.AssignmentExpression) addEvent(state, write, { type: 'release', resource: state, how: 'release' });
      continue;
    }
    const member = valueParent(id);
    if (member?.type !== AST_NODE_TYPES.MemberExpression) continue;
    const call = valueParent(member);
    if (call?.type !== AST_NODE_TYPES.CallExpression || skipTsWrappers(call.callee) !== member) continue;
    if (releases.has(call)) {
      const anchor = guardedAnchor(connection, call);
      addEvent(state, anchor, { type: 'check', resource: state, node: call });
      addEvent(state, anchor, { type: 'acquire', resource: state });
    } else if (SESSION_METHODS.has(memberName(member) ?? '')) {
      // Only calls that talk to the server on this connection: reading `id()` or `config` is harmless.
      addEvent(state, call, { type: 'check', resource: state, node: call });
    }
  }
  for (const call of connection.releaseCalls) {
    // Releases by argument (pool.releaseConnection(conn), done()): not calls on the connection itself.
    const receiver = methodCall(call)?.receiver;
    const onConnection = connection.variable.references.some((ref) => ref.identifier === receiver);
    if (!onConnection && enclosingFunction(call) === connection.owner) addEvent(state, call, { type: 'acquire', resource: state });
  }
  return state;
}

/** Finds or builds the resource for an acquisition node, or undefined if it needs no tracking. */
export function resourceFor(
  ctx: DriverContext,
  node: TSESTree.CallExpression | TSESTree.NewExpression,
): { acquisition: Acquisition; binding: Binding } | undefined {
  const acquisition = classifyAcquisition(ctx, node);
  if (!acquisition) return undefined;
  return { acquisition, binding: bindAcquisition(ctx, acquisition) };
}
