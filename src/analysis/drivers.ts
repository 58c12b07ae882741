/**
 * Recognises driver objects and acquisitions from imports, factories, constructors and receiver names.
 * Everything is syntactic and per file; results are cached per node and shared by all rules.
 */
import { AST_NODE_TYPES, TSESLint, type TSESTree } from '@typescript-eslint/utils';

const { DefinitionType } = TSESLint.Scope;

import { ACQUIRE_METHODS, DRIVER_PACKAGES, lookup, QUERY_METHODS, type DriverPackage, type ValueKind } from '../catalogue.js';
import { getSettings, type ResolvedSettings } from '../settings.js';
import { isFunction, methodCall, receiverName, skipTsWrappers, type FunctionNode } from './ast.js';
import { DRIVER_MODULES, scanText, type TextFacts } from './text.js';
import { createTypeOracle, type TypeOracle } from './types.js';

type Variable = TSESLint.Scope.Variable;

/** What a value was traced to. */
export interface Traced {
  readonly kind: ValueKind;
  /** The driver package, when the value was traced to one (undefined for `settings.poolModules`). */
  readonly pkg: DriverPackage | undefined;
}

/** A binding that refers to a driver package export. */
export interface ImportRef {
  readonly source: string;
  /** `*` for a namespace / whole-module require, `default`, or the imported name. */
  readonly imported: string;
}

/** How an acquisition hands its connection over. */
export type AcquisitionKind = 'checkout' | 'dedicated' | 'local' | 'transaction';

export interface Acquisition {
  readonly node: TSESTree.CallExpression | TSESTree.NewExpression;
  readonly kind: AcquisitionKind;
  /** The pool (or data source) expression, for checkouts. */
  readonly source: TSESTree.Expression | undefined;
  /** The acquiring method (`getConnection`, `connect`, `createConnection`, `Client`, ...). */
  readonly method: string;
  readonly pkg: DriverPackage | undefined;
  /** A method called on the value that must succeed before there is anything to release (`connect`). */
  readonly startMethod?: string;
}

/** Per-file analysis context shared by the rules. */
export interface DriverContext {
  readonly sourceCode: Readonly<TSESLint.SourceCode>;
  readonly settings: ResolvedSettings;
  /** Present in typed mode only. */
  readonly types?: TypeOracle;
  /** Whole-file facts (`fileFact`), by name. */
  readonly facts: Map<string, boolean>;
  /** What the text can hold (`textFacts`): scanned when first asked. */
  text: TextFacts | undefined;
  /** The last call `isCreationCandidate` answered for, and its answer (asked twice in a row per call). */
  readonly lastCandidate: { node: TSESTree.Node | undefined; result: boolean };
}

/**
 * The context of the file whose rules were created last. ESLint creates every rule of a file, one
 * after the other, before it lints the next, so each rule of a file finds the context the first one
 * made here; a WeakMap by SourceCode, asked and filled for every file, cost more than most rules'
 * whole create() on a file they skip. (Were the rules of two files ever created in turns, each would
 * make a context of its own: the same answers, computed again.) It keeps the last file's SourceCode
 * alive until the next file, as ESLint's Linter does.
 */
let lastContext: DriverContext | undefined;

/**
 * The analysis context of a file: settings, whole-file facts, and the type oracle in typed mode.
 * One per file and settings, shared by the rules that lint the file.
 */
export function driverContext(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): DriverContext {
  const settings = getSettings(context);
  const sourceCode = context.sourceCode;
  if (lastContext?.sourceCode === sourceCode && lastContext.settings === settings) return lastContext;
  const ctx: DriverContext = settings.typed
    ? { sourceCode, settings, types: createTypeOracle(context), facts: new Map(), text: undefined, lastCandidate: { node: undefined, result: false } }
    : { sourceCode, settings, facts: new Map(), text: undefined, lastCandidate: { node: undefined, result: false } };
  lastContext = ctx;
  return ctx;
}

const acquisitionCache = new WeakMap<TSESTree.Node, Acquisition | null>();
const localAcquirerCache = new WeakMap<FunctionNode, boolean>();

const variableCache = new WeakMap<TSESTree.Identifier, Variable | null>();

/**
 * A fact about the whole text of the file (`compute` runs once per file and settings, whichever rule
 * asks first): the fast paths that let a rule skip a file, or a question, at no cost per node.
 */
export function fileFact(ctx: DriverContext, key: string, compute: (text: string, settings: ResolvedSettings) => boolean): boolean {
  const known = ctx.facts.get(key);
  if (known !== undefined) return known;
  const value = compute(ctx.sourceCode.text, ctx.settings);
  ctx.facts.set(key, value);
  return value;
}

/** What the text of the file can hold (text.ts), scanned once per file and settings, whichever rule asks first. */
export function textFacts(ctx: DriverContext): TextFacts {
  return (ctx.text ??= scanText(ctx.sourceCode.text, ctx.settings));
}

/**
 * A fast path for whole files: whether the text names anything that can acquire a connection, or
 * imports a driver (whose factories and classes can be imported under any name:
 * `import { createConnection as open } from 'mysql2/promise'`). A file that does neither is left alone
 * without walking its code paths (most files of most projects), and creates no driver object either
 * (every creation is an acquisition or built from a driver import), which the rules about pools and
 * connections skip it on.
 */
export function mayAcquire(ctx: DriverContext): boolean {
  return fileFact(ctx, 'mayAcquire', () => textFacts(ctx).acquire || mayImportDriver(ctx));
}

/**
 * A module specifier of DRIVER_PACKAGES (`'pg'`, `"mysql2/promise"`) right after `from`, `require`,
 * `import` or the end of a comment (`import(/* the driver *\/ 'pg')`: a maybe), with white space and
 * parentheses between: the text scan for files the syntax alone cannot answer for (`driverImports`).
 */
const IMPORTED_DRIVER = new RegExp(`(?:\\b(?:from|require|import)|/)[\\s(]*['"\`](?:${DRIVER_MODULES})['"\`]`);

/** A dynamic `import(...)` (or `import` before a comment): its module is found by no scope. */
const MAY_IMPORT_DYNAMICALLY = /\bimport\s*(?:\(|\/[*/])/;

/** What a file imports from drivers, as `importOf` traces bindings (see `driverImports`). */
export interface DriverImports {
  /** Whether the file can import or require anything from a driver package or `settings.poolModules`. */
  readonly any: boolean;
  /**
   * The names that can be bound to an import of a driver package (a superset: every name declared by
   * a declaration that imports or requires one).
   */
  readonly names: ReadonlySet<string>;
}

const importsCache = new WeakMap<DriverContext, DriverImports>();

const NO_IMPORTS: DriverImports = { any: false, names: new Set() };

/**
 * The driver imports of a file, read from its syntax once per file: the import declarations of the
 * program (and of `declare module` blocks), and every `require('...')` call, found as the references
 * to a name `require` in the scopes (resolved or not). `importOf` traces a binding to a module through
 * nothing else, except `import('...')`, which no scope holds: a file that can hold one (or whose
 * scopes are missing) is read as before this existed, by a text scan and every variable's `importOf`.
 * So a module name in a comment or a string (`type: 'mysql'`, common in ORMs) is no import.
 */
export function driverImports(ctx: DriverContext): DriverImports {
  let imports = importsCache.get(ctx);
  if (!imports) {
    imports = computeDriverImports(ctx);
    importsCache.set(ctx, imports);
  }
  return imports;
}

function computeDriverImports(ctx: DriverContext): DriverImports {
  const { sourceCode, settings } = ctx;
  const scopeManager = sourceCode.scopeManager;
  const text = sourceCode.text;
  // A driver module is spelled as a string (text.ts: QUOTED_DRIVER) in every import, require or
  // `import()` that `importOf` traces: a file without one, and without a module of
  // `settings.poolModules`, imports nothing from drivers, and its syntax is not read.
  if (!textFacts(ctx).quotedDriver) return NO_IMPORTS;
  if (!scopeManager || MAY_IMPORT_DYNAMICALLY.test(text)) {
    const names = new Set<string>();
    let any = IMPORTED_DRIVER.test(text);
    for (const source of settings.poolModules) if (text.includes(source)) any = true;
    if (any && scopeManager) {
      for (const scope of scopeManager.scopes) {
        for (const variable of scope.variables) {
          const source = variable.defs.length > 0 ? importOf(variable)?.source : undefined;
          if (source !== undefined && lookup(DRIVER_PACKAGES, source)) names.add(variable.name);
        }
      }
    }
    return { any, names };
  }
  const names = new Set<string>();
  let any = false;
  const note = (source: string, declared: () => Iterable<string>): void => {
    const driver = lookup(DRIVER_PACKAGES, source) !== undefined;
    if (!driver && !settings.poolModules.has(source)) return;
    any = true;
    if (driver) for (const name of declared()) names.add(name);
  };
  const statements = (body: readonly TSESTree.Node[]): void => {
    for (const statement of body) {
      const node = statement.type === AST_NODE_TYPES.ExportNamedDeclaration && statement.declaration ? statement.declaration : statement;
      if (node.type === AST_NODE_TYPES.ImportDeclaration) {
        note(node.source.value, () => node.specifiers.map((spec) => spec.local.name));
      } else if (node.type === AST_NODE_TYPES.TSImportEqualsDeclaration) {
        const ref = node.moduleReference;
        if (ref.type === AST_NODE_TYPES.TSExternalModuleReference) note(ref.expression.value, () => [node.id.name]);
      } else if (node.type === AST_NODE_TYPES.TSModuleDeclaration && node.body?.type === AST_NODE_TYPES.TSModuleBlock) {
        statements(node.body.body);
      }
    }
  };
  statements(sourceCode.ast.body);
  const requireCall = (identifier: TSESTree.Identifier | TSESTree.JSXIdentifier): void => {
    const call = identifier.parent;
    if (call.type !== AST_NODE_TYPES.CallExpression || call.callee !== identifier) return;
    const source = requiredModule(call);
    if (source !== undefined) note(source, () => requiringDeclaration(scopeManager, call));
  };
  for (const reference of scopeManager.globalScope?.through ?? []) {
    if (reference.identifier.name === 'require') requireCall(reference.identifier);
  }
  for (const scope of scopeManager.scopes) {
    for (const reference of scope.set.get('require')?.references ?? []) requireCall(reference.identifier);
  }
  return { any, names };
}

/** The names declared by the declaration whose initialiser is `call` (`const pg = require('pg')`, `const { Pool } = require('pg')`, `const Pool = require('pg').Pool`). */
function requiringDeclaration(scopeManager: TSESLint.Scope.ScopeManager, call: TSESTree.CallExpression): string[] {
  let value: TSESTree.Node = call;
  let parent: TSESTree.Node | undefined = call.parent;
  while (parent && (skipTsWrappers(parent) !== parent || parent.type === AST_NODE_TYPES.AwaitExpression || (parent.type === AST_NODE_TYPES.MemberExpression && parent.object === value))) {
    value = parent;
    parent = parent.parent;
  }
  if (parent?.type !== AST_NODE_TYPES.VariableDeclarator || parent.init !== value) return [];
  return scopeManager.getDeclaredVariables(parent).map((variable) => variable.name);
}

/**
 * Whether the file can import or require anything from a driver package or `settings.poolModules`
 * (`driverImports`). When it cannot, no identifier of it refers to a driver export, and that question
 * needs no scope lookup.
 */
export function mayImportDriver(ctx: DriverContext): boolean {
  return driverImports(ctx).any;
}

/** The variable an identifier refers to, from the innermost scope of the identifier. Cached per node. */
export function resolveVariable(ctx: DriverContext, node: TSESTree.Identifier): Variable | null {
  const cached = variableCache.get(node);
  if (cached !== undefined) return cached;
  // By name from the node's own scope: passing the node would search the scope's children for the
  // innermost one again, linear in their number.
  const variable = findVariable(ctx.sourceCode.getScope(node), node.name);
  variableCache.set(node, variable);
  return variable;
}

type Scope = TSESLint.Scope.Scope;

/** Per scope, what each name looked up from it resolves to. */
const scopeLookups = new WeakMap<Scope, Map<string, Variable | null>>();

/**
 * `ASTUtils.findVariable(scope, name)` (the nearest scope up the chain that declares the name),
 * memoised on every scope of the walk: a name looked up from callbacks nested thousands deep is found
 * in amortised constant time, not by walking the whole chain each time.
 */
function findVariable(scope: Scope, name: string): Variable | null {
  const walked: Scope[] = [];
  let found: Variable | null = null;
  for (let current: Scope | null = scope; current; current = current.upper) {
    const known = scopeLookups.get(current)?.get(name);
    if (known !== undefined) {
      found = known;
      break;
    }
    walked.push(current);
    const declared = current.set.get(name);
    if (declared) {
      found = declared;
      break;
    }
  }
  for (const current of walked) {
    let names = scopeLookups.get(current);
    if (!names) {
      names = new Map();
      scopeLookups.set(current, names);
    }
    names.set(name, found);
  }
  return found;
}

/** Where a variable was imported or required from, if it was. */
export function importOf(variable: Variable): ImportRef | undefined {
  const def = variable.defs[0];
  if (!def) return undefined;
  if (def.type === DefinitionType.ImportBinding) {
    const decl = def.parent;
    if (decl.type === AST_NODE_TYPES.TSImportEqualsDeclaration) {
      // import pg = require('pg');
      const ref = decl.moduleReference;
      return ref.type === AST_NODE_TYPES.TSExternalModuleReference
        ? { source: ref.expression.value, imported: '*' }
        : undefined;
    }
    const spec = def.node;
    if (spec.type === AST_NODE_TYPES.ImportNamespaceSpecifier) return { source: decl.source.value, imported: '*' };
    if (spec.type === AST_NODE_TYPES.ImportDefaultSpecifier) return { source: decl.source.value, imported: 'default' };
    if (spec.type !== AST_NODE_TYPES.ImportSpecifier) return undefined;
    const imported = spec.imported.type === AST_NODE_TYPES.Identifier ? spec.imported.name : spec.imported.value;
    return { source: decl.source.value, imported };
  }
  if (def.type !== DefinitionType.Variable) return undefined;
  const declarator = def.node;
  if (!declarator.init) return undefined;
  const init = skipTsWrappers(declarator.init);
  const required = requiredModule(init);
  if (required !== undefined) {
    if (declarator.id.type === AST_NODE_TYPES.Identifier) return { source: required, imported: '*' };
    if (declarator.id.type === AST_NODE_TYPES.ObjectPattern) {
      for (const prop of declarator.id.properties) {
        if (prop.type !== AST_NODE_TYPES.Property || prop.key.type !== AST_NODE_TYPES.Identifier) continue;
        const value = prop.value.type === AST_NODE_TYPES.AssignmentPattern ? prop.value.left : prop.value;
        if (value.type === AST_NODE_TYPES.Identifier && value.name === variable.name) {
          return { source: required, imported: prop.key.name };
        }
      }
    }
    return undefined;
  }
  // const Pool = require('pg').Pool;  const mysql = require('mysql2').promise?
  if (init.type === AST_NODE_TYPES.MemberExpression && !init.computed && init.property.type === AST_NODE_TYPES.Identifier) {
    const source = requiredModule(skipTsWrappers(init.object));
    if (source !== undefined && declarator.id.type === AST_NODE_TYPES.Identifier) {
      return { source, imported: init.property.name };
    }
  }
  return undefined;
}

/** `'pg'` for `require('pg')` or `await import('pg')`. */
function requiredModule(node: TSESTree.Node): string | undefined {
  let target = node;
  if (target.type === AST_NODE_TYPES.AwaitExpression) target = skipTsWrappers(target.argument);
  if (target.type === AST_NODE_TYPES.ImportExpression) {
    return target.source.type === AST_NODE_TYPES.Literal && typeof target.source.value === 'string' ? target.source.value : undefined;
  }
  if (
    target.type === AST_NODE_TYPES.CallExpression &&
    target.callee.type === AST_NODE_TYPES.Identifier &&
    target.callee.name === 'require' &&
    target.arguments[0]?.type === AST_NODE_TYPES.Literal &&
    typeof target.arguments[0].value === 'string'
  ) {
    return target.arguments[0].value;
  }
  return undefined;
}

/**
 * Traces an expression to a driver object, if it can be traced: syntactically (imports, factories,
 * constructors), and in typed mode by its declared type.
 */
export function traceValue(ctx: DriverContext, node: TSESTree.Node, depth = 0): Traced | undefined {
  const traced = traceSyntactically(ctx, node, depth);
  if (traced || !ctx.types || depth > 0) return traced;
  const typed = ctx.types.kindOf(node);
  return typed?.known ? { kind: typed.kind, pkg: typed.pkg } : undefined;
}

/**
 * Syntactic tracing only: for questions asked about every call of a file (is this a pool creation?),
 * where a type query per call would cost more than it could add.
 */
export function traceSyntax(ctx: DriverContext, node: TSESTree.Node): Traced | undefined {
  return traceSyntactically(ctx, node, 0);
}

/** Whether typed mode knows the value is not a driver object (so name heuristics must not apply). */
export function typedNotDriver(ctx: DriverContext, node: TSESTree.Node): boolean {
  return ctx.types?.kindOf(node)?.known === false;
}

function traceSyntactically(ctx: DriverContext, node: TSESTree.Node, depth: number): Traced | undefined {
  if (depth > 6) return undefined;
  const target = skipTsWrappers(node);
  switch (target.type) {
    case AST_NODE_TYPES.Identifier:
      return traceIdentifier(ctx, target, depth);
    case AST_NODE_TYPES.AwaitExpression:
      return traceValue(ctx, target.argument, depth + 1);
    case AST_NODE_TYPES.CallExpression:
      return traceCall(ctx, target, depth);
    case AST_NODE_TYPES.NewExpression: {
      const ctor = constructorOf(ctx, target.callee, depth);
      return ctor;
    }
    case AST_NODE_TYPES.MemberExpression: {
      // `pg.Pool` used as a value is a constructor, not an object: nothing to trace.
      return undefined;
    }
    default:
      return undefined;
  }
}

function traceIdentifier(ctx: DriverContext, node: TSESTree.Identifier, depth: number): Traced | undefined {
  const variable = resolveVariable(ctx, node);
  if (!variable) return undefined;
  const ref = importOf(variable);
  if (ref) {
    const pkg = lookup(DRIVER_PACKAGES, ref.source);
    if (pkg && (ref.imported === '*' || ref.imported === 'default')) return { kind: 'module', pkg };
    if (ctx.settings.poolModules.has(ref.source)) return { kind: 'pool', pkg: undefined };
    return undefined;
  }
  // A single-assignment variable: trace its initialiser.
  const def = variable.defs[0];
  if (variable.defs.length !== 1 || def?.type !== DefinitionType.Variable) return undefined;
  const declarator = def.node;
  if (declarator.id.type !== AST_NODE_TYPES.Identifier || !declarator.init) return undefined;
  return traceValue(ctx, declarator.init, depth + 1);
}

function traceCall(ctx: DriverContext, node: TSESTree.CallExpression, depth: number): Traced | undefined {
  const call = methodCall(node);
  if (call) {
    if (call.name === 'promise') return traceValue(ctx, call.receiver, depth + 1);
    const receiver = traceValue(ctx, call.receiver, depth + 1);
    if (receiver?.kind === 'module' && receiver.pkg) {
      const kind = lookup(receiver.pkg.factories, call.name);
      return kind ? { kind, pkg: receiver.pkg } : undefined;
    }
    return undefined;
  }
  const callee = skipTsWrappers(node.callee);
  if (callee.type === AST_NODE_TYPES.Identifier) {
    const ref = importedDriverName(ctx, callee);
    if (ref) {
      const kind = lookup(ref.pkg.factories, ref.imported);
      return kind ? { kind, pkg: ref.pkg } : undefined;
    }
  }
  return undefined;
}

/** The module an identifier was imported or required from (`'pg'`), if it was. */
export function importSource(ctx: DriverContext, node: TSESTree.Identifier): string | undefined {
  const variable = resolveVariable(ctx, node);
  return variable ? importOf(variable)?.source : undefined;
}

/** Whether an identifier was imported or required from a driver package or from `settings.poolModules`. */
export function importedFromDriver(ctx: DriverContext, node: TSESTree.Identifier): boolean {
  if (!mayImportDriver(ctx)) return false;
  // No scope lookup for a name that no driver import declares (most calls of a database file).
  if (ctx.settings.poolModules.size === 0 && !driverImports(ctx).names.has(node.name)) return false;
  const source = importSource(ctx, node);
  return source !== undefined && (lookup(DRIVER_PACKAGES, source) !== undefined || ctx.settings.poolModules.has(source));
}

/** What `new X()` builds, for `X` imported from a driver (`Pool`, `Client`, `pg.Pool`, `sql.ConnectionPool`). */
function constructorOf(ctx: DriverContext, callee: TSESTree.Node, depth: number): Traced | undefined {
  const target = skipTsWrappers(callee);
  if (target.type === AST_NODE_TYPES.Identifier) {
    const ref = importedDriverName(ctx, target);
    if (!ref) return undefined;
    const kind = lookup(ref.pkg.constructors, ref.imported);
    return kind ? { kind, pkg: ref.pkg } : undefined;
  }
  if (target.type === AST_NODE_TYPES.MemberExpression && !target.computed && target.property.type === AST_NODE_TYPES.Identifier) {
    // Syntactically a driver module is always an import (`new pg.Pool()`); `new x_1.Thing()` in
    // compiled code is the common case, and needs no lookup when the file imports no driver.
    if (!ctx.types && !mayImportDriver(ctx)) return undefined;
    const owner = traceValue(ctx, target.object, depth + 1);
    if (owner?.kind !== 'module' || !owner.pkg) return undefined;
    const kind = lookup(owner.pkg.constructors, target.property.name);
    return kind ? { kind, pkg: owner.pkg } : undefined;
  }
  return undefined;
}

function importedDriverName(
  ctx: DriverContext,
  node: TSESTree.Identifier,
): { pkg: DriverPackage; imported: string } | undefined {
  if (!mayImportDriver(ctx) || !driverImports(ctx).names.has(node.name)) return undefined;
  const variable = resolveVariable(ctx, node);
  const ref = variable ? importOf(variable) : undefined;
  const pkg = ref ? lookup(DRIVER_PACKAGES, ref.source) : undefined;
  return ref && pkg ? { pkg, imported: ref.imported } : undefined;
}

/**
 * Classifies a call or `new` as an acquisition of a connection that the caller must release, or
 * returns undefined. Cached per node.
 */
export function classifyAcquisition(
  ctx: DriverContext,
  node: TSESTree.CallExpression | TSESTree.NewExpression,
): Acquisition | undefined {
  // Most calls of a file are method calls whose name acquires nothing: no cache entry for those.
  if (node.type === AST_NODE_TYPES.CallExpression) {
    const call = methodCall(node);
    if (call ? !mayAcquireByName(ctx, call.name) : skipTsWrappers(node.callee).type !== AST_NODE_TYPES.Identifier) return undefined;
  }
  const cached = acquisitionCache.get(node);
  if (cached !== undefined) return cached ?? undefined;
  const result = computeAcquisition(ctx, node) ?? null;
  acquisitionCache.set(node, result);
  return result ?? undefined;
}

function computeAcquisition(
  ctx: DriverContext,
  node: TSESTree.CallExpression | TSESTree.NewExpression,
): Acquisition | undefined {
  if (node.type === AST_NODE_TYPES.NewExpression) {
    const built = constructorOf(ctx, node.callee, 0);
    if (built?.kind !== 'connection') return undefined;
    const callee = skipTsWrappers(node.callee);
    const method = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression && callee.property.type === AST_NODE_TYPES.Identifier ? callee.property.name : 'new';
    return { node, kind: 'dedicated', source: undefined, method, pkg: built.pkg, startMethod: 'connect' };
  }
  const call = methodCall(node);
  if (call) return methodAcquisition(ctx, node, call.name, call.receiver);
  const callee = skipTsWrappers(node.callee);
  if (callee.type !== AST_NODE_TYPES.Identifier) return undefined;
  const imported = importedDriverName(ctx, callee);
  if (imported) {
    return lookup(imported.pkg.factories, imported.imported) === 'connection'
      ? { node, kind: 'dedicated', source: undefined, method: imported.imported, pkg: imported.pkg }
      : undefined;
  }
  const fn = localFunction(ctx, callee);
  if (fn && isLocalAcquirer(ctx, fn)) {
    return { node, kind: 'local', source: undefined, method: callee.name, pkg: undefined };
  }
  return undefined;
}

/** Method names that create a dedicated connection when called on a driver module. */
const CONNECTION_FACTORIES = new Set(
  Object.values(DRIVER_PACKAGES).flatMap((pkg) => Object.keys(pkg.factories).filter((name) => pkg.factories[name] === 'connection')),
);

const acquiringMethodsCache = new WeakMap<ResolvedSettings, ReadonlySet<string>>();

/** The method names that can acquire a connection at all (ACQUIRE_METHODS, connection factories, settings). */
export function acquiringMethods(ctx: DriverContext): ReadonlySet<string> {
  let names = acquiringMethodsCache.get(ctx.settings);
  if (!names) {
    names = new Set([...Object.keys(ACQUIRE_METHODS), ...CONNECTION_FACTORIES, ...ctx.settings.acquire]);
    acquiringMethodsCache.set(ctx.settings, names);
  }
  return names;
}

const queryMethodsCache = new WeakMap<ResolvedSettings, ReadonlySet<string>>();

/** The query method names of the stale-connection rules (QUERY_METHODS and `settings.query`). */
export function queryMethods(ctx: DriverContext): ReadonlySet<string> {
  let names = queryMethodsCache.get(ctx.settings);
  if (!names) {
    names = new Set([...QUERY_METHODS, ...ctx.settings.query]);
    queryMethodsCache.set(ctx.settings, names);
  }
  return names;
}

/** Whether a method of this name can acquire a connection at all. */
function mayAcquireByName(ctx: DriverContext, method: string): boolean {
  return acquiringMethods(ctx).has(method);
}

function methodAcquisition(
  ctx: DriverContext,
  node: TSESTree.CallExpression,
  method: string,
  receiver: TSESTree.Expression,
): Acquisition | undefined {
  const traced = traceValue(ctx, receiver);
  if (traced?.kind === 'module' && traced.pkg && lookup(traced.pkg.factories, method) === 'connection') {
    return { node, kind: 'dedicated', source: undefined, method, pkg: traced.pkg };
  }
  const known = lookup(ACQUIRE_METHODS, method);
  if (known) {
    const startMethod = method === 'createQueryRunner' ? 'connect' : undefined;
    if (traced) {
      return known.on.includes(traced.kind) ? { node, kind: 'checkout', source: receiver, method, pkg: traced.pkg, ...(startMethod && { startMethod }) } : undefined;
    }
    // Name heuristics, unless typed mode knows better.
    const name = typedNotDriver(ctx, receiver) ? undefined : receiverName(receiver);
    return name !== undefined && known.receiverName.test(name)
      ? { node, kind: 'checkout', source: receiver, method, pkg: undefined, ...(startMethod && { startMethod }) }
      : undefined;
  }
  if (ctx.settings.acquire.has(method) && (traced === undefined || traced.kind === 'pool')) {
    return { node, kind: 'checkout', source: receiver, method, pkg: traced?.pkg };
  }
  return undefined;
}

/** The function a local identifier names (`function f(){}` or `const f = () => {}`), if any. */
export function localFunction(ctx: DriverContext, node: TSESTree.Identifier): FunctionNode | undefined {
  const variable = resolveVariable(ctx, node);
  if (variable?.defs.length !== 1) return undefined;
  const def = variable.defs[0];
  if (!def) return undefined;
  if (def.type === DefinitionType.FunctionName && isFunction(def.node)) return def.node;
  if (def.type === DefinitionType.Variable) {
    const declarator = def.node;
    const init = declarator.init ? skipTsWrappers(declarator.init) : undefined;
    if (isFunction(init) && declarator.parent.kind === 'const') return init;
  }
  return undefined;
}

/**
 * A local function whose every returned value is a fresh acquisition (`return pool.getConnection()`):
 * its call sites are acquisitions themselves.
 */
function isLocalAcquirer(ctx: DriverContext, fn: FunctionNode): boolean {
  const cached = localAcquirerCache.get(fn);
  if (cached !== undefined) return cached;
  localAcquirerCache.set(fn, false); // recursion guard
  const returned = returnedExpressions(fn);
  const result =
    returned.length > 0 &&
    returned.every((expr) => {
      const value = skipTsWrappers(expr);
      const inner = value.type === AST_NODE_TYPES.AwaitExpression ? skipTsWrappers(value.argument) : value;
      return (
        (inner.type === AST_NODE_TYPES.CallExpression || inner.type === AST_NODE_TYPES.NewExpression) &&
        classifyAcquisition(ctx, inner) !== undefined
      );
    });
  localAcquirerCache.set(fn, result);
  return result;
}

/** The expressions a function returns (not looking into nested functions). */
function returnedExpressions(fn: FunctionNode): TSESTree.Expression[] {
  if (fn.body.type !== AST_NODE_TYPES.BlockStatement) return [fn.body];
  const found: TSESTree.Expression[] = [];
  const visit = (node: TSESTree.Node): void => {
    if (node.type === AST_NODE_TYPES.ReturnStatement) {
      if (node.argument) found.push(node.argument);
      else found.push(node as unknown as TSESTree.Expression); // bare return: not an acquisition
      return;
    }
    if (isFunction(node) || node.type === AST_NODE_TYPES.ClassBody) return;
    for (const child of childStatements(node)) visit(child);
  };
  for (const statement of fn.body.body) visit(statement);
  return found;
}

/** Statement-level children, enough to find `return` statements. */
function childStatements(node: TSESTree.Node): TSESTree.Node[] {
  switch (node.type) {
    case AST_NODE_TYPES.BlockStatement:
      return node.body;
    case AST_NODE_TYPES.IfStatement:
      return node.alternate ? [node.consequent, node.alternate] : [node.consequent];
    case AST_NODE_TYPES.TryStatement:
      return [node.block, ...(node.handler ? [node.handler.body] : []), ...(node.finalizer ? [node.finalizer] : [])];
    case AST_NODE_TYPES.ForStatement:
    case AST_NODE_TYPES.ForInStatement:
    case AST_NODE_TYPES.ForOfStatement:
    case AST_NODE_TYPES.WhileStatement:
    case AST_NODE_TYPES.DoWhileStatement:
    case AST_NODE_TYPES.LabeledStatement:
      return [node.body];
    case AST_NODE_TYPES.SwitchStatement:
      return node.cases.flatMap((c) => c.consequent);
    default:
      return [];
  }
}
