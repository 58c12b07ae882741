import handleStaleConnection from '../rules/handle-stale-connection.js';
import noLeakedConnection from '../rules/no-leaked-connection.js';
import noLeakedTransaction from '../rules/no-leaked-transaction.js';
import noTransactionOnPool from '../rules/no-transaction-on-pool.js';
import noUseAfterRelease from '../rules/no-use-after-release.js';
import preferPoolQuery from '../rules/prefer-pool-query.js';
import requireErrorListener from '../rules/require-error-listener.js';

/** Every rule of the plugin, by name. Configs and docs are derived from this object. */
export const rules = {
  'handle-stale-connection': handleStaleConnection,
  'no-leaked-connection': noLeakedConnection,
  'no-leaked-transaction': noLeakedTransaction,
  'no-transaction-on-pool': noTransactionOnPool,
  'no-use-after-release': noUseAfterRelease,
  'prefer-pool-query': preferPoolQuery,
  'require-error-listener': requireErrorListener,
};
