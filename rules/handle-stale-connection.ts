import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { createRule } from '../src/create-rule.js';
import { shortText } from '../src/analysis/ast.js';
import { callListeners } from '../src/analysis/calls.js';
import { driverContext, mayAcquire, queryMethods, type DriverContext } from '../src/analysis/drivers.js';
import {
  analyzeCreation,
  classifyCreation,
  creationCandidateFilter,
  hasExplicitLifecycle,
  isCreationCandidate,
  isLateUse,
  type Reach,
  type Use,
} from '../src/analysis/long-lived.js';
import { buildStaleFixes, useLabel, type StaleFixes } from './handle-stale-connection/fix.js';
import { objectHandlesLoss, queryHandling } from './handle-stale-connection/handling.js';

export type Options = [
  {
    fix?: 'suggestion' | 'autofix' | 'none';
  },
];

export type MessageIds = 'rawQueryWithoutStaleHandling' | 'lostConnectionNotReplaced' | 'suggestReconnecting' | 'suggestPool';

export const RULE_NAME = 'handle-stale-connection';

const REMEDY_CONNECTION =
  'create it with `reconnecting()` from `db-connection-guard/runtime`, use a pool, or replace the connection when a query fails with a lost-connection error';
const REMEDY_CHECKOUT = 'query the pool itself, or check a connection out for each unit of work and release it';

export default createRule<Options, MessageIds>({
  name: RULE_NAME,
  meta: {
    type: 'problem',
    docs: {
      description: 'Require queries on long-lived database connections to survive a lost connection',
      recommended: true,
    },
    fixable: 'code',
    hasSuggestions: true,
    messages: {
      rawQueryWithoutStaleHandling:
        '`{{call}}()` runs on a long-lived {{what}} (line {{line}}) with no handling for a lost connection: once the server closes it (`wait_timeout`, restart, failover, `KILL`), this query and every later one fail. Instead, {{remedy}}.',
      lostConnectionNotReplaced:
        '`{{call}}()` runs on a long-lived {{what}} (line {{line}}); the handler on line {{handlerLine}} recognises a lost connection but does not replace it, so every later query fails too. Replace the connection in that handler, or create it with `reconnecting()` from `db-connection-guard/runtime`.',
      suggestReconnecting:
        'Create the connection with `reconnecting(() => ...)` from `db-connection-guard/runtime`: it reconnects after a lost connection.',
      suggestPool: 'Create a pool with `{{factory}}(...)` instead: it replaces broken connections.',
    },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          fix: {
            type: 'string',
            enum: ['suggestion', 'autofix', 'none'],
            description:
              'How to offer the `reconnecting()` rewrite: as an editor suggestion, as an autofix (applied by `--fix` and fix-on-save), or not at all. The pool rewrite is always a suggestion.',
          },
        },
      },
    ],
    defaultOptions: [{ fix: 'suggestion' }],
  },
  create(context, [options]) {
    const ctx: DriverContext = driverContext(context);
    if (!mayAcquire(ctx)) return {};
    const queryNames = queryMethods(ctx);
    const reported = new Set<TSESTree.Node>();
    const fixMode = options.fix ?? 'suggestion';

    function check(node: TSESTree.CallExpression | TSESTree.NewExpression): void {
      if (!isCreationCandidate(ctx, node)) return;
      const creation = classifyCreation(ctx, node);
      // Pools replace broken connections themselves; mssql's ConnectionPool is a pool too.
      if (!creation || creation.kind === 'pool' || creation.pkg?.driver === 'mssql') return;
      const reach = analyzeCreation(ctx, creation);
      if (!reach.longLived || hasExplicitLifecycle(ctx, reach)) return;
      const queries = reach.uses.filter((use) => queryNames.has(use.name) && use.holder?.longLived === true && isLateUse(reach, use));
      if (queries.length === 0 || objectHandlesLoss(ctx, reach)) return;
      let fixes: StaleFixes | undefined;
      for (const use of queries) {
        if (reported.has(use.call)) continue;
        const handling = queryHandling(ctx, reach, use);
        if (handling.type === 'handled') continue;
        reported.add(use.call);
        fixes ??= fixMode === 'none' ? { reconnecting: undefined, pool: undefined } : buildStaleFixes(ctx, reach);
        report(context, reach, use, handling.type === 'recognisedOnly' ? handling.handler : undefined, fixes, fixMode);
      }
    }

    return callListeners(context, { CallExpression: check, calls: creationCandidateFilter(ctx), NewExpression: check });
  },
});

type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;

function report(
  context: Context,
  reach: Reach,
  use: Use,
  handler: TSESTree.Node | undefined,
  fixes: StaleFixes,
  fixMode: Options[0]['fix'],
): void {
  const checkout = reach.creation.kind === 'checkout';
  const data = {
    call: shortText(useLabel(context.sourceCode, use)),
    what: checkout ? 'connection checked out of a pool' : 'connection',
    line: String(reach.creation.node.loc.start.line),
    remedy: checkout ? REMEDY_CHECKOUT : REMEDY_CONNECTION,
  };
  const suggest: TSESLint.ReportSuggestionArray<MessageIds> = [];
  if (fixes.reconnecting && fixMode === 'suggestion') suggest.push({ messageId: 'suggestReconnecting', fix: fixes.reconnecting });
  if (fixes.pool) suggest.push({ messageId: 'suggestPool', data: { factory: fixes.pool.factory }, fix: fixes.pool.fix });
  const fix = fixMode === 'autofix' ? (fixes.reconnecting ?? null) : null;
  if (handler) {
    context.report({
      node: use.member,
      messageId: 'lostConnectionNotReplaced',
      data: { call: data.call, what: data.what, line: data.line, handlerLine: String(handler.loc.start.line) },
      fix,
      suggest,
    });
    return;
  }
  context.report({ node: use.member, messageId: 'rawQueryWithoutStaleHandling', data, fix, suggest });
}
