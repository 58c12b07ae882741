import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { ERROR_EMITTERS, LISTENER_METHODS, NON_EMITTING_FACTORIES } from '../src/catalogue.js';
import { createRule } from '../src/create-rule.js';
import { memberName, methodCall, methodName, shortText } from '../src/analysis/ast.js';
import { callListeners } from '../src/analysis/calls.js';
import { driverContext, fileFact, mayAcquire, type DriverContext } from '../src/analysis/drivers.js';
import {
  analyzeCreation,
  classifyCreation,
  creationCandidateFilter,
  fieldNames,
  isCreationCandidate,
  listens,
  type Creation,
} from '../src/analysis/long-lived.js';
import { buildListenerFix } from './require-error-listener/fix.js';

export type Options = [];

export type MessageIds = 'missingErrorListener' | 'checkedOutClientWithoutListener' | 'suggestErrorListener';

export const RULE_NAME = 'require-error-listener';

export default createRule<Options, MessageIds>({
  name: RULE_NAME,
  meta: {
    type: 'problem',
    docs: {
      description: "Require an 'error' listener on long-lived database connections and pools whose unhandled 'error' event crashes the process",
      recommended: true,
    },
    hasSuggestions: true,
    messages: {
      missingErrorListener:
        "`{{source}}` creates a long-lived {{kind}} with no `'error'` listener: when {{when}}, the unhandled `'error'` event crashes the process. Add `.on('error', ...)` where it is created.",
      checkedOutClientWithoutListener:
        "The client from `{{source}}` is held {{how}} with no `'error'` listener of its own: the pool's listener does not cover a checked-out client, so an error between queries crashes the process. Add `.on('error', ...)` after checking it out.",
      suggestErrorListener: "Add `{{target}}.on('error', ...)` that logs the error{{then}}.",
    },
    schema: [],
  },
  create(context) {
    const ctx: DriverContext = driverContext(context);
    if (!mayAcquire(ctx)) return {};
    const creations: Creation[] = [];
    /** Member names with an `'error'` listener (`service.pool.on('error', ...)`): matched against fields. */
    const listenedMembers = new Set<string>();
    /** Whether the file names pg at all: asked only for checkouts whose pool was not traced. */
    const importsPg = (): boolean => fileFact(ctx, 'namesPg', (text) => /['"]pg(?:-pool)?['"]/.test(text));

    function collect(node: TSESTree.CallExpression | TSESTree.NewExpression): void {
      if (!isCreationCandidate(ctx, node)) return;
      const creation = classifyCreation(ctx, node);
      if (creation && emits(creation, importsPg)) creations.push(creation);
    }

    return {
      ...callListeners(context, {
        NewExpression: collect,
        calls: creationCandidateFilter(ctx, LISTENER_METHODS),
        CallExpression(node) {
          const method = methodName(node);
          const call = method !== undefined && LISTENER_METHODS.includes(method) ? methodCall(node) : undefined;
          if (call && call.receiver.type === AST_NODE_TYPES.MemberExpression) {
            const event = node.arguments[0];
            const name = memberName(call.receiver);
            if (name !== undefined && (event?.type !== AST_NODE_TYPES.Literal || event.value === 'error')) listenedMembers.add(name);
          }
          collect(node);
        },
      }),
      'Program:exit'() {
        for (const creation of creations) check(context, ctx, creation, listenedMembers);
      },
    };
  },
});

type Context = Readonly<TSESLint.RuleContext<MessageIds, Options>>;

/** Whether the object emits an `'error'` that crashes the process when nobody listens. */
function emits(creation: Creation, importsPg: () => boolean): boolean {
  const { kind, pkg, method } = creation;
  if (kind === 'checkout') return pkg ? pkg.driver === 'pg' : method === 'connect' && importsPg();
  if (!pkg || NON_EMITTING_FACTORIES.includes(method)) return false;
  return ERROR_EMITTERS[pkg.driver]?.includes(kind) ?? false;
}

function check(context: Context, ctx: DriverContext, creation: Creation, listenedMembers: ReadonlySet<string>): void {
  const reach = analyzeCreation(ctx, creation);
  // Handed to other code (a helper, a library, an unseen caller): it may attach the listener.
  if (reach.handedOff || reach.opaque.some((o) => o.reason === 'argument' || o.reason === 'container')) return;
  if (!reach.longLived && !(reach.exported && creation.kind !== 'checkout')) return;
  if (reach.listeners.some((listener) => listener.event === undefined || listener.event === 'error')) return;
  if ([...fieldNames(reach)].some((name) => listenedMembers.has(name))) return;
  const source = sourceLabel(context, creation);
  const listener = buildListenerFix(context.sourceCode, reach);
  const typedWithoutErrorEvent = creation.pkg?.driver === 'mariadb' && creation.kind === 'pool' && /\.[cm]?tsx?$/.test(context.filename);
  const suggest: TSESLint.ReportSuggestionArray<MessageIds> =
    listener && !typedWithoutErrorEvent
      ? [
          {
            messageId: 'suggestErrorListener',
            data: {
              target: listener.target,
              then: listener.empty === undefined ? '' : ` and empties \`${listener.target}\` so that it is created again`,
            },
            fix: listener.fix,
          },
        ]
      : [];
  if (creation.kind === 'checkout') {
    context.report({ node: creation.node, messageId: 'checkedOutClientWithoutListener', data: { source, how: listens(reach) ? 'for `LISTEN`' : 'beyond one call' }, suggest });
    return;
  }
  context.report({ node: creation.node, messageId: 'missingErrorListener', data: { source, ...describe(creation) }, suggest });
}

function describe(creation: Creation): { kind: string; when: string } {
  const driver = creation.pkg?.driver ?? 'database';
  if (driver === 'mssql') return { kind: 'mssql pool', when: 'a connection of the pool fails' };
  if (creation.kind === 'pool') {
    return driver === 'pg'
      ? { kind: 'pg pool', when: 'an idle client of the pool loses its connection' }
      : { kind: `${driver} pool`, when: 'the pool fails to create or clean up a connection' };
  }
  return { kind: `${driver} connection`, when: 'the server closes it while it is idle (restart, failover, idle timeout, a killed session)' };
}

function sourceLabel(context: Context, creation: Creation): string {
  const callee = shortText(context.sourceCode.getText(creation.node.callee));
  return creation.node.type === AST_NODE_TYPES.NewExpression ? `new ${callee}()` : `${callee}()`;
}
