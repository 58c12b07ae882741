// Meta-tests: every rule of `rules` is exported, documented, tested, sits in the configs its metadata
// claims, and follows the house style for metadata and options.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import plugin, { configs, meta, rules as namedRules } from '../src/index.js';
import { rules } from '../src/rules.js';
import { ROOT } from './helpers/built.js';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const ns = plugin.meta.namespace;
const entries = Object.entries(rules);

/** The parts of a JSON schema the checks below walk through. */
interface Schema {
  type?: unknown;
  description?: unknown;
  additionalProperties?: unknown;
  properties?: Record<string, Schema>;
  definitions?: Record<string, Schema>;
  items?: Schema | Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}

/** Every object schema in a rule's options schema, with its path for messages. */
function objectSchemas(schema: Schema | Schema[] | undefined, at = 'schema'): [string, Schema][] {
  if (schema === undefined) return [];
  if (Array.isArray(schema)) return schema.flatMap((s, i) => objectSchemas(s, `${at}[${String(i)}]`));
  const own: [string, Schema][] = schema.type === 'object' || schema.properties ? [[at, schema]] : [];
  const children: [string, Schema | Schema[] | undefined][] = [
    ...Object.entries(schema.properties ?? {}).map(([k, s]): [string, Schema] => [`${at}.properties.${k}`, s]),
    ...Object.entries(schema.definitions ?? {}).map(([k, s]): [string, Schema] => [`${at}.definitions.${k}`, s]),
    [`${at}.items`, schema.items],
    [`${at}.anyOf`, schema.anyOf],
    [`${at}.oneOf`, schema.oneOf],
    [`${at}.allOf`, schema.allOf],
  ];
  return [...own, ...children.flatMap(([p, s]) => objectSchemas(s, p))];
}

describe('the plugin object', () => {
  it('has meta with the package name and version and the db-guard namespace', () => {
    expect(meta).toEqual({ name: pkg.name, version: pkg.version, namespace: 'db-guard' });
    expect(plugin.meta).toBe(meta);
  });

  it('exports every rule of src/rules.ts, on the default export and as a named export', () => {
    expect(plugin.rules).toBe(rules);
    expect(namedRules).toBe(rules);
    expect(plugin.configs).toBe(configs);
  });

  it('has recommended = exactly the rules whose docs say recommended, and all = every rule', () => {
    const recommended = entries.filter(([, rule]) => rule.meta.docs?.recommended === true).map(([name]) => `${ns}/${name}`);
    expect(Object.keys(configs.recommended.rules ?? {}).sort()).toEqual(recommended.sort());
    expect(Object.keys(configs.all.rules ?? {}).sort()).toEqual(entries.map(([name]) => `${ns}/${name}`).sort());
    for (const config of [configs.recommended, configs.all]) {
      expect(Object.values(config.rules ?? {}).every((level) => level === 'error')).toBe(true);
      expect(config.plugins?.[ns]).toBe(plugin);
      expect(config.name).toMatch(new RegExp(`^${ns}/`));
    }
  });
});

describe.each(entries)('rule %s', (name, rule) => {
  const { meta: ruleMeta } = rule;

  it('has a kebab-case name and a doc page, a test file, and a docs url pointing at the page', () => {
    expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(existsSync(path.join(ROOT, 'docs', 'rules', `${name}.md`)), `docs/rules/${name}.md`).toBe(true);
    expect(existsSync(path.join(ROOT, 'test', 'rules', `${name}.test.ts`)), `test/rules/${name}.test.ts`).toBe(true);
    expect(ruleMeta.docs?.url).toMatch(new RegExp(`/docs/rules/${name}\\.md$`));
  });

  it('has a description of the house form and a valid type', () => {
    expect(ruleMeta.docs?.description).toMatch(/^(Enforce|Require|Disallow) .+[^. ]$/);
    expect(['problem', 'suggestion', 'layout']).toContain(ruleMeta.type);
  });

  it('has camelCase messageIds, suggestion ids starting with "suggest" only when it has suggestions', () => {
    const ids = Object.keys(ruleMeta.messages);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    if (ids.some((id) => id.startsWith('suggest'))) expect(ruleMeta.hasSuggestions).toBe(true);
  });

  it('declares defaultOptions when it takes options, and its object schemas are closed and described', () => {
    const schema = ruleMeta.schema as Schema | Schema[];
    const takesOptions = Array.isArray(schema) ? schema.length > 0 : Object.keys(schema).length > 0;
    if (takesOptions) expect(ruleMeta.defaultOptions, 'meta.defaultOptions').toBeDefined();
    for (const [at, object] of objectSchemas(schema)) {
      expect(object.additionalProperties, `${at}.additionalProperties`).toBe(false);
      for (const [key, property] of Object.entries(object.properties ?? {})) {
        expect(property.description, `${at}.properties.${key}.description`).toMatch(/\S/);
      }
    }
  });
});

describe('the package', () => {
  it('keeps src/version.ts equal to package.json', () => {
    expect(plugin.meta.version).toBe(pkg.version);
    expect(plugin.meta.name).toBe(pkg.name);
  });

  it('has at least one rule', () => {
    expect(entries.length).toBeGreaterThan(0);
  });
});
