/**
 * Where the real database servers of this machine live. Tests that need a server read its URL from
 * the environment (MYSQL_URL / PG_URL) with the machine's defaults. In CI (CI=true) a missing server
 * is a failure, never a skip.
 */
export const MYSQL_URL = process.env['MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/test';
export const PG_URL = process.env['PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const IN_CI = process.env['CI'] === 'true' || process.env['CI'] === '1';

export interface MysqlParams {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export function mysqlParams(url: string = MYSQL_URL): MysqlParams {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, '') || 'test',
  };
}

export interface PgParams {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
}

export function pgParams(url: string = PG_URL): PgParams {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: u.pathname.replace(/^\//, '') || 'test',
  };
}
