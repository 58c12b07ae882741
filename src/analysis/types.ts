/**
 * Typed mode: classifies values by their declared types from the driver packages, so that a pool
 * imported from another module, a connection passed as a typed parameter, or a pool named `db2` are
 * recognised, and unrelated objects named like pools are not. Only used when the user opts in
 * (`settings['db-guard'].typed`, set by `configs['recommended-type-checked']`).
 */
import { AST_NODE_TYPES, ESLintUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import type * as ts from 'typescript';

import { DRIVER_PACKAGES, lookup, type DriverPackage, type ValueKind } from '../catalogue.js';
import { NAMESPACE } from '../version.js';

/** Where a declaration lives, and which type names there are which kind of driver object. */
interface TypedPackage {
  readonly path: RegExp;
  readonly pkg: string;
  readonly names: Readonly<Record<string, ValueKind>>;
}

const TYPED_PACKAGES: readonly TypedPackage[] = [
  {
    path: /[\\/]node_modules[\\/]mysql2[\\/]/,
    pkg: 'mysql2',
    names: { Pool: 'pool', PoolCluster: 'pool', PoolNamespace: 'pool', Connection: 'connection', PoolConnection: 'connection' },
  },
  {
    path: /[\\/]node_modules[\\/](?:@types[\\/])?mysql[\\/]/,
    pkg: 'mysql',
    names: { Pool: 'pool', PoolCluster: 'pool', PoolNamespace: 'pool', Connection: 'connection', PoolConnection: 'connection' },
  },
  {
    path: /[\\/]node_modules[\\/]mariadb[\\/]/,
    pkg: 'mariadb',
    names: { Pool: 'pool', PoolCluster: 'pool', FilteredPoolCluster: 'pool', Connection: 'connection', PoolConnection: 'connection' },
  },
  {
    path: /[\\/]node_modules[\\/](?:@types[\\/])?pg(?:-pool)?[\\/]/,
    pkg: 'pg',
    names: { Pool: 'pool', PoolClient: 'connection', Client: 'connection', ClientBase: 'connection' },
  },
  {
    path: /[\\/]node_modules[\\/]typeorm[\\/]/,
    pkg: 'typeorm',
    names: { DataSource: 'dataSource', Connection: 'dataSource', QueryRunner: 'connection' },
  },
  { path: /[\\/]node_modules[\\/](?:@types[\\/])?oracledb[\\/]/, pkg: 'oracledb', names: { Pool: 'pool', Connection: 'connection' } },
  { path: /[\\/]node_modules[\\/](?:@types[\\/])?mssql[\\/]/, pkg: 'mssql', names: { ConnectionPool: 'connection' } },
  { path: /[\\/]node_modules[\\/]generic-pool[\\/]/, pkg: 'generic-pool', names: { Pool: 'pool' } },
  { path: /[\\/]node_modules[\\/]tarn[\\/]/, pkg: 'tarn', names: { Pool: 'pool' } },
  { path: /[\\/]node_modules[\\/]knex[\\/]/, pkg: 'knex', names: { Client: 'pool' } },
];

/** What the types say about a value. */
export type TypedKind =
  | { readonly known: true; readonly kind: ValueKind; readonly pkg: DriverPackage | undefined }
  /** Typed, and not a driver object. */
  | { readonly known: false }
  /** `any` or `unknown`: the types cannot tell; the syntactic rules apply. */
  | undefined;

export interface TypeOracle {
  kindOf(node: TSESTree.Node): TypedKind;
}

export class TypedModeError extends Error {
  constructor() {
    super(
      `settings['${NAMESPACE}'].typed needs type information: set languageOptions.parserOptions.projectService (or project) ` +
        `for these files, or use configs['recommended-type-checked'], which does.`,
    );
    this.name = 'TypedModeError';
  }
}

/** The type oracle of a file, or throws a clear error if typed mode is on without type information. */
export function createTypeOracle(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): TypeOracle {
  const services = ESLintUtils.getParserServices(context, true);
  if (!services.program) throw new TypedModeError();
  const program = services.program;
  const cached = oracles.get(program);
  if (cached) return cached;
  const checker = program.getTypeChecker();
  const byNode = new WeakMap<TSESTree.Node, TypedKind | null>();
  const bySymbol = new Map<ts.Symbol, TypedKind | null>();
  const byType = new Map<ts.Type, TypedKind | null>();
  const ofType = (type: ts.Type): TypedKind => {
    const hit = byType.get(type);
    if (hit !== undefined) return hit ?? undefined;
    const result = classifyType(checker, type);
    byType.set(type, result ?? null);
    return result;
  };
  const oracle: TypeOracle = {
    kindOf(node) {
      const hit = byNode.get(node);
      if (hit !== undefined) return hit ?? undefined;
      const result = declaredKind(node) ?? ofType(services.getTypeAtLocation(node));
      byNode.set(node, result ?? null);
      return result;
    },
  };
  /**
   * For a name (`pool`, `this.pool`): the declared type of what it names, once per symbol. Cheaper
   * than the type at the location, which narrows by control flow at every reference; a pool is a pool
   * on every path.
   */
  function declaredKind(node: TSESTree.Node): TypedKind | undefined {
    if (node.type !== AST_NODE_TYPES.Identifier && node.type !== AST_NODE_TYPES.MemberExpression) return undefined;
    const tsNode = services.esTreeNodeToTSNodeMap.get(node);
    let symbol = checker.getSymbolAtLocation(tsNode);
    if (!symbol) return undefined;
    if (symbol.flags & ALIAS) symbol = checker.getAliasedSymbol(symbol);
    const hit = bySymbol.get(symbol);
    if (hit !== undefined) return hit ?? undefined;
    const result = ofType(checker.getTypeOfSymbol(symbol));
    bySymbol.set(symbol, result ?? null);
    return result;
  }
  oracles.set(program, oracle);
  return oracle;
}

/** One oracle per program (shared by the rules of a run: their caches are the same questions). */
const oracles = new WeakMap<ts.Program, TypeOracle>();

const ALIAS = 2_097_152; // ts.SymbolFlags.Alias

const ANY_OR_UNKNOWN = 1 | 2; // ts.TypeFlags.Any | ts.TypeFlags.Unknown

function classifyType(checker: ts.TypeChecker, type: ts.Type): TypedKind {
  const target = checker.getNonNullableType(type);
  if (target.flags & ANY_OR_UNKNOWN) return undefined;
  const parts = target.isUnion() ? target.types : [target];
  let result: TypedKind = { known: false };
  for (const part of parts) {
    const kind = classifyPart(part);
    if (!kind.known) return { known: false };
    if (result.known && result.kind !== kind.kind) return { known: false };
    result = kind;
  }
  return result;
}

function classifyPart(type: ts.Type): Exclude<TypedKind, undefined> {
  for (const symbol of [type.aliasSymbol, type.getSymbol()]) {
    if (!symbol) continue;
    const file = symbol.declarations?.[0]?.getSourceFile().fileName;
    if (file === undefined) continue;
    for (const entry of TYPED_PACKAGES) {
      if (!entry.path.test(file)) continue;
      const kind = lookup(entry.names, symbol.getName());
      if (kind) return { known: true, kind, pkg: lookup(DRIVER_PACKAGES, entry.pkg) };
    }
  }
  return { known: false };
}
