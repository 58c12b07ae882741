// The whole-file text facts that let a rule skip a file: `scanText` (src/analysis/text.ts) finds every
// fact in about one pass, each of which is one regular expression's answer over the whole text (and,
// for two of them, a name of the settings). It must give each expression's own answer on every text:
// the cases below (kinds that overlap, or start at the same place), the corpus, generated programs,
// the installed sources of the benchmark packages, and pieces of those cut around every match.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { packageSources } from '../scripts/lib/bench.mjs';
import type { ResolvedSettings } from '../src/settings.js';
import { MAY_ACQUIRE, MAY_BEGIN_CALL, MAY_CONTROL, QUOTED_DRIVER, scanText, type TextFacts } from '../src/analysis/text.js';
import { ProgramGenerator } from './fuzz/generate.js';
import { Random } from './fuzz/random.js';
import { corpus } from './fuzz/mutate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function settings(acquire: string[] = [], poolModules: string[] = []): ResolvedSettings {
  return { acquire: new Set(acquire), release: new Set(), releaseFunctions: new Set(), poolModules: new Set(poolModules), query: new Set(), typed: false };
}

const DEFAULT = settings();
/** Names with characters special in a regular expression, and one that is a prefix of a driver's module. */
const NAMED = settings(['checkout', '$grab(', 'lease.take'], ['./db', '@acme/db*', 'pg']);

/** Each fact as its own expression (and names) answers it: what `scanText` must give. */
function expected(text: string, s: ResolvedSettings): TextFacts {
  return {
    acquire: MAY_ACQUIRE.test(text) || [...s.acquire].some((name) => text.includes(name)),
    quotedDriver: QUOTED_DRIVER.test(text) || [...s.poolModules].some((name) => text.includes(name)),
    control: MAY_CONTROL.test(text),
    beginCall: MAY_BEGIN_CALL.test(text),
  };
}

const NONE: TextFacts = { acquire: false, quotedDriver: false, control: false, beginCall: false };

const BEGINS = [
  'await conn.beginTransaction();',
  'conn.beginTransaction(cb)',
  'await queryRunner.startTransaction();',
  'const t = await sequelize.transaction();',
  'knex . transaction <T>(async (trx) => {})',
  'db.\n  transaction\n  (x)',
  'const tx = new sql.Transaction(pool);',
  'const tx = new Transaction(pool);',
  'new mssql.pools.Transaction()',
  'new\tTransaction',
  '[beginTransaction]',
  'x=startTransaction',
  'new Transaction$x',
  'x.transaction\u00a0(',
];
const NOT_BEGINS = [
  '',
  'transaction',
  'ransaction at the start',
  'Transaction',
  'const transactional = true;',
  'x.transactions()',
  'x.transaction;',
  'x.transaction = 1',
  'rebeginTransaction()',
  'beginTransactions()',
  'renew Transaction()',
  'new TransactionManager()',
  'the transaction (above)',
  'begin Transaction',
  'x.Transaction()',
  'x.transaction_()',
  'x.transaction1()',
  'new Transaction_',
];

describe('scanText', () => {
  it('finds each kind alone, and nothing in text that holds none', () => {
    expect(scanText('const a = 1; // nothing here', DEFAULT)).toEqual(NONE);
    expect(scanText('', DEFAULT)).toEqual(NONE);
    expect(scanText('const c = await pool.getConnection();', DEFAULT)).toEqual({ ...NONE, acquire: true });
    expect(scanText("import { Pool } from 'pg';", DEFAULT)).toEqual({ ...NONE, quotedDriver: true });
    expect(scanText("await c.query('COMMIT')", DEFAULT)).toEqual({ ...NONE, control: true });
    expect(scanText('const t = await sequelize.transaction();', DEFAULT)).toEqual({ ...NONE, beginCall: true });
    for (const text of BEGINS) expect(scanText(text, DEFAULT).beginCall, text).toBe(true);
    for (const text of NOT_BEGINS) expect(scanText(text, DEFAULT).beginCall, text).toBe(false);
    expect(scanText(NOT_BEGINS.join('\n'), DEFAULT).beginCall).toBe(false);
  });

  it('reads transaction statements in any case, as the `i` flag does, and no other letter', () => {
    for (const text of ["'BeGiN'", '`\\n  Commit`', '" rollback;"', "'END'", "'Abort'", "'START TRANSACTION'"]) {
      expect(scanText(text, DEFAULT).control, text).toBe(true);
    }
    // The long s and the Kelvin sign fold to ASCII letters only with the `u` flag, which MAY_CONTROL has not.
    for (const text of ["'ſtart'", "'rollbac\u212a'", "'beginning'", "' x begin'"]) {
      expect(MAY_CONTROL.test(text), text).toBe(false);
      expect(scanText(text, DEFAULT).control, text).toBe(false);
    }
  });

  it('finds a kind that starts where another starts, or inside another match', () => {
    const cases: [string, Partial<TextFacts>][] = [
      // `new` starts both an acquisition and a begin call: the first alternative wins at that place.
      ['new a.Client.Transaction()', { acquire: true, beginCall: true }],
      // A statement that starts at the closing quote of a driver's module.
      ["x = 'pg'\nend()", { quotedDriver: true, control: true }],
      // A driver's module inside a computed acquisition, and a statement word inside a module name.
      ["x['connect']; y = 'mysql' ; 'end", { acquire: true, quotedDriver: true, control: true }],
      ['db.transaction(() => pool.connect())', { acquire: true, beginCall: true }],
    ];
    for (const [text, facts] of cases) {
      expect(scanText(text, DEFAULT), text).toEqual({ ...NONE, ...facts });
      expect(scanText(text, DEFAULT), text).toEqual(expected(text, DEFAULT));
    }
    // A name of the settings can overlap anything: `pg` is a pool module here, and also a driver.
    for (const text of ["require('pg')", 'lease.take(x)', 'x.$grab(1)', "import db from './db'", '@acme/db*', 'checkout']) {
      expect(scanText(text, NAMED), text).toEqual(expected(text, NAMED));
    }
    expect(scanText('lease.take(x)', NAMED).acquire).toBe(true);
    expect(scanText('lease.take(x)', DEFAULT).acquire).toBe(false);
    expect(scanText("import db from './db'", NAMED).quotedDriver).toBe(true);
    expect(scanText("import db from './db'", DEFAULT).quotedDriver).toBe(false);
  });

  it('gives every expression its own answer on the corpus, generated programs and the packages, whole and cut around each match', () => {
    const generator = new ProgramGenerator(20261205);
    const texts = [
      ...corpus(ROOT),
      ...Array.from({ length: 300 }, () => generator.program()),
      ...['typeorm', 'sequelize', 'knex', 'mysql2', 'pg'].flatMap((pkg) => packageSources(pkg).map((source) => source.code)),
    ];
    expect(texts.length).toBeGreaterThan(1000);
    const random = new Random(20261205);
    const found: Record<keyof TextFacts, number> = { acquire: 0, quotedDriver: 0, control: 0, beginCall: 0 };
    let cuts = 0;
    const every = [MAY_ACQUIRE, QUOTED_DRIVER, MAY_CONTROL, MAY_BEGIN_CALL].map((pattern) => new RegExp(pattern.source, `${pattern.flags}g`));
    for (const text of texts) {
      for (const s of [DEFAULT, NAMED]) {
        const facts = scanText(text, s);
        expect(facts).toEqual(expected(text, s));
        if (s === DEFAULT) for (const kind of Object.keys(found) as (keyof TextFacts)[]) if (facts[kind]) found[kind]++;
      }
      // Pieces that start or end inside or right beside a match of some kind: the edges where one kind's
      // match could hide another's (a few per text, chosen at random).
      const edges: number[] = [];
      for (const pattern of every) {
        pattern.lastIndex = 0;
        for (let match = pattern.exec(text); match && edges.length < 400; match = pattern.exec(text)) edges.push(match.index, match.index + match[0].length);
      }
      for (let i = 0; i < 6 && edges.length > 0; i++) {
        const edge = edges[random.int(edges.length)] as number;
        const shift = random.int(5) - 2;
        const at = Math.max(0, Math.min(text.length, edge + shift));
        for (const piece of [text.slice(0, at), text.slice(at), text.slice(Math.max(0, at - 40), at + 40)]) {
          expect(scanText(piece, DEFAULT), piece.slice(0, 80)).toEqual(expected(piece, DEFAULT));
          cuts++;
        }
      }
    }
    for (const kind of Object.keys(found) as (keyof TextFacts)[]) expect(found[kind], kind).toBeGreaterThan(20);
    expect(cuts).toBeGreaterThan(5000);
  }, 180_000);
});
