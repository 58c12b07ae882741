// /users handlers: MySQL through the mysql2 promise API.
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { withConnection } from 'db-connection-guard/runtime';

import { pool } from './db.js';
import type { Request, Response } from './http.js';

// OK: pool.query() checks a connection out and gives it back by itself.
export async function getUser(req: Request, res: Response): Promise<void> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT id, name, email FROM users WHERE id = ?', [req.params['id']]);
  res.json(rows[0] ?? null);
}

// BUG: released only on the happy path. When the UPDATE throws (duplicate email, deadlock, lost
// connection) the connection never returns to the pool; after ten such errors every request hangs.
export async function updateEmail(req: Request, res: Response): Promise<void> {
  const conn = await pool.getConnection();
  await conn.query('UPDATE users SET email = ? WHERE id = ?', [req.body['email'], req.params['id']]);
  conn.release();
  res.status(204).end();
}

// BUG: the early return for an unknown user skips the release.
export async function deactivateUser(req: Request, res: Response): Promise<void> {
  const conn = await pool.getConnection();
  const [rows] = await conn.query<RowDataPacket[]>('SELECT active FROM users WHERE id = ?', [req.params['id']]);
  if (rows.length === 0) {
    res.status(404).json({ error: 'no such user' });
    return;
  }
  await conn.query('UPDATE users SET active = 0 WHERE id = ?', [req.params['id']]);
  conn.release();
  res.status(204).end();
}

// OK: try/finally releases on every path, including the early return and a failed query.
export async function renameUser(req: Request, res: Response): Promise<void> {
  const conn = await pool.getConnection();
  try {
    const [result] = await conn.query<ResultSetHeader>('UPDATE users SET name = ? WHERE id = ?', [req.body['name'], req.params['id']]);
    if (result.affectedRows === 0) {
      res.status(404).json({ error: 'no such user' });
      return;
    }
  } finally {
    conn.release();
  }
  res.status(204).end();
}

// OK: withConnection() releases the connection, and destroys it when the failure was the connection's.
export async function userSummary(req: Request, res: Response): Promise<void> {
  const summary = await withConnection(pool, async (conn) => {
    const [users] = await conn.query<RowDataPacket[]>('SELECT name FROM users WHERE id = ?', [req.params['id']]);
    const [orders] = await conn.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM orders WHERE user_id = ?', [req.params['id']]);
    return { name: users[0]?.['name'] as string | undefined, orders: Number(orders[0]?.['n'] ?? 0) };
  });
  res.json(summary);
}
