/**
 * Duck-typing primitives: reading properties and calling methods of driver objects whose types the
 * runtime does not import.
 */

/** A function of unknown signature. */
export type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Whether `value` is a non-null object or function.
 * @param value - anything.
 * @returns true for objects and functions.
 */
export function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/**
 * Whether `value` is a promise or another thenable.
 * @param value - anything.
 * @returns true when it has a `then` method.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isObject(value) && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * A property of an object of unknown type.
 * @param target - the object.
 * @param key - the property.
 * @returns its value.
 */
export function prop(target: object, key: string): unknown {
  return (target as Record<string, unknown>)[key];
}

/**
 * A method of an object of unknown type.
 * @param target - the object.
 * @param key - the method name.
 * @returns the function, or `undefined` when there is none.
 */
export function methodOf(target: object, key: string): AnyFunction | undefined {
  const value = prop(target, key);
  return typeof value === 'function' ? (value as AnyFunction) : undefined;
}

/**
 * Whether an object has all the named methods.
 * @param target - anything.
 * @param keys - method names.
 * @returns true when every one is a function.
 */
export function hasMethods(target: unknown, ...keys: readonly string[]): target is object {
  return isObject(target) && keys.every((key) => methodOf(target, key) !== undefined);
}

/**
 * Calls a method by name, with `this` bound to the object.
 * @param target - the object.
 * @param key - the method name.
 * @param args - the arguments.
 * @returns what the method returned; throws a TypeError when there is no such method.
 */
export function invoke(target: object, key: string, ...args: readonly unknown[]): unknown {
  const fn = methodOf(target, key);
  if (!fn) throw new TypeError(`${describeObject(target)} has no ${key}() method`);
  return fn.apply(target, [...args]);
}

/**
 * Calls a node-style callback method and resolves to the arguments its callback got after the error.
 * @param target - the object.
 * @param key - the method name.
 * @param args - the arguments before the callback.
 * @returns the callback's result arguments.
 */
export function invokeNodeStyle(target: object, key: string, ...args: readonly unknown[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    invoke(target, key, ...args, (err: Error | null | undefined, ...results: unknown[]) => {
      if (err) reject(err);
      else resolve(results);
    });
  });
}

/**
 * A short name for an object in messages: its constructor's name.
 * @param target - the object.
 * @returns e.g. `BoundPool`, `PromisePool`.
 */
export function describeObject(target: object): string {
  const name = (target as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'object';
}

/** Swallows an error of a resource that is being thrown away anyway. */
export function ignoreError(): void {
  // Errors of a connection being destroyed have nowhere useful to go.
}
