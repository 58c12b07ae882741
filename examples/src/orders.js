// /orders data access: MySQL through the mysql2 callback API, as older services write it.
import mysql from 'mysql2';

const pool = mysql.createPool({
  host: process.env.MYSQL_HOST ?? '127.0.0.1',
  user: process.env.MYSQL_USER ?? 'shop',
  database: 'shop',
  connectionLimit: 10,
});

// BUG: `if (err) return callback(err)` in the query callback leaves before conn.release(): every
// failed query keeps a connection checked out.
export function listOrders(customerId, callback) {
  pool.getConnection((err, conn) => {
    if (err) return callback(err);
    conn.query('SELECT id, total, status FROM orders WHERE customer_id = ?', [customerId], (err, rows) => {
      if (err) return callback(err);
      conn.release();
      callback(null, rows);
    });
  });
}

// OK: release first, then look at the result.
export function countOrders(customerId, callback) {
  pool.getConnection((err, conn) => {
    if (err) return callback(err);
    conn.query('SELECT COUNT(*) AS n FROM orders WHERE customer_id = ?', [customerId], (err, rows) => {
      conn.release();
      if (err) return callback(err);
      callback(null, rows[0].n);
    });
  });
}

// OK: pool.query() for a single statement; no checkout to forget.
export function cancelOrder(orderId, callback) {
  pool.query("UPDATE orders SET status = 'cancelled' WHERE id = ?", [orderId], (err) => callback(err ?? null));
}
