/**
 * What a statement's text says about retry safety and transactions. The analysis is deliberately
 * conservative: when in doubt a statement is "not read-only", which only costs a retry, never a
 * duplicated write.
 */

/** How a statement changes the transaction state of its session. */
export type TransactionEffect = 'begin' | 'commit' | 'rollback' | 'none';

/** A cheap first look, run on every statement: only these can start a transaction-control statement. */
const MAY_CONTROL_TRANSACTION = /^[\s(]*(?:begin|start|commit|end|rollback|abort|\/\*|--)/i;

const READ_ONLY_FIRST_WORDS = new Set(['select', 'show', 'explain', 'describe', 'desc', 'with']);

/**
 * Words that make a SELECT/WITH/EXPLAIN write: data-modifying CTEs (`WITH x AS (DELETE ...)`),
 * `SELECT ... INTO` (a new table on PostgreSQL, a file on MySQL), `EXPLAIN ANALYZE INSERT`, and locking
 * reads (`FOR UPDATE`).
 */
const WRITE_WORDS = /\b(insert|update|delete|merge|into|upsert)\b/;

/**
 * The SQL text of a statement argument: a string, or the `sql` (mysql, mysql2, mariadb) or `text` (pg)
 * field of an options object.
 * @param statement - what was passed as the first argument of `query`/`execute`.
 * @returns the text, or `undefined` when there is none.
 */
export function sqlText(statement: unknown): string | undefined {
  if (typeof statement === 'string') return statement;
  if (typeof statement !== 'object' || statement === null) return undefined;
  const { sql, text } = statement as { sql?: unknown; text?: unknown };
  if (typeof sql === 'string') return sql;
  return typeof text === 'string' ? text : undefined;
}

/**
 * Whether a statement only reads: one `SELECT`, `SHOW`, `EXPLAIN`, `DESCRIBE`, or `WITH ... SELECT`
 * without a data-modifying word outside comments and literals. Functions with side effects called
 * from a SELECT cannot be seen in the text: pass `{ idempotent: false }` for those.
 * @param sql - the statement text.
 * @returns true when re-running the statement cannot change data.
 */
export function isReadOnlyStatement(sql: string): boolean {
  const code = codeOnly(sql).toLowerCase().trim();
  if (/;\s*\S/.test(code)) return false;
  const first = firstWord(code.replace(/^[\s(]+/, ''));
  return READ_ONLY_FIRST_WORDS.has(first) && !WRITE_WORDS.test(code);
}

/**
 * How a statement changes the session's transaction state: `BEGIN`/`START TRANSACTION` open one;
 * `COMMIT`/`END` and `ROLLBACK`/`ABORT` close it (`ROLLBACK TO SAVEPOINT` does not).
 * @param sql - the statement text.
 * @returns the effect.
 */
export function transactionEffect(sql: string): TransactionEffect {
  if (!MAY_CONTROL_TRANSACTION.test(sql)) return 'none';
  const code = codeOnly(sql).toLowerCase().trim();
  const first = firstWord(code);
  if (first === 'begin' || /^start\s+transaction\b/.test(code)) return 'begin';
  if (first === 'commit' || first === 'end') return 'commit';
  if ((first === 'rollback' || first === 'abort') && !/^rollback(\s+work)?\s+to\b/.test(code)) {
    return 'rollback';
  }
  return 'none';
}

function firstWord(code: string): string {
  return /^[a-z]+/.exec(code)?.[0] ?? '';
}

/**
 * The statement with comments and quoted text (strings, quoted identifiers, PostgreSQL dollar
 * quotes) replaced by spaces, so that keywords inside them are not seen. Only `-- ` followed by a
 * space counts as a comment (MySQL's rule) and `#` never does: reading more text than the server
 * does can only make a statement look less read-only.
 */
function codeOnly(sql: string): string {
  return sql.replace(
    /--(?=\s)[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^'\\]|\\[\s\S]|'')*'|"(?:[^"\\]|\\[\s\S]|"")*"|`[^`]*`|(\$\w*\$)[\s\S]*?\1/g,
    ' ',
  );
}
