// createRule merges the options with meta.defaultOptions once per distinct option set instead of
// cloning the defaults for every file: the merge must still be RuleCreator's, per rule and per set.
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

import { createRule, sameJson } from '../src/create-rule.js';

type Options = [{ mode?: 'a' | 'b'; deep?: { on?: boolean; names?: string[] } }];

function probe(seen: Readonly<Options>[]) {
  return createRule<Options, 'm'>({
    name: 'probe',
    meta: {
      type: 'problem',
      docs: { description: 'Disallow nothing (test probe)' },
      messages: { m: 'm' },
      schema: [
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            mode: { type: 'string', enum: ['a', 'b'] },
            deep: { type: 'object', additionalProperties: false, properties: { on: { type: 'boolean' }, names: { type: 'array', items: { type: 'string' } } } },
          },
        },
      ],
      defaultOptions: [{ mode: 'a', deep: { on: true, names: ['x'] } }],
    },
    create(_context, options) {
      seen.push(options);
      return {};
    },
  });
}

function run(rule: unknown, setting: Linter.RuleEntry, times = 2): void {
  const linter = new Linter({ configType: 'flat' });
  for (let i = 0; i < times; i++) {
    const messages = linter.verify('x;', [{ plugins: { t: { rules: { probe: rule as never } } }, rules: { 't/probe': setting } }], { filename: `f${String(i)}.js` });
    expect(messages).toEqual([]);
  }
}

describe('createRule options', () => {
  it('gives the defaults to a rule set by severity alone, the same frozen object for every file', () => {
    const seen: Readonly<Options>[] = [];
    run(probe(seen), 'error', 3);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual([{ mode: 'a', deep: { on: true, names: ['x'] } }]);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).toBe(seen[0]);
    expect(Object.isFrozen(seen[0]?.[0]?.deep)).toBe(true);
  });

  it('merges user options into the defaults deeply, as RuleCreator does, once per distinct set', () => {
    const seen: Readonly<Options>[] = [];
    const rule = probe(seen);
    run(rule, ['error', { deep: { on: false } }]);
    run(rule, ['error', { mode: 'b' }]);
    expect(seen[0]).toEqual([{ mode: 'a', deep: { on: false, names: ['x'] } }]);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).toEqual([{ mode: 'b', deep: { on: true, names: ['x'] } }]);
    expect(seen[3]).toBe(seen[2]);
  });

  it('gives each set its own merge when the sets alternate from file to file', () => {
    const seen: Readonly<Options>[] = [];
    const rule = probe(seen);
    run(rule, ['error', { mode: 'b' }], 1);
    run(rule, ['error', { deep: { names: [] } }], 1);
    run(rule, ['error', { mode: 'b' }], 1);
    run(rule, ['error', { deep: { names: ['y'] } }], 1);
    run(rule, ['error', { mode: 'a', deep: { on: true, names: ['x'] } }], 1);
    expect(seen[0]).toEqual([{ mode: 'b', deep: { on: true, names: ['x'] } }]);
    expect(seen[1]).toEqual([{ mode: 'a', deep: { on: true, names: [] } }]);
    expect(seen[2]).toBe(seen[0]);
    expect(seen[3]).toEqual([{ mode: 'a', deep: { on: true, names: ['y'] } }]);
    // The defaults spelled out are the defaults.
    expect(seen[4]).toEqual([{ mode: 'a', deep: { on: true, names: ['x'] } }]);
  });

  it('compares options as JSON values', () => {
    expect(sameJson([{ a: 1, b: ['x', { c: null }] }], [{ b: ['x', { c: null }], a: 1 }])).toBe(true);
    expect(sameJson([{ a: 1 }], [{ a: 1, b: 2 }])).toBe(false);
    expect(sameJson([{ a: 1, b: 2 }], [{ a: 1 }])).toBe(false);
    expect(sameJson([{ a: [1, 2] }], [{ a: [1, 2, 3] }])).toBe(false);
    expect(sameJson([{ a: [] }], [{ a: {} }])).toBe(false);
    expect(sameJson([{ a: '1' }], [{ a: 1 }])).toBe(false);
    expect(sameJson([null], [{}])).toBe(false);
    expect(sameJson([], [])).toBe(true);
  });

  it('keeps each rule its own defaults', () => {
    const first: Readonly<Options>[] = [];
    const second: Readonly<Options>[] = [];
    run(probe(first), ['error', { mode: 'b' }], 1);
    run(probe(second), 'error', 1);
    expect(first[0]?.[0]?.mode).toBe('b');
    expect(second[0]?.[0]?.mode).toBe('a');
  });
});
