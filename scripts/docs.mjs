#!/usr/bin/env node
// Generates the README's rules table from the built plugin's rule metadata, and checks the rule pages.
//
//   node scripts/docs.mjs          rewrite the table between the markers in README.md
//   node scripts/docs.mjs --check  exit 1 when the table is out of date or a rule page is missing,
//                                  lacks a required section, or documents a rule that does not exist
//
// Options for tests: --readme <file> (default README.md), --docs <dir> (default docs/rules).
// Reads dist/esm, so run `npm run build` first.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BEGIN = '<!-- begin auto-generated rules list -->';
const END = '<!-- end auto-generated rules list -->';

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    readme: { type: 'string', default: path.join(root, 'README.md') },
    docs: { type: 'string', default: path.join(root, 'docs', 'rules') },
  },
});

const entry = path.join(root, 'dist', 'esm', 'src', 'index.js');
if (!existsSync(entry)) {
  console.error(`docs: ${path.relative(root, entry)} is missing; run \`npm run build\` first.`);
  process.exit(1);
}
const { default: plugin } = await import(pathToFileURL(entry).href);
const rules = Object.entries(plugin.rules).sort(([a], [b]) => a.localeCompare(b));

const problems = [...checkReadme(), ...checkRulePages()];
if (problems.length > 0) {
  for (const problem of problems) console.error(`docs: ${problem}`);
  process.exit(1);
}
console.log(values.check ? `docs: README table and ${String(rules.length)} rule page${rules.length === 1 ? "" : "s"} are up to date` : 'docs: README table written');

/** The table (with its legend) for the given rules. */
function renderTable() {
  const lines = [
    '✅ Set in the `recommended` configuration.\\',
    '🔧 Automatically fixable by the `--fix` CLI option.\\',
    '💡 Manually fixable by [editor suggestions](https://eslint.org/docs/latest/use/core-concepts#rule-suggestions).\\',
    '💭 Requires [type information](https://typescript-eslint.io/linting/typed-linting).',
    '',
  ];
  if (rules.length === 0) {
    lines.push('No rules yet.');
  } else {
    lines.push('| Name | Description | ✅ | 🔧 | 💡 | 💭 |', '| :--- | :--- | :- | :- | :- | :- |');
    for (const [name, rule] of rules) {
      const { docs = {}, fixable, hasSuggestions } = rule.meta;
      const cells = [
        `[${name}](docs/rules/${name}.md)`,
        escapeCell(docs.description ?? ''),
        docs.recommended === true ? '✅' : '',
        fixable ? '🔧' : '',
        hasSuggestions ? '💡' : '',
        docs.requiresTypeChecking === true ? '💭' : '',
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  return `${BEGIN}\n\n${lines.join('\n')}\n\n${END}`;
}

function escapeCell(text) {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function checkReadme() {
  const readmePath = values.readme;
  if (!existsSync(readmePath)) return [`${readmePath} does not exist`];
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start === -1 || end === -1 || end < start) {
    return [`${path.basename(readmePath)} lacks the markers ${BEGIN} ... ${END}`];
  }
  const updated = readme.slice(0, start) + renderTable() + readme.slice(end + END.length);
  if (updated === readme) return [];
  if (values.check) return [`the rules table in ${path.basename(readmePath)} is out of date; run \`npm run docs\``];
  writeFileSync(readmePath, updated);
  return [];
}

/** Every rule has a page with the required sections; every page belongs to a rule. */
function checkRulePages() {
  const problems = [];
  const dir = values.docs;
  const pages = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.md')) : [];
  const names = new Set(rules.map(([name]) => name));
  for (const page of pages) {
    if (!names.has(page.slice(0, -3))) problems.push(`${path.join(dir, page)} documents no rule of the plugin`);
  }
  for (const [name, rule] of rules) {
    const file = path.join(dir, `${name}.md`);
    if (!existsSync(file)) {
      problems.push(`rule ${name} has no page ${file}`);
      continue;
    }
    const sections = headings(readFileSync(file, 'utf8'));
    const options = optionNames(rule.meta.schema);
    const required = ['Rule Details', ...(options === null ? [] : ['Options']), 'When Not To Use It'];
    for (const heading of required) {
      if (!sections.has(heading)) problems.push(`${file} lacks the section "## ${heading}"`);
    }
    const optionsText = sections.get('Options') ?? '';
    for (const option of options ?? []) {
      if (!optionsText.includes(`\`${option}\``)) {
        problems.push(`${file}: option \`${option}\` is not described under "## Options"`);
      }
    }
  }
  return problems;
}

/** Level-2 headings of a Markdown page mapped to their text (fenced code is skipped). */
function headings(markdown) {
  const sections = new Map();
  let current = null;
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    const match = fenced ? null : /^## +(.+?)\s*$/.exec(line);
    if (match) {
      current = match[1];
      sections.set(current, '');
    } else if (current !== null) {
      sections.set(current, `${sections.get(current)}${line}\n`);
    }
  }
  return sections;
}

/** Names of the rule's option properties, `[]` for non-object options, or null when it takes none. */
function optionNames(schema) {
  const items = Array.isArray(schema) ? schema : schema?.items ? [].concat(schema.items) : [];
  if (items.length === 0) return null;
  return items.flatMap((item) => Object.keys(item.properties ?? {}));
}
