import { type AnyFunction, isObject, isThenable, methodOf, prop } from './duck.js';
import { adapterFor } from './source.js';

/** What `trackLeaks` reports about a connection held too long. */
export interface LeakReport {
  /** How long the connection has been checked out, in milliseconds. */
  readonly heldMs: number;
  readonly thresholdMs: number;
  /** The stack of the code that checked the connection out. */
  readonly stack: string;
  /** The connection itself. */
  readonly connection: unknown;
  /** The tracker's counters when the leak was reported. */
  readonly stats: LeakStats;
}

/** Options of `trackLeaks`. */
export interface TrackLeaksOptions {
  /** A connection checked out longer than this many milliseconds is reported, once. */
  readonly thresholdMs: number;
  /** Receives each report. Default: `console.warn` with the acquiring stack. */
  readonly onLeak?: (report: LeakReport) => void;
}

/** Checkout counters of a tracked source. */
export interface LeakStats {
  readonly acquired: number;
  readonly released: number;
  /** Checked out and not given back yet. */
  readonly outstanding: number;
}

/** Handle of a running leak tracker. */
export interface LeakTracker {
  /** Stops tracking and restores every method it wrapped. */
  stop(): void;
  stats(): LeakStats;
}

/** A connection being tracked: its report timer, and how to undo the wrapping of its methods. */
interface Checkout {
  /** The pending report (set again when Node's timer fires before the threshold). */
  timer: NodeJS.Timeout | undefined;
  readonly unpatch: () => void;
}

const STACK_DEPTH = 30;

/**
 * Leak detection like HikariCP's `leakDetectionThreshold`: wraps the source's checkout method (on
 * the instance, undone by `stop()`), records the stack of every caller that checks out a connection,
 * and reports a connection that is still checked out after `thresholdMs`, once, with that stack.
 * Checkouts made directly on the pool are tracked as well as those made through the helpers.
 * @param source - any source `withConnection` accepts.
 * @param options - `thresholdMs` and `onLeak`.
 * @returns `stop()` and `stats()` (`acquired`, `released`, `outstanding`).
 * @example
 * const leaks = trackLeaks(pool, { thresholdMs: 30_000 });
 */
export function trackLeaks(source: unknown, options: TrackLeaksOptions): LeakTracker {
  const shape = adapterFor(source).checkout;
  const owner = shape.owner(source as object);
  const checkouts = new Map<object, Checkout>();
  let acquired = 0;
  let released = 0;
  const stats = (): LeakStats => ({ acquired, released, outstanding: checkouts.size });
  const onLeak = options.onLeak ?? warnLeak;

  function start(conn: unknown, stack: string): void {
    if (!isObject(conn)) return;
    finish(conn);
    acquired++;
    const since = performance.now();
    const unpatch = patchAll(conn, shape.connectionEnds ?? [], (original) =>
      function end(this: unknown, ...args: unknown[]) {
        finish(conn);
        return original.apply(this, args);
      },
    );
    const checkout: Checkout = { timer: undefined, unpatch };
    // Node's timers count whole milliseconds and can fire up to one early, so measured with
    // `Date.now()` a report could claim 99 ms for a threshold of 100: the held time is read on the
    // monotonic clock, and a timer that fires before the threshold is set again for the rest.
    const arm = (delay: number): void => {
      checkout.timer = setTimeout(() => {
        const heldMs = performance.now() - since;
        if (heldMs < options.thresholdMs) {
          arm(options.thresholdMs - heldMs);
          return;
        }
        onLeak({ heldMs: Math.ceil(heldMs), thresholdMs: options.thresholdMs, stack, connection: conn, stats: stats() });
      }, delay);
      checkout.timer.unref();
    };
    arm(options.thresholdMs);
    checkouts.set(conn, checkout);
  }

  function finish(conn: unknown): void {
    const checkout = isObject(conn) ? checkouts.get(conn) : undefined;
    if (!checkout) return;
    checkouts.delete(conn as object);
    clearTimeout(checkout.timer);
    checkout.unpatch();
    released++;
  }

  const unpatchSource = patchAll(owner, [shape.method], (original) =>
    function checkout(this: unknown, ...args: unknown[]) {
      const stack = callerStack(checkout);
      return observeCheckout(original, this, args, (conn) => {
        start(conn, stack);
      });
    },
  );
  const unpatchEnds = patchAll(owner, shape.poolEnds ?? [], (original) =>
    function end(this: unknown, conn: unknown, ...rest: unknown[]) {
      finish(conn);
      return original.call(this, conn, ...rest);
    },
  );

  return {
    stop() {
      unpatchSource();
      unpatchEnds();
      for (const [conn, checkout] of checkouts) {
        clearTimeout(checkout.timer);
        checkout.unpatch();
        checkouts.delete(conn);
      }
    },
    stats,
  };
}

/**
 * Calls a checkout method and hands the connection to `onConnection` whichever way it arrives: a
 * promise (pg, mysql2/promise, mariadb, generic-pool), a `{ promise }` (tarn), a node-style callback
 * (mysql, mysql2, pg with a callback), or a return value (TypeORM's `createQueryRunner`).
 */
function observeCheckout(
  original: AnyFunction,
  self: unknown,
  args: unknown[],
  onConnection: (conn: unknown) => void,
): unknown {
  const last = args.length - 1;
  const callback = args[last];
  if (typeof callback === 'function') {
    args[last] = function checkedOut(this: unknown, err: unknown, conn: unknown, ...rest: unknown[]) {
      if (!err) onConnection(conn);
      // pg passes the client's original release as `done`: hand over the wrapped one instead.
      const done = isObject(conn) ? methodOf(conn, 'release') : undefined;
      const extra = done && typeof rest[0] === 'function' ? [done.bind(conn), ...rest.slice(1)] : rest;
      return (callback as AnyFunction).call(this, err, conn, ...extra);
    };
  }
  const returned = original.apply(self, args);
  const pending = isThenable(returned) ? returned : isObject(returned) ? prop(returned, 'promise') : undefined;
  if (isThenable(pending)) pending.then(onConnection, () => undefined);
  else if (isObject(returned) && typeof callback !== 'function') onConnection(returned);
  return returned;
}

/** The stack of the code that called `entry`, deeper than the default ten frames. */
function callerStack(entry: AnyFunction): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = STACK_DEPTH;
  const site = new Error('connection checked out here');
  Error.captureStackTrace(site, entry);
  Error.stackTraceLimit = limit;
  return site.stack ?? site.message;
}

/**
 * Replaces methods of `target` with wrappers made by `wrap`, as own properties.
 * @returns a function that puts the original properties back.
 */
function patchAll(
  target: object,
  keys: readonly string[],
  wrap: (original: AnyFunction) => AnyFunction,
): () => void {
  const restores = keys
    .filter((key) => methodOf(target, key) !== undefined)
    .map((key) => {
      const own = Object.getOwnPropertyDescriptor(target, key);
      const original = methodOf(target, key) as AnyFunction;
      Object.defineProperty(target, key, { value: wrap(original), configurable: true, writable: true });
      return () => {
        if (own) Object.defineProperty(target, key, own);
        else Reflect.deleteProperty(target, key);
      };
    });
  return () => {
    for (const restore of restores) restore();
  };
}

function warnLeak(report: LeakReport): void {
  console.warn(
    `db-connection-guard: a connection has been checked out for ${report.heldMs} ms ` +
      `(threshold ${report.thresholdMs} ms) and not released; ${report.stats.outstanding} ` +
      `outstanding of ${report.stats.acquired} acquired. Release it in a finally block, or use ` +
      `withConnection().\n${report.stack}`,
  );
}
