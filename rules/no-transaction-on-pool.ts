
import { createRule } from '../src/create-rule.js';
import { isMethodNamed, methodCall, shortText } from '../src/analysis/ast.js';
import { QUERY_METHODS } from '../src/catalogue.js';
import { callListeners, type CallFilter } from '../src/analysis/calls.js';
import { driverContext } from '../src/analysis/drivers.js';
import { isPoolLike, mayControlTransaction, queryTransactionStatement } from '../src/analysis/transactions.js';

export type Options = [];
export type MessageIds = 'transactionOnPool';

export const RULE_NAME = 'no-transaction-on-pool';

const QUERY_NAMES: ReadonlySet<string> = new Set(QUERY_METHODS);
const QUERY_CALLS: CallFilter = { methods: QUERY_NAMES, plain: false };

export default createRule<Options, MessageIds>({
  name: RULE_NAME,
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow transaction statements sent through a pool, where each query may use a different connection',
      recommended: true,
    },
    messages: {
      transactionOnPool:
        '`{{call}}` runs `{{statement}}` on whichever pooled connection is free, not on the one the next queries use, so the transaction does nothing (or stays open on a pooled connection). Check out a connection (or use `withTransaction()`) and run the transaction on it.',
    },
    schema: [],
  },
  create(context) {
    const ctx = driverContext(context);
    if (!mayControlTransaction(ctx)) return {};
    return callListeners(context, {
      calls: QUERY_CALLS,
      CallExpression(node) {
        if (!isMethodNamed(node, QUERY_NAMES)) return;
        const statement = queryTransactionStatement(node);
        const method = methodCall(node);
        if (!statement || !method || !isPoolLike(ctx, method.receiver)) return;
        context.report({
          node,
          messageId: 'transactionOnPool',
          data: {
            call: shortText(`${context.sourceCode.getText(node.callee)}()`),
            statement: shortText(context.sourceCode.getText(node.arguments[0]).replace(/^['"`]|['"`]$/g, '').trim()),
          },
        });
      },
    });
  },
});
