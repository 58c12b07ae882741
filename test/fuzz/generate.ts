// Random programs for the fuzz test: modules whose functions check connections out, query, release,
// begin and end transactions, under random nesting of try/catch/finally, callbacks, promise chains,
// loops, labels, break/continue, switch, generators, async/await, optional chains, destructuring and
// classes. Every generated program is syntactically valid JavaScript (await only in async functions,
// yield only in generators, break/continue only where they have a target, return only in functions),
// so a parse error after a fix is the fix's fault.
import { Random } from './random.js';

interface Context {
  depth: number;
  async: boolean;
  generator: boolean;
  inFunction: boolean;
  /** Labels of enclosing loops (for `continue label`) and of any labelled statement (for `break label`). */
  loopLabels: string[];
  breakLabels: string[];
  inLoop: boolean;
  inSwitch: boolean;
  /** Directly in a case clause, where `using` declarations are not allowed. */
  inCase: boolean;
}

const CONNECTIONS = ['conn', 'client', 'c'];
const PROMISE_POOLS = ['pool', 'pgPool', 'db.pool', 'this.pool'];
const SQL = ["'SELECT 1'", "'UPDATE t SET n = n + 1 WHERE id = ?'", "'BEGIN'", "'COMMIT'", "'ROLLBACK'", "'INSERT INTO t VALUES ($1)'"];

const PRELUDE = `import mysql from 'mysql2/promise';
import mysqlCb from 'mysql2';
import pg from 'pg';
import { withConnection, withTransaction } from 'db-connection-guard/runtime';
import * as db from './db.js';

const pool = mysql.createPool({ connectionLimit: 4 });
const cbPool = mysqlCb.createPool({});
const pgPool = new pg.Pool();
let x = 0, flag = false, xs = [1, 2, 3], obj = {}, list = [];
`;

export class ProgramGenerator {
  private counter = 0;
  /** Statements left to write: keeps programs small (tens of lines) however the nesting draws fall. */
  private budget = 0;
  private readonly random: Random;

  constructor(seed: number) {
    this.random = new Random(seed);
  }

  /** A module: the prelude, optionally a long-lived connection, and 1 to 4 functions or classes. */
  program(): string {
    const r = this.random;
    this.budget = 20 + r.int(40);
    const parts = [PRELUDE];
    if (r.chance(0.3)) {
      parts.push(r.pick([
        'const audit = await mysql.createConnection({});',
        'const audit = new pg.Client();\nawait audit.connect();',
        "const audit = mysqlCb.createConnection({});\naudit.on('error', (err) => console.error(err));",
      ]));
      parts.push(`export async function logEvent(e) {\n  await audit.query('INSERT INTO log VALUES (?)', [e]);\n}`);
    }
    const count = 1 + r.int(4);
    for (let i = 0; i < count; i += 1) parts.push(r.chance(0.2) ? this.classDeclaration() : this.functionDeclaration());
    return `${parts.join('\n\n')}\n`;
  }

  private id(prefix: string): string {
    this.counter += 1;
    return `${prefix}${String(this.counter)}`;
  }

  private fresh(overrides: Partial<Context>): Context {
    return { depth: 0, async: false, generator: false, inFunction: true, loopLabels: [], breakLabels: [], inLoop: false, inSwitch: false, inCase: false, ...overrides };
  }

  private functionDeclaration(): string {
    const r = this.random;
    const async = r.chance(0.75);
    const generator = r.chance(0.15);
    const name = this.id('fn');
    const params = r.pick(['', 'id', 'id, cb', '{ id, rows = [] }', '[first, ...rest]', 'req, res']);
    const body = this.block(this.fresh({ async, generator }), 2 + r.int(5));
    if (!generator && r.chance(0.2)) return `export const ${name} = ${async ? 'async ' : ''}(${params}) => ${body};`;
    return `export ${async ? 'async ' : ''}function${generator ? '*' : ''} ${name}(${params}) ${body}`;
  }

  private classDeclaration(): string {
    const r = this.random;
    const members: string[] = [r.pick(['pool = pool;', 'conn = null;', '#conn;', 'static shared = pgPool;', 'constructor(pool) { this.pool = pool; }'])];
    const methods = 1 + r.int(3);
    for (let i = 0; i < methods; i += 1) {
      const async = r.chance(0.7);
      const generator = !async && r.chance(0.2);
      const prefix = r.pick(['', 'static ', '#', 'get ']);
      const name = this.id('m');
      const isGetter = prefix === 'get ';
      const head = isGetter ? `get ${name}()` : `${prefix === 'static ' ? 'static ' : ''}${async ? 'async ' : ''}${generator ? '*' : ''}${prefix === '#' ? '#' : ''}${name}(id)`;
      members.push(`${head} ${this.block(this.fresh({ async: async && !isGetter, generator: generator && !isGetter }), 2 + r.int(4))}`);
    }
    return `export class ${this.id('Repo')} {\n${members.join('\n')}\n}`;
  }

  /** `{ ... }` with `count` statements. */
  private block(ctx: Context, count: number): string {
    const statements: string[] = [];
    for (let i = 0; i < count && (i === 0 || this.budget > 0); i += 1) statements.push(this.statement({ ...ctx, inCase: false }));
    return `{\n${statements.join('\n')}\n}`;
  }

  private nested(ctx: Context, extra: Partial<Context> = {}): string {
    return this.block({ ...ctx, depth: ctx.depth + 1, ...extra }, this.budget <= 0 ? 1 : 1 + this.random.int(ctx.depth > 3 ? 2 : 4));
  }

  /** A function's context inside `ctx`: loops, labels and switch do not cross a function boundary. */
  private inner(ctx: Context, async: boolean, generator = false): Context {
    return { ...ctx, depth: ctx.depth + 1, async, generator, inFunction: true, loopLabels: [], breakLabels: [], inLoop: false, inSwitch: false };
  }

  private statement(ctx: Context): string {
    const r = this.random;
    const v = r.pick(CONNECTIONS);
    this.budget -= 1;
    const deep = ctx.depth >= 5 || this.budget <= 0;
    const choices: (() => string)[] = [
      () => this.idiom(ctx),
      () => this.idiom(ctx),
      () => this.acquire(ctx, v),
      () => this.acquire(ctx, v),
      () => this.query(ctx, v),
      () => this.query(ctx, v),
      () => this.release(v),
      () => this.release(v),
      () => this.transaction(ctx, v),
      () => this.plain(v),
    ];
    if (!deep) {
      choices.push(
        () => this.ifStatement(ctx),
        () => this.tryStatement(ctx),
        () => this.tryStatement(ctx),
        () => this.loop(ctx),
        () => this.switchStatement(ctx),
        () => this.callback(ctx, v),
        () => this.callback(ctx, v),
        () => this.labelledBlock(ctx),
      );
    }
    if (ctx.inFunction) choices.push(() => this.exit(ctx, v));
    if (ctx.inLoop || ctx.inSwitch || ctx.breakLabels.length > 0) choices.push(() => this.jump(ctx));
    if (ctx.generator) choices.push(() => r.pick([`yield ${v};`, 'yield* other();', `const y${String(this.counter)} = yield 1;`]));
    return r.pick(choices)();
  }

  /**
   * The shapes the rules were written for, with random statements mixed in: checkout / query /
   * release in a row (the autofix's shape), transactions, single queries, callback checkouts.
   */
  private idiom(ctx: Context): string {
    const r = this.random;
    const v = this.id(r.pick(CONNECTIONS));
    const pool = r.pick(PROMISE_POOLS);
    const filler = (): string => (r.chance(0.4) ? `${this.statement({ ...ctx, depth: ctx.depth + 1, inCase: false })}\n` : '');
    if (!ctx.async) {
      return `cbPool.getConnection((err, ${v}) => {
if (err) return done(err);
${v}.query('SELECT 1', (qerr, rows) => {
${r.chance(0.5) ? `if (qerr) return done(qerr);\n${v}.release();` : `${v}.release();\nif (qerr) return done(qerr);`}
done(null, rows);
});
});`;
    }
    const acquire = `${ctx.inCase ? 'var' : 'const'} ${v} = await ${pool}.getConnection();\n`;
    switch (r.int(4)) {
      case 0:
        return `${acquire}${filler()}const [rows${v}] = await ${v}.query(${r.pick(SQL)}, [x]);\n${filler()}${r.chance(0.3) ? 'if (flag) return;\n' : ''}${v}.release();\n${r.chance(0.5) ? `return rows${v};` : ''}`;
      case 1:
        return `${acquire}await ${v}.beginTransaction();\n${filler()}await ${v}.query(${r.pick(SQL)});\n${r.chance(0.5) ? `await ${v}.commit();\n` : ''}${v}.release();`;
      case 2:
        return `${acquire}try {\n${filler()}return await ${v}.query(${r.pick(SQL)});\n} finally {\n${v}.release();\n}`;
      default:
        return `${acquire}try {\nawait ${v}.query(${r.pick(SQL)});\n${filler()}${v}.release();\n} catch (err) {\n${r.chance(0.5) ? `${v}.release();\n` : ''}throw err;\n}`;
    }
  }

  private acquire(ctx: Context, v: string): string {
    const r = this.random;
    const poolName = r.pick(PROMISE_POOLS);
    const method = poolName === 'pgPool' || r.chance(0.2) ? 'connect' : 'getConnection';
    if (!ctx.async) {
      return r.chance(0.5)
        ? `cbPool.getConnection((err, ${v}) => {\nif (err) return;\n${this.nested(this.inner(ctx, false)).slice(2, -2)}\n});`
        : `${poolName}.${method}().then((${v}) => ${this.nested(this.inner(ctx, false))}).catch((e) => console.error(e));`;
    }
    const call = `await ${r.chance(0.1) ? `${poolName}?.${method}?.()` : `${poolName}.${method}()`}`;
    return r.pick([
      `const ${v} = ${call};`,
      `let ${v} = ${call};`,
      `${v} = ${call};`,
      `const { ${v} } = { ${v}: ${call} };`,
      `const [${v}] = await Promise.all([${poolName}.${method}()]);`,
      ctx.inCase ? `var ${v} = ${call};` : `await using ${v} = ${call};`,
      `obj.${v} = ${call};`,
    ]);
  }

  private query(ctx: Context, v: string): string {
    const r = this.random;
    const sql = r.pick(SQL);
    if (!ctx.async || r.chance(0.15)) {
      return `${v}.query(${sql}, [x], (err, rows) => ${this.nested(this.inner(ctx, false))});`;
    }
    return r.pick([
      `await ${v}.query(${sql});`,
      `const [rows${String(this.counter++)}] = await ${v}.query(${sql}, [x]);`,
      `const { rows: r${String(this.counter++)} = [] } = await ${v}.query(${sql});`,
      `await ${v}?.query?.(${sql});`,
      `await ${v}.execute(${sql}, [x]);`,
      `x = (await ${v}.query(${sql}))[0];`,
      `await pgPool.query(${sql});`,
      `await ${v}.query(${sql}).catch((e) => { throw e; });`,
    ]);
  }

  private release(v: string): string {
    return this.random.pick([`${v}.release();`, `${v}?.release();`, `${v}.release(err);`, `${v}.destroy();`, `await ${v}.end();`.replace('await ', ''), `db.release(${v});`]);
  }

  private transaction(ctx: Context, v: string): string {
    const r = this.random;
    if (!ctx.async) return `${v}.beginTransaction((err) => { if (err) throw err; });`;
    return r.pick([
      `await ${v}.beginTransaction();`,
      `await ${v}.commit();`,
      `await ${v}.rollback();`,
      `await ${v}.query('BEGIN');`,
      `await ${v}.query('COMMIT');`,
      `await pgPool.query('BEGIN');`,
      `await withTransaction(pgPool, async (${v}) => ${this.nested(this.inner(ctx, true))});`,
      `await withConnection(pool, async (${v}) => ${this.nested(this.inner(ctx, true))});`,
    ]);
  }

  private plain(v: string): string {
    return this.random.pick([
      'x += 1;',
      'console.log(x);',
      `list.push(${v});`,
      `const { a${String(this.counter)}, b${String(this.counter)}: [d${String(this.counter++)}] = [] } = obj;`,
      `x = ${v} ?? obj.other;`,
      `obj.last = ${v}?.threadId;`,
      `${v}.on('error', (err) => console.error(err));`,
      `if (!${v}) throw new Error('no connection');`,
    ]);
  }

  private ifStatement(ctx: Context): string {
    const r = this.random;
    const cond = r.pick(['x > 1', 'flag', '!conn', 'client?.ready', 'xs.length === 0']);
    let text = `if (${cond}) ${this.nested(ctx)}`;
    if (r.chance(0.3)) text += ` else if (x === 2) ${this.nested(ctx)}`;
    if (r.chance(0.4)) text += ` else ${this.nested(ctx)}`;
    return text;
  }

  private tryStatement(ctx: Context): string {
    const r = this.random;
    const tryBlock = this.nested(ctx);
    const kind = r.int(4);
    const catchClause = `catch ${r.chance(0.8) ? '(err) ' : ''}${this.nested(ctx)}`;
    const finallyClause = `finally ${this.nested(ctx)}`;
    if (kind === 0) return `try ${tryBlock} ${catchClause}`;
    if (kind === 1) return `try ${tryBlock} ${finallyClause}`;
    return `try ${tryBlock} ${catchClause} ${finallyClause}`;
  }

  private loop(ctx: Context): string {
    const r = this.random;
    const label = r.chance(0.35) ? this.id('loop') : undefined;
    const inner: Partial<Context> = {
      inLoop: true,
      loopLabels: label ? [...ctx.loopLabels, label] : ctx.loopLabels,
      breakLabels: label ? [...ctx.breakLabels, label] : ctx.breakLabels,
    };
    const body = this.nested(ctx, inner);
    const head = r.pick([
      `for (let i = 0; i < 3; i += 1) ${body}`,
      `for (const item of xs) ${body}`,
      `for (const key in obj) ${body}`,
      `while (flag) ${body}`,
      `do ${body} while (x < 3);`,
      ...(ctx.async ? [`for await (const row of stream()) ${body}`] : []),
    ]);
    return label ? `${label}: ${head}` : head;
  }

  private switchStatement(ctx: Context): string {
    const r = this.random;
    const cases: string[] = [];
    const count = 1 + r.int(3);
    for (let i = 0; i < count; i += 1) {
      const body = [this.statement({ ...ctx, depth: ctx.depth + 1, inSwitch: true, inCase: true })];
      if (r.chance(0.6)) body.push('break;');
      cases.push(`case ${String(i)}:\n${body.join('\n')}`);
    }
    if (r.chance(0.5)) cases.push(`default:\n${this.statement({ ...ctx, depth: ctx.depth + 1, inSwitch: true, inCase: true })}`);
    return `switch (x) {\n${cases.join('\n')}\n}`;
  }

  private labelledBlock(ctx: Context): string {
    const label = this.id('block');
    return `${label}: ${this.nested(ctx, { breakLabels: [...ctx.breakLabels, label] })}`;
  }

  private callback(ctx: Context, v: string): string {
    const r = this.random;
    const asyncBody = (): string => this.nested(this.inner(ctx, true));
    const syncBody = (): string => this.nested(this.inner(ctx, false));
    return r.pick([
      `xs.forEach(async (n) => ${asyncBody()});`,
      `${ctx.async ? 'await ' : ''}Promise.all(xs.map(async (n) => ${asyncBody()}));`,
      `setTimeout(() => ${syncBody()}, 1);`,
      `const f${String(this.counter++)} = async () => ${asyncBody()};`,
      `function inner${String(this.counter++)}() ${syncBody()}`,
      `async function* gen${String(this.counter++)}() ${this.nested(this.inner(ctx, true, true))}`,
      `${v}.query('SELECT 1').then((res) => ${syncBody()}).finally(() => ${v}.release());`,
      `new Promise((resolve, reject) => ${syncBody()});`,
      `(async () => ${asyncBody()})();`,
    ]);
  }

  private exit(ctx: Context, v: string): string {
    const r = this.random;
    return r.pick([
      'return;',
      `return ${v};`,
      ...(ctx.async ? [`return await ${v}.query('SELECT 1');`, `return ${v}.query('SELECT 1');`] : []),
      "throw new Error('boom');",
      'return x > 1 ? obj : null;',
    ]);
  }

  private jump(ctx: Context): string {
    const r = this.random;
    const options: string[] = [];
    if (ctx.inLoop || ctx.inSwitch) options.push('break;');
    if (ctx.inLoop) options.push('continue;');
    for (const label of ctx.breakLabels) options.push(`break ${label};`);
    for (const label of ctx.loopLabels) options.push(`continue ${label};`);
    return `if (x === ${String(r.int(4))}) ${r.pick(options)}`;
  }
}
