// The service's connection pools.
import mysql from 'mysql2/promise';
import pg from 'pg';

// MySQL / MariaDB. A mysql2 pool handles errors of its idle connections itself.
export const pool = mysql.createPool({
  host: process.env['MYSQL_HOST'] ?? '127.0.0.1',
  user: process.env['MYSQL_USER'] ?? 'shop',
  password: process.env['MYSQL_PASSWORD'] ?? '',
  database: 'shop',
  connectionLimit: 10,
});

// BUG: no 'error' listener. When PostgreSQL restarts or an idle client is terminated, the pool
// emits 'error' and, with nobody listening, Node exits with "Unhandled 'error' event".
export const pgPool = new pg.Pool({
  connectionString: process.env['DATABASE_URL'] ?? 'postgres://shop@127.0.0.1/shop',
  max: 10,
});
