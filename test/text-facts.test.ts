// The whole-file text facts that let a rule skip a file: `mayBeginCall` (src/analysis/transactions.ts)
// answers whether MAY_BEGIN_CALL matches a text without running it over the whole text. It must give
// the regular expression's answer on every text: the cases below, the corpus, generated programs, the
// installed sources of the benchmark packages, and each of those cut at every occurrence of the word.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { packageSources } from '../scripts/lib/bench.mjs';
import { MAY_BEGIN_CALL, mayBeginCall } from '../src/analysis/transactions.js';
import { ProgramGenerator } from './fuzz/generate.js';
import { corpus } from './fuzz/mutate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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

describe('mayBeginCall', () => {
  it('finds every begin call MAY_BEGIN_CALL finds, and nothing else, in the cases', () => {
    for (const text of BEGINS) {
      expect(MAY_BEGIN_CALL.test(text), text).toBe(true);
      expect(mayBeginCall(text), text).toBe(true);
      expect(mayBeginCall(`${NOT_BEGINS.join('\n')}\n${text}\n${NOT_BEGINS.join('\n')}`), text).toBe(true);
    }
    for (const text of NOT_BEGINS) {
      expect(MAY_BEGIN_CALL.test(text), text).toBe(false);
      expect(mayBeginCall(text), text).toBe(false);
    }
    expect(mayBeginCall(NOT_BEGINS.join('\n'))).toBe(false);
  });

  it('answers as MAY_BEGIN_CALL does on the corpus, generated programs and the packages, whole and cut at each occurrence', () => {
    const generator = new ProgramGenerator(20261201);
    const texts = [
      ...corpus(ROOT),
      ...Array.from({ length: 300 }, () => generator.program()),
      ...['typeorm', 'sequelize', 'knex', 'mysql2', 'pg'].flatMap((pkg) => packageSources(pkg).map((source) => source.code)),
    ];
    expect(texts.length).toBeGreaterThan(1000);
    let begins = 0;
    let cuts = 0;
    for (const text of texts) {
      const expected = MAY_BEGIN_CALL.test(text);
      expect(mayBeginCall(text)).toBe(expected);
      if (expected) begins++;
      // Every prefix and suffix at an occurrence of the word: the edges of the text around a match.
      for (let at = text.indexOf('ransaction'); at >= 0 && cuts < 20_000; at = text.indexOf('ransaction', at + 1)) {
        for (const part of [text.slice(0, at + 10), text.slice(0, at + 12), text.slice(Math.max(0, at - 1)), text.slice(Math.max(0, at - 20), at + 20)]) {
          expect(mayBeginCall(part), part.slice(-60)).toBe(MAY_BEGIN_CALL.test(part));
          cuts++;
        }
      }
    }
    expect(begins).toBeGreaterThan(20);
    expect(cuts).toBeGreaterThan(1000);
  }, 180_000);
});
