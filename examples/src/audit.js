// Audit log writer: one MySQL connection kept for the life of the process.
import mysql from 'mysql2/promise';
import { reconnecting } from 'db-connection-guard/runtime';

const config = {
  host: process.env.MYSQL_HOST ?? '127.0.0.1',
  user: process.env.MYSQL_USER ?? 'shop',
  database: 'audit',
};

// BUG: a module-level connection with no handling for a lost connection and no 'error' listener.
// After the server's wait_timeout (8 hours by default), a restart or a failover, every write fails
// with "Connection lost: The server closed the connection." (PROTOCOL_CONNECTION_LOST) until the
// process restarts; an error while idle crashes it.
const connection = await mysql.createConnection(config);

export async function recordLogin(userId) {
  await connection.execute('INSERT INTO audit_log (user_id, action) VALUES (?, ?)', [userId, 'login']);
}

// OK: reconnecting() listens for 'error' and opens a new connection when the old one went stale.
const auditDb = reconnecting(() => mysql.createConnection(config));

export async function recordLogout(userId) {
  await auditDb.execute('INSERT INTO audit_log (user_id, action) VALUES (?, ?)', [userId, 'logout']);
}
