/**
 * classifyError on error objects shaped exactly like each driver's (from the drivers' sources, see
 * docs/runtime.md), then on real errors captured from the live servers; plus the statement analysis
 * that decides retries.
 */
import * as mariadb from 'mariadb';
import mysqljs from 'mysql';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  classifyError,
  type ErrorClass,
  isConnectionLimitError,
  isStaleConnectionError,
} from '../../src/runtime/index.js';
import { isReadOnlyStatement, transactionEffect } from '../../src/runtime/sql.js';
import {
  MYSQL,
  SKIP_MYSQL,
  SKIP_PG,
  killMysql,
  limitedMysqlUser,
  limitedPgRole,
  mysqlConfig,
  pgConfig,
  rejectionOf,
  terminatePg,
  waitFor,
} from './helpers/db.js';

/** An Error with the driver's extra properties. */
function shaped(message: string, props: Record<string, unknown> = {}, name?: string): Error {
  const err = Object.assign(new Error(message), props);
  if (name) err.name = name;
  return err;
}

const SHAPES: Array<[driver: string, err: unknown, expected: ErrorClass]> = [
  // mysql (mysqljs)
  ['mysql lost', shaped('Connection lost: The server closed the connection.', { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }), 'stale'],
  ['mysql socket', shaped('read ECONNRESET', { code: 'ECONNRESET', errno: -104, syscall: 'read', fatal: true }), 'stale'],
  ['mysql enqueue after fatal', shaped('Cannot enqueue Query after fatal error.', { code: 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR', fatal: false }), 'not-sent'],
  ['mysql enqueue after quit', shaped('Cannot enqueue Query after invoking quit.', { code: 'PROTOCOL_ENQUEUE_AFTER_QUIT', fatal: false }), 'not-sent'],
  ['mysql stray 4031', shaped('Received packet in the wrong sequence.', { code: 'PROTOCOL_STRAY_PACKET', fatal: true }), 'stale'],
  ['mysql client timeout', shaped('Query inactivity timeout', { code: 'PROTOCOL_SEQUENCE_TIMEOUT', fatal: true, timeout: 1000 }), 'timeout'],
  [
    'mysql handshake 1226 (fatal)',
    shaped("ER_USER_LIMIT_REACHED: User 'app' has exceeded the 'max_user_connections' resource (current value: 4)", {
      code: 'ER_USER_LIMIT_REACHED',
      errno: 1226,
      sqlState: '42000',
      fatal: true,
    }),
    'connection-limit',
  ],
  ['mysql pool connlimit', shaped('No connections available.', { code: 'POOL_CONNLIMIT' }), 'connection-limit'],
  ['mysql pool enqueue limit', shaped('Queue limit reached.', { code: 'POOL_ENQUEUELIMIT' }), 'connection-limit'],
  // mysql2
  ['mysql2 closed state (no code)', shaped("Can't add new command when connection is in closed state", { fatal: true }), 'not-sent'],
  [
    'mysql2 idle 4031 (numeric code)',
    shaped('The client was disconnected by the server because of inactivity. See wait_timeout and interactive_timeout for configuring this behavior.', { code: 4031, fatal: true }),
    'stale',
  ],
  ['mysql2 connect timeout (errorno)', shaped('connect ETIMEDOUT', { code: 'ETIMEDOUT', errorno: 'ETIMEDOUT', syscall: 'connect', fatal: true }), 'stale'],
  ['mysql2 query timeout', shaped('Query inactivity timeout', { code: 'PROTOCOL_SEQUENCE_TIMEOUT', errorno: 'PROTOCOL_SEQUENCE_TIMEOUT', syscall: 'query' }), 'timeout'],
  ['mysql2 pool no code', shaped('No connections available.'), 'connection-limit'],
  ['mysql2 pool queue', shaped('Queue limit reached.'), 'connection-limit'],
  ['mysql2 pool closed', shaped('Pool is closed.'), 'other'],
  ['read-only 1290', shaped('The MySQL server is running with the --read-only option', { code: 'ER_OPTION_PREVENTS_STATEMENT', errno: 1290, sqlState: 'HY000' }), 'not-sent'],
  ['read-only 1792', shaped("Cannot execute statement in a READ ONLY transaction.", { code: 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION', errno: 1792, sqlState: '25006' }), 'not-sent'],
  ['read-only 1836', shaped('Running in read-only mode', { code: 'ER_READ_ONLY_MODE', errno: 1836, sqlState: 'HY000' }), 'not-sent'],
  ['deadlock 1213 (sqlState 40001)', shaped('Deadlock found when trying to get lock; try restarting transaction', { code: 'ER_LOCK_DEADLOCK', errno: 1213, sqlState: '40001' }), 'deadlock'],
  ['lock wait 1205', shaped('Lock wait timeout exceeded; try restarting transaction', { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205, sqlState: 'HY000' }), 'timeout'],
  ['too many connections 1040 (08004)', shaped('Too many connections', { code: 'ER_CON_COUNT_ERROR', errno: 1040, sqlState: '08004' }), 'connection-limit'],
  ['global max_user_connections 1203', shaped("User app already has more than 'max_user_connections' active connections", { code: 'ER_TOO_MANY_USER_CONNECTIONS', errno: 1203, sqlState: '42000' }), 'connection-limit'],
  ['libmysqlclient 2006 via a proxy', shaped('MySQL server has gone away', { errno: 2006 }), 'stale'],
  ['libmysqlclient 2013', shaped('Lost connection to MySQL server during query', { errno: 2013 }), 'stale'],
  ['server shutdown 1053', shaped('Server shutdown in progress', { code: 'ER_SERVER_SHUTDOWN', errno: 1053, sqlState: '08S01' }), 'stale'],
  // mariadb connector
  ['mariadb socket close', shaped('socket has unexpectedly been closed', { code: 'ER_SOCKET_UNEXPECTED_CLOSE', errno: 45009, sqlState: '08S01', fatal: true }), 'stale'],
  ['mariadb closed connection', shaped('Cannot execute new commands: connection closed', { code: 'ER_CMD_CONNECTION_CLOSED', errno: 45013, sqlState: '08S01', fatal: true }), 'not-sent'],
  ['mariadb socket timeout (08S01)', shaped('socket timeout', { code: 'ER_SOCKET_TIMEOUT', errno: 45026, sqlState: '08S01', fatal: true }), 'timeout'],
  [
    'mariadb pool timeout',
    shaped('pool timeout: failed to retrieve a connection from pool after 10001ms\n    (pool connections: active=4 idle=0 limit=4)', {
      code: 'ER_GET_CONNECTION_TIMEOUT',
      errno: 45028,
      sqlState: 'HY000',
      fatal: false,
    }),
    'connection-limit',
  ],
  ['mariadb killed 1927', shaped('Connection was killed', { code: 'ER_CONNECTION_KILLED', errno: 1927, sqlState: '70100', fatal: true }), 'stale'],
  ['mariadb statement timeout 1969', shaped('Query execution was interrupted (max_statement_time exceeded)', { code: 'ER_STATEMENT_TIMEOUT', errno: 1969, sqlState: '70100', fatal: true }), 'timeout'],
  ['mariadb KILL QUERY 1317', shaped('Query execution was interrupted', { code: 'ER_QUERY_INTERRUPTED', errno: 1317, sqlState: '70100', fatal: true }), 'other'],
  ['mariadb 4031 is a trigger error', shaped('Referenced trigger for the given action time and event type does not exist', { code: 'ER_REFERENCED_TRG_DOES_NOT_EXIST', errno: 4031, sqlState: 'HY000' }), 'other'],
  // pg
  ['pg admin shutdown', shaped('terminating connection due to administrator command', { code: '57P01', severity: 'FATAL' }, 'error'), 'stale'],
  ['pg crash shutdown', shaped('terminating connection because of crash of another server process', { code: '57P02', severity: 'FATAL' }, 'error'), 'stale'],
  ['pg cannot connect now', shaped('the database system is starting up', { code: '57P03', severity: 'FATAL' }, 'error'), 'stale'],
  ['pg idle session timeout', shaped('terminating connection due to idle-session timeout', { code: '57P05', severity: 'FATAL' }, 'error'), 'stale'],
  ['pg idle in transaction timeout', shaped('terminating connection due to idle-in-transaction timeout', { code: '25P03', severity: 'FATAL' }, 'error'), 'stale'],
  ['pg connection failure 08006', shaped('connection failure', { code: '08006' }, 'error'), 'stale'],
  ['pg terminated (no code)', shaped('Connection terminated unexpectedly'), 'stale'],
  ['pg not queryable (error)', shaped('Client has encountered a connection error and is not queryable'), 'not-sent'],
  ['pg not queryable (closed)', shaped('Client was closed and is not queryable'), 'not-sent'],
  ['pg too many clients', shaped('sorry, too many clients already', { code: '53300', severity: 'FATAL' }, 'error'), 'connection-limit'],
  ['pg role limit', shaped('too many connections for role "app"', { code: '53300', severity: 'FATAL' }, 'error'), 'connection-limit'],
  ['pg-pool queue timeout', shaped('timeout exceeded when trying to connect'), 'connection-limit'],
  ['pg-pool connect timeout', shaped('Connection terminated due to connection timeout', { cause: shaped('Connection terminated unexpectedly') }), 'connection-limit'],
  ['pg deadlock', shaped('deadlock detected', { code: '40P01' }, 'error'), 'deadlock'],
  ['pg serialization', shaped('could not serialize access due to concurrent update', { code: '40001' }, 'error'), 'serialization'],
  ['pg statement timeout', shaped('canceling statement due to statement timeout', { code: '57014' }, 'error'), 'timeout'],
  ['pg lock timeout', shaped('canceling statement due to lock timeout', { code: '55P03' }, 'error'), 'timeout'],
  ['pg read-only transaction', shaped('cannot execute INSERT in a read-only transaction', { code: '25006' }, 'error'), 'not-sent'],
  ['pg unique violation', shaped('duplicate key value violates unique constraint "t_pkey"', { code: '23505' }, 'error'), 'other'],
  ['pg socket', shaped('read ECONNRESET', { code: 'ECONNRESET', errno: -104, syscall: 'read' }), 'stale'],
  // oracledb
  ['oracledb broken', shaped('NJS-500: connection to the Oracle Database was broken', { code: 'NJS-500', isRecoverable: true }), 'stale'],
  ['oracledb ORA-03113 recoverable', shaped('ORA-03113: end-of-file on communication channel', { code: 'ORA-03113', errorNum: 3113, isRecoverable: true }), 'stale'],
  ['oracledb closed', shaped('NJS-003: invalid or closed connection', { code: 'NJS-003' }), 'not-sent'],
  ['oracledb queue timeout', shaped('NJS-040: connection request timeout. Request exceeded "queueTimeout" of 60000', { code: 'NJS-040' }), 'connection-limit'],
  ['oracledb queue max', shaped('NJS-076: connection request rejected. Pool queue length "queueMax" 500 reached', { code: 'NJS-076' }), 'connection-limit'],
  ['oracledb deadlock', shaped('ORA-00060: deadlock detected while waiting for resource', { code: 'ORA-00060', errorNum: 60 }), 'deadlock'],
  ['oracledb serialization', shaped("ORA-08177: can't serialize access for this transaction", { code: 'ORA-08177', errorNum: 8177 }), 'serialization'],
  // mssql
  ['mssql socket', shaped('Connection lost - read ECONNRESET', { code: 'ESOCKET' }, 'ConnectionError'), 'stale'],
  ['mssql closed', shaped('Connection is closed.', { code: 'ECONNCLOSED' }, 'ConnectionError'), 'stale'],
  ['mssql not open', shaped('Connection not yet open.', { code: 'ENOTOPEN' }, 'ConnectionError'), 'not-sent'],
  ['mssql timeout', shaped('Timeout: Request failed to complete in 15000ms', { code: 'ETIMEOUT' }, 'RequestError'), 'timeout'],
  [
    'mssql deadlock (number 1205)',
    shaped('Transaction (Process ID 52) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.', { code: 'EREQUEST', number: 1205 }, 'RequestError'),
    'deadlock',
  ],
  // TypeORM, knex, tarn, generic-pool
  ['TypeORM QueryFailedError (driverError)', shaped('could not serialize access', { driverError: { code: '40001' } }, 'QueryFailedError'), 'serialization'],
  ['TypeORM already released', shaped('Query runner already released. Cannot run queries anymore.', {}, 'QueryRunnerAlreadyReleasedError'), 'not-sent'],
  ['knex acquire timeout', shaped('Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?', {}, 'KnexTimeoutError'), 'connection-limit'],
  ['generic-pool timeout', shaped('ResourceRequest timed out', {}, 'TimeoutError'), 'connection-limit'],
  ['tarn timeout', shaped('operation timed out for an unknown reason', {}, 'TimeoutError'), 'connection-limit'],
  ['AbortSignal.timeout is not a pool timeout', shaped('The operation was aborted due to timeout', {}, 'TimeoutError'), 'other'],
  // not errors at all
  ['undefined', undefined, 'other'],
  ['a string', 'ECONNRESET', 'other'],
  ['a number', 1226, 'other'],
];

describe('classifyError on driver-shaped errors', () => {
  it.each(SHAPES)('%s', (_name, err, expected) => {
    expect(classifyError(err)).toBe(expected);
    expect(isStaleConnectionError(err)).toBe(expected === 'stale' || expected === 'not-sent');
    expect(isConnectionLimitError(err)).toBe(expected === 'connection-limit');
  });

  it('follows cause chains, but not forever', () => {
    let err: Record<string, unknown> = { message: 'outer' };
    const root = err;
    for (let i = 0; i < 3; i++) {
      const cause: Record<string, unknown> = { message: `level ${i}` };
      err['cause'] = cause;
      err = cause;
    }
    err['code'] = '57P01';
    expect(classifyError(root)).toBe('stale');
    const loop: Record<string, unknown> = { message: 'loop' };
    loop['cause'] = loop;
    expect(classifyError(loop)).toBe('other');
  });
});

describe.skipIf(SKIP_MYSQL)('classifyError on real MariaDB errors', () => {
  it('mysql2: syntax error, 1226, KILL, then the closed-state error', async () => {
    const conn = await mysql.createConnection(MYSQL);
    conn.on('error', () => undefined);
    expect(classifyError(await rejectionOf(conn.query('SELEC 1')))).toBe('other');
    const account = await limitedMysqlUser('dbg_classify_my', 1);
    const first = await mysql.createConnection(mysqlConfig(account));
    const refused = await rejectionOf(mysql.createConnection(mysqlConfig(account)));
    await first.end();
    expect([refused['errno'], classifyError(refused)]).toEqual([1226, 'connection-limit']);

    const sleeping = rejectionOf(conn.query('SELECT SLEEP(5)'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await killMysql(conn.threadId);
    const lost = await sleeping;
    expect([lost['code'], classifyError(lost)]).toEqual(['PROTOCOL_CONNECTION_LOST', 'stale']);
    const closed = await rejectionOf(conn.query('SELECT 1'));
    expect([closed['code'], closed.message, classifyError(closed)]).toEqual([
      undefined,
      "Can't add new command when connection is in closed state",
      'not-sent',
    ]);
  });

  it('mariadb connector and mysqljs: statements after end() are never sent', async () => {
    const conn = await mariadb.createConnection(MYSQL);
    await conn.end();
    const closed = await rejectionOf(conn.query('SELECT 1'));
    expect([closed['code'], classifyError(closed)]).toEqual(['ER_CMD_CONNECTION_CLOSED', 'not-sent']);

    const legacy = mysqljs.createConnection(MYSQL);
    await new Promise((resolve) => legacy.end(resolve));
    const quit = await new Promise<unknown>((resolve) => legacy.query('SELECT 1', resolve));
    expect([(quit as { code: string }).code, classifyError(quit)]).toEqual(['PROTOCOL_ENQUEUE_AFTER_QUIT', 'not-sent']);
  });

  it('mysql2: a real lock wait timeout (1205) and deadlock-free duplicate key', async () => {
    const a = await mysql.createConnection(MYSQL);
    const b = await mysql.createConnection(MYSQL);
    try {
      await a.query('CREATE TABLE IF NOT EXISTS dbg_classify_my (id INT PRIMARY KEY) ENGINE=InnoDB');
      await a.query('INSERT IGNORE INTO dbg_classify_my VALUES (1)');
      expect(classifyError(await rejectionOf(a.query('INSERT INTO dbg_classify_my VALUES (1)')))).toBe('other');
      await a.query('START TRANSACTION');
      await a.query('SELECT * FROM dbg_classify_my WHERE id = 1 FOR UPDATE');
      await b.query('SET SESSION innodb_lock_wait_timeout = 1');
      const waited = await rejectionOf(b.query('UPDATE dbg_classify_my SET id = 1 WHERE id = 1'));
      expect([waited['errno'], classifyError(waited)]).toEqual([1205, 'timeout']);
    } finally {
      await a.query('ROLLBACK');
      await a.query('DROP TABLE IF EXISTS dbg_classify_my');
      await a.end();
      await b.end();
    }
  });
});

describe.skipIf(SKIP_PG)('classifyError on real PostgreSQL errors', () => {
  it('pg: terminate, not queryable, 53300, statement timeout, unique violation', async () => {
    const client = new pg.Client(pgConfig());
    const background: unknown[] = [];
    client.on('error', (e) => background.push(e));
    await client.connect();
    expect(classifyError(await rejectionOf(client.query('SELEC 1')))).toBe('other');
    await client.query("SET statement_timeout = '50ms'");
    const slow = await rejectionOf(client.query('SELECT pg_sleep(1)'));
    expect([slow['code'], classifyError(slow)]).toEqual(['57014', 'timeout']);
    await client.query('SET statement_timeout = 0');

    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const sleeping = rejectionOf(client.query('SELECT pg_sleep(5)'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await terminatePg(rows[0]!.pid);
    const killed = await sleeping;
    expect([killed['code'], classifyError(killed)]).toEqual(['57P01', 'stale']);
    // pg reports the same kill twice: 57P01 to the query, then the socket's end as an 'error' event.
    await waitFor(() => background.length, (n) => n > 0, 2000);
    const after = await rejectionOf(client.query('SELECT 1'));
    expect(classifyError(after)).toBe('not-sent');
    expect(background.map(classifyError).every((c) => c === 'stale')).toBe(true);

    const role = await limitedPgRole('dbg_classify_pg', 1);
    const first = new pg.Client(pgConfig(role));
    await first.connect();
    const second = new pg.Client(pgConfig(role));
    const refused = await rejectionOf(second.connect());
    await first.end();
    expect([refused['code'], classifyError(refused)]).toEqual(['53300', 'connection-limit']);
  });
});

describe('statement analysis for retries', () => {
  it.each([
    ['SELECT 1', true],
    ['  select * from t where id = 1', true],
    ['(SELECT 1) UNION (SELECT 2)', true],
    ['SHOW PROCESSLIST', true],
    ['EXPLAIN SELECT * FROM t', true],
    ['DESCRIBE t', true],
    ['WITH x AS (SELECT 1) SELECT * FROM x', true],
    ["SELECT 'insert into t' AS text", true],
    ['SELECT 1 /* delete */', true],
    ['SELECT update_count FROM t', true],
    ['WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone', false],
    ['SELECT * INTO new_table FROM t', false],
    ['SELECT * FROM t FOR UPDATE', false],
    ['EXPLAIN ANALYZE INSERT INTO t VALUES (1)', false],
    ['SELECT 1; DELETE FROM t', false],
    ['SELECT 1--1; DELETE FROM t', false],
    ['INSERT INTO t VALUES (1)', false],
    ['UPDATE t SET a = 1', false],
    ['CALL p()', false],
    ['BEGIN', false],
    ['', false],
  ])('isReadOnlyStatement(%j) is %s', (sql, expected) => {
    expect(isReadOnlyStatement(sql)).toBe(expected);
  });

  it.each([
    ['BEGIN', 'begin'],
    ['begin isolation level serializable', 'begin'],
    ['START TRANSACTION READ ONLY', 'begin'],
    ['COMMIT', 'commit'],
    ['END', 'commit'],
    ['ROLLBACK', 'rollback'],
    ['ABORT', 'rollback'],
    ['ROLLBACK TO SAVEPOINT s1', 'none'],
    ['ROLLBACK WORK TO s1', 'none'],
    ['/* begin */ SELECT 1', 'none'],
    ['SAVEPOINT s1', 'none'],
  ])('transactionEffect(%j) is %s', (sql, expected) => {
    expect(transactionEffect(sql)).toBe(expected);
  });
});
