/**
 * A TypeORM-shaped DataSource over a real pg Pool, for testing the helpers' TypeORM path without
 * installing TypeORM. It follows the contract of TypeORM's PostgresQueryRunner: `connect()` takes a
 * client from the pool, `release()` gives it back (without an error argument), `query()` resolves to
 * rows and refuses to run after release, `startTransaction()`/`commitTransaction()`/
 * `rollbackTransaction()` keep `isTransactionActive`.
 */
import type pg from 'pg';

export class QueryRunnerAlreadyReleasedError extends Error {
  constructor() {
    super('Query runner already released. Cannot run queries anymore.');
    this.name = 'QueryRunnerAlreadyReleasedError';
  }
}

export class QueryRunnerLike {
  isReleased = false;
  isTransactionActive = false;
  databaseConnection: pg.PoolClient | undefined;

  constructor(private readonly pool: pg.Pool) {}

  async connect(): Promise<pg.PoolClient> {
    this.databaseConnection ??= await this.pool.connect();
    return this.databaseConnection;
  }

  release(): Promise<void> {
    if (this.isReleased) return Promise.resolve();
    this.isReleased = true;
    this.databaseConnection?.release();
    return Promise.resolve();
  }

  async query(sql: string, params?: unknown[]): Promise<unknown[]> {
    if (this.isReleased) throw new QueryRunnerAlreadyReleasedError();
    const client = await this.connect();
    const result = await client.query<Record<string, unknown>>(sql, params);
    return result.rows;
  }

  async startTransaction(isolationLevel?: string): Promise<void> {
    this.isTransactionActive = true;
    await this.query('START TRANSACTION');
    if (isolationLevel) await this.query(`SET TRANSACTION ISOLATION LEVEL ${isolationLevel}`);
  }

  async commitTransaction(): Promise<void> {
    if (!this.isTransactionActive) throw new Error('Transaction is not started yet.');
    await this.query('COMMIT');
    this.isTransactionActive = false;
  }

  async rollbackTransaction(): Promise<void> {
    if (!this.isTransactionActive) throw new Error('Transaction is not started yet.');
    await this.query('ROLLBACK');
    this.isTransactionActive = false;
  }
}

export class DataSourceLike {
  constructor(readonly pool: pg.Pool) {}

  createQueryRunner(): QueryRunnerLike {
    return new QueryRunnerLike(this.pool);
  }
}
