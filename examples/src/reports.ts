// /reports handlers: PostgreSQL through pg.
import { withConnection, withTransaction } from 'db-connection-guard/runtime';

import { pgPool } from './db.js';
import type { Request, Response } from './http.js';

// BUG: released only on the happy path. A failed query (a bad month, a statement timeout, a killed
// backend) keeps the client checked out; once all ten are gone, pgPool.connect() waits forever.
export async function monthlyRevenue(req: Request, res: Response): Promise<void> {
  const client = await pgPool.connect();
  const result = await client.query('SELECT day, sum(total) AS revenue FROM invoices WHERE month = $1 GROUP BY day', [req.query['month']]);
  client.release();
  res.json(result.rows);
}

// BUG: BEGIN through pool.query(). Each pool query may run on a different client, so BEGIN and
// COMMIT may not wrap the statements between them, and a client can go back to the pool inside an
// open transaction.
export async function closeMonth(req: Request, res: Response): Promise<void> {
  await pgPool.query('BEGIN');
  await pgPool.query('INSERT INTO closed_months (month) VALUES ($1)', [req.body['month']]);
  await pgPool.query('UPDATE invoices SET locked = true WHERE month = $1', [req.body['month']]);
  await pgPool.query('COMMIT');
  res.status(204).end();
}

// OK: one client for the whole transaction; rolled back on any error and always released.
export async function closeMonthSafely(req: Request, res: Response): Promise<void> {
  await withTransaction(pgPool, async (client) => {
    await client.query('INSERT INTO closed_months (month) VALUES ($1)', [req.body['month']]);
    await client.query('UPDATE invoices SET locked = true WHERE month = $1', [req.body['month']]);
  });
  res.status(204).end();
}

// OK: withConnection() releases the client on every path.
export async function topCustomers(req: Request, res: Response): Promise<void> {
  const report = await withConnection(pgPool, async (client) => {
    const top = await client.query('SELECT customer_id, sum(total) AS spent FROM invoices GROUP BY 1 ORDER BY 2 DESC LIMIT $1', [Number(req.query['limit'] ?? 10)]);
    const all = await client.query('SELECT sum(total) AS total FROM invoices');
    return { top: top.rows, total: all.rows[0]?.total ?? 0 };
  });
  res.json(report);
}
