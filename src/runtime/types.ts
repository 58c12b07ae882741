/**
 * Type-level reading of the drivers' own declarations, so that the helpers hand back the driver's
 * types (`PoolClient`, `PoolConnection`, `QueryResult<R>`, `[rows, fields]`) without importing any
 * driver. Everything here is erased at compile time.
 */

/** Up to eight call signatures of an overloaded function, as `[parameters, return type]` pairs. */
type Signatures<F> = F extends {
  (...a: infer A1): infer R1;
  (...a: infer A2): infer R2;
  (...a: infer A3): infer R3;
  (...a: infer A4): infer R4;
  (...a: infer A5): infer R5;
  (...a: infer A6): infer R6;
  (...a: infer A7): infer R7;
  (...a: infer A8): infer R8;
}
  ? [A1, R1] | [A2, R2] | [A3, R3] | [A4, R4] | [A5, R5] | [A6, R6] | [A7, R7] | [A8, R8]
  : never;

type IsAny<T> = 0 extends 1 & T ? true : false;

/** Keeps the signatures whose first parameter accepts a SQL string. */
type StatementSignatures<S> = S extends [infer A extends unknown[], unknown]
  ? unknown[] extends A
    ? never
    : string extends A[0]
      ? S
      : never
  : never;

/** What a signature's promise resolves to. */
type PromiseValue<S> = S extends [unknown[], infer R] ? (R extends PromiseLike<infer V> ? V : never) : never;

/** What a signature's node-style callback receives after the error: one value, or `[value, extra]`. */
type CallbackValue<S> = S extends [infer A extends unknown[], unknown]
  ? CallbackArgs<NonNullable<A[number]>>
  : never;

type CallbackArgs<P> =
  IsAny<P> extends true
    ? never
    : P extends (err: never, ...rest: infer Rest) => unknown
      ? Required<Rest> extends [infer Value]
        ? Value
        : Required<Rest> extends [infer Value, infer Extra, ...unknown[]]
          ? [Value, Extra | Rest[1]]
          : never
      : never;

/** What calling a (possibly overloaded, possibly callback-style) driver method yields. */
type Yielded<S> = [PromiseValue<S>] extends [never] ? CallbackValue<S> : PromiseValue<S>;

/** `unknown` where a driver's own default is `any` (mariadb's `query<T = any>`). */
type AnyIfUnknown<T> = unknown extends T ? any : T; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The result a connection's `query` (or `execute`) resolves to: mysql2/promise `[QueryResult,
 * FieldPacket[]]`, pg `QueryResult`, mariadb `any`; callback connections (mysql, mysql2) resolve to
 * `[results, fields]` like mysql2's promise API.
 */
export type ResultOf<C, M extends 'query' | 'execute' = 'query'> = OrDefault<
  AnyIfUnknown<Yielded<StatementSignatures<Signatures<MethodOf<C, M>>>>>,
  unknown
>;

type MethodOf<C, M extends 'query' | 'execute'> = C extends Record<M, infer F>
  ? F
  : C extends { query: infer Q }
    ? Q
    : never;

/** Keeps the signatures that yield a value (a promise, or a node-style callback). */
type YieldingSignatures<S> = S extends [infer A extends unknown[], unknown]
  ? unknown[] extends A
    ? never
    : [Yielded<S>] extends [never]
      ? never
      : S
  : never;

/**
 * The first argument a connection's `query` accepts: a string or the driver's options object
 * (`string | { sql } | { text }` for connections whose type says nothing).
 */
export type StatementOf<C> = OrDefault<
  StatementArgument<YieldingSignatures<Signatures<MethodOf<C, 'query'>>>>,
  string | { readonly sql: string } | { readonly text: string }
>;

type OrDefault<T, D> = [T] extends [never] ? D : T;

type StatementArgument<S> = S extends [infer A extends unknown[], unknown] ? A[0] : never;

/** The generic argument of the driver's own `query<T>`: the row type on pg, the first tuple element on mysql2. */
export type RowArgument<R> = R extends readonly [infer First, unknown]
  ? First
  : R extends { rows: (infer Row)[] }
    ? Row
    : R;

/** `R` with its rows (pg), first tuple element (mysql2, callback drivers) or whole value (mariadb) typed as `T`. */
export type WithRows<R, T> =
  IsAny<R> extends true ? T : Matches<R, T>;

type Matches<R, T> = [T] extends [RowArgument<R>]
  ? [RowArgument<R>] extends [T]
    ? R
    : Retyped<R, T>
  : Retyped<R, T>;

type Retyped<R, T> = R extends readonly [unknown, infer Extra]
  ? [T, Extra]
  : R extends { rows: unknown[] }
    ? Omit<R, 'rows'> & { rows: T[] }
    : T;

/**
 * The connection a source hands out: pg `PoolClient`, mysql2 `PoolConnection`, mariadb
 * `PoolConnection`, a TypeORM `QueryRunner`, a generic-pool/tarn resource.
 */
export type ConnectionOf<S> =
  IsAny<S> extends true
    ? any // eslint-disable-line @typescript-eslint/no-explicit-any
    : S extends { createQueryRunner(...args: never[]): infer Q }
      ? Q
      : S extends { connect: infer F; idleCount: number }
        ? Yielded<Signatures<F>>
        : S extends { getConnection: infer F }
          ? Yielded<Signatures<F>>
          : S extends { acquire(): infer R }
            ? R extends PromiseLike<infer C>
              ? C
              : R extends { promise: PromiseLike<infer C> }
                ? C
                : unknown
            : unknown;
