/**
 * Every-path analysis of tracked connections on top of ESLint's code path analysis.
 *
 * ESLint's code paths give the normal control flow (branches, loops, early returns, explicit `throw`,
 * `finally` on both the normal and the leaving path), but no exception edge for a call or `await`
 * outside a `try`, and only one edge from a `try` block to its `catch`. So each awaited expression is
 * recorded as a throw point, and its exception is dispatched structurally: into the innermost
 * enclosing `catch` (whose entry segments then start with the connection held), through a `finally`
 * (which must release it on every path), or out of the function (a leak).
 *
 * The state of one connection is one bit: "may still be held". It flows forward from the segments
 * where it is acquired and only along paths where it is held, so the cost is proportional to the
 * live range of each connection.
 */
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';

import { isFunction, methodName, type FunctionNode } from './ast.js';
import { callListeners } from './calls.js';
import { attribute, joinRun, type RunShare } from './run.js';
import { isPresenceTest, type Continuation, type Resource, type ResourceEvent } from './resources.js';
import type { WalkGate } from './walk-gate.js';

type CodePath = TSESLint.CodePath;
type Segment = TSESLint.CodePathSegment;

type SegmentEvent =
  | ResourceEvent
  | { readonly type: 'throw'; readonly node: TSESTree.Node }
  | { readonly type: 'exit'; readonly node: ExitNode };

/** A statement that leaves a block: the blame of a leak found further along its path. */
export type ExitNode = TSESTree.BreakStatement | TSESTree.ContinueStatement | TSESTree.ReturnStatement | TSESTree.ThrowStatement;

/** Why a connection may stay held. */
export type Finding =
  /** An exception (rejected await, failed query) leaves the function with the connection held. */
  | { readonly type: 'exception'; readonly node: TSESTree.Node }
  /** A check event (e.g. the connection of an open transaction is released) while held. */
  | { readonly type: 'check'; readonly node: TSESTree.CallExpression }
  /** A normal exit (return, explicit throw, end of function) with the connection held. */
  | {
      readonly type: 'exit';
      readonly fn: FunctionNode;
      /** The last jump on the path (return, throw, break, continue), if any. */
      readonly node: ExitNode | undefined;
      /** The exit is in a continuation callback (or in the acquisition callback itself). */
      readonly inCallback: boolean;
    };

/**
 * How an exit reads in a message: "the function returns", "it throws" (in a callback), "the loop
 * continues", "the function reaches its end".
 */
export function describeExit(node: ExitNode | undefined, inCallback: boolean): string {
  const subject = inCallback ? 'it' : 'the function';
  switch (node?.type) {
    case undefined:
      return `${subject} reaches its end`;
    case AST_NODE_TYPES.ThrowStatement:
      return `${subject} throws`;
    case AST_NODE_TYPES.ReturnStatement:
      return `${subject} returns`;
    case AST_NODE_TYPES.BreakStatement:
      return 'the loop breaks';
    case AST_NODE_TYPES.ContinueStatement:
      return 'the loop continues';
  }
}

/** An event with its position in the order of recording. */
type Sequenced<E> = E & { readonly seq: number };

interface PathSets {
  readonly finalIds: Set<string>;
  /** Thrown final segments that ESLint reaches only through its implicit try-block edges. */
  readonly implicitThrowIds: Set<string>;
  readonly catchEntryIds: Set<string>;
}

/**
 * One code path (function) being walked. The maps are created when first written: most functions hold
 * nothing. Every field is set when the state is made (`undefined` until written), so that all states
 * share one shape and the walk's property reads stay monomorphic.
 */
interface PathState {
  readonly codePath: CodePath;
  readonly node: TSESTree.Node;
  /** The function's text can hold a tracked acquisition (walk-gate.ts): its calls are passed to the clients. */
  readonly candidate: boolean;
  /**
   * The function's structure is recorded: it is a candidate, or holds a resource on entry. Any other
   * function is never analysed, so nothing in it is recorded.
   */
  recording: boolean;
  /** What the gate alone decided (`candidate`, `recording`): in audit mode, both are on everywhere. */
  readonly gated: { readonly candidate: boolean; readonly recording: boolean };
  /** The segments being traversed: a shared empty set (never written) until the function records. */
  current: Set<Segment>;
  /** Per segment, each resource's own events in order (so a resource never scans another's). */
  events?: Map<string, Map<Resource, Sequenced<ResourceEvent>[]>>;
  /**
   * The throw points and exits of every segment, in order, shared by all resources: a flat list while
   * walking (recorded in every function), indexed by segment when a function with resources is analysed.
   */
  marks?: { readonly type: 'throw' | 'exit'; readonly node: TSESTree.Node; readonly seq: number; readonly segment: string }[];
  throws?: Map<string, Sequenced<Extract<SegmentEvent, { type: 'throw' }>>[]>;
  exits?: Map<string, Sequenced<Extract<SegmentEvent, { type: 'exit' }>>[]>;
  /** Segment sets of the code path, computed once when first needed. */
  sets?: PathSets;
  /** The order in which the reachable segments started (shared and empty until the function records). */
  order: Map<string, number>;
  /** Per resource, the latest segment (in start order) holding one of its events. */
  lastEventSegment?: Map<Resource, number>;
  /** Per segment, the earliest segment (in start order) it can reach: computed when first needed. */
  earliestReachable?: Map<string, number>;
  /** Resources held on entry (callback parameters and continuations). */
  readonly atEntry: readonly Resource[];
  /** Resources acquired here, with the segments of their acquisition. */
  acquired?: Map<Resource, Set<string>>;
  catchEntries?: Map<TSESTree.CatchClause, Segment[]>;
  finallyEntries?: Map<TSESTree.BlockStatement, Segment[]>;
  finallyExits?: Map<TSESTree.BlockStatement, Segment[]>;
  /**
   * For the test segment of `if (conn) ...` without `else`: the consequent's segments. On the other
   * edge (the test was false) the resource is not held, so that edge is not followed.
   */
  guardEdges?: Map<string, { resource: Resource; follow: Set<string> }[]>;
  /** The `if` statements being traversed, with the segments of their test (`a && b` forks). */
  ifFrames: { node: TSESTree.IfStatement; testSegments: Set<Segment>; inTest: boolean }[];
}

/** The fields of a `PathState` written only once needed: every state is made with them unset. */
type LazyField =
  | 'events'
  | 'marks'
  | 'throws'
  | 'exits'
  | 'sets'
  | 'lastEventSegment'
  | 'earliestReachable'
  | 'acquired'
  | 'catchEntries'
  | 'finallyEntries'
  | 'finallyExits'
  | 'guardEdges';

/**
 * What a function that does not record starts with, shared by all of them (most functions of a
 * file): nothing is written to these, and `startRecording` gives a function its own.
 */
const NOT_RECORDING = { current: new Set<Segment>(), order: new Map<string, number>(), ifFrames: [] as PathState['ifFrames'] };

/** What the gate decided for a function, one shared object per answer. */
const GATED = [
  [{ candidate: false, recording: false }, { candidate: false, recording: true }],
  [{ candidate: true, recording: false }, { candidate: true, recording: true }],
] as const;

/** Whether nothing was written to what functions that do not record share (for the tests). @internal */
export function notRecordingUntouched(): boolean {
  return NOT_RECORDING.current.size === 0 && NOT_RECORDING.order.size === 0 && NOT_RECORDING.ifFrames.length === 0;
}

/** Makes a function record from here on, with its own segment set, order and `if` frames. */
function startRecording(state: PathState): void {
  state.recording = true;
  if (state.current === NOT_RECORDING.current) {
    state.current = new Set();
    state.order = new Map();
    state.ifFrames = [];
  }
}

const NO_RESOURCES: readonly Resource[] = Object.freeze([]);

/** Called once per resource when the whole file has been analysed. */
export type ResourceCallback = (resource: Resource, findings: readonly Finding[]) => void;

/** What a rule tracks through the code paths. */
export interface FlowClient {
  /** Called for the call and `new` expressions (see `methods`); returns the resource acquired there, if any. */
  readonly track: (node: TSESTree.CallExpression | TSESTree.NewExpression) => Resource | undefined;
  /** Called once per resource with its findings, at the end of the file. */
  readonly onResource: ResourceCallback;
  /**
   * The method names whose calls (`x.name()`) can acquire a resource: other method calls are not
   * passed to `track`. Every other call (`f()`, `new X()`, computed callees) is.
   */
  readonly methods: ReadonlySet<string>;
  /**
   * Where in the file this client can track a resource (walk-gate.ts): the walk records and tracks
   * only the functions holding a candidate of some client (and those holding a resource on entry).
   * Without one, every function is.
   */
  readonly gate?: () => WalkGate;
  /**
   * Whether the walk can track anything in the file, for any of the walk's rules (walk-gate.ts:
   * `mayTrackAny`). Asked of the rule that drives the walk, when it is created: where it says no, the
   * walk does not run (no rule of the run gets its listeners), so the answer must hold for every client
   * and must not depend on which rules are on. Without one, the walk runs.
   */
  readonly trackable?: () => boolean;
}

/**
 * The rules that track resources through code paths in one lint run of one file, by the object their
 * contexts share (run.ts): the first rule to ask drives one walk for all of them.
 */
const sessions = new WeakMap<object, Session>();

interface Session extends RunShare {
  readonly clients: SessionClient[];
  /** In audit mode: the walk runs although `trackable` said it need not (a resource it registers is a miss). */
  readonly skippable: boolean;
}

/** A client of a session: `joinedAs` names the rule of one that joined another's walk (for `attribute`). */
interface SessionClient extends FlowClient {
  readonly joinedAs?: string;
}

const WHERE = 'the shared code-path walk';

/** Calls a client's function, saying in an error it throws which rule it came from. */
function callClient<R>(client: SessionClient, call: () => R): R {
  try {
    return call();
  } catch (error) {
    attribute(error, client.joinedAs, WHERE);
    throw error;
  }
}

/**
 * The walk gate (walk-gate.ts), for the tests that check it changes nothing: `on` (the default),
 * `off`, or `audit`: every function is recorded and every call of a candidate function tracked as
 * with `off`, and each resource the gate would have missed (in a function, or a call, that holds no
 * candidate) is counted in `gateStats.misses`.
 * @internal
 */
export function setWalkGate(mode: 'on' | 'off' | 'audit'): void {
  gateMode = mode;
}

let gateMode: 'on' | 'off' | 'audit' = 'on';

/**
 * What the gate decided, for the tests: code paths started, code paths recorded, calls passed to the
 * clients, and resources tracked (in audit mode) where the gate would have skipped them (a gap in the
 * gate). @internal
 */
export const gateStats = { paths: 0, recorded: 0, calls: 0, misses: 0, skipped: 0 };

const NO_GATE: WalkGate = { holdsCandidate: () => true, positions: undefined };

/**
 * Builds the listeners (the code-path handlers are typed here: `RuleListener` omits them) that track
 * the resources of `client` through code paths.
 *
 * The rules of one run share one walk: the first rule's listeners track the resources of all of them
 * (the dataflow of each resource is its own, so sharing changes no result), and the other rules get
 * no listeners. Where the contexts share no per-run object (a host that builds them otherwise), each
 * rule walks on its own.
 */
export function createFlowListeners(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>, client: FlowClient): TSESLint.RuleListener {
  const { join, begin } = joinRun(sessions, context);
  if (join) {
    join.clients.push({ ...client, joinedAs: context.id });
    return {};
  }
  const skippable = gateMode !== 'off' && client.trackable !== undefined && !callClient(client, client.trackable);
  if (skippable && gateMode === 'on') {
    // Nothing to track in the file: no walk. The rules that join the session get no listeners either;
    // `started` still marks when the traversal begins (see run.ts).
    gateStats.skipped++;
    const session = begin({ clients: [client], started: false, skippable });
    return {
      Program() {
        session.started = true;
      },
    };
  }
  return engineListeners(context, begin({ clients: [client], started: false, skippable }));
}

/**
 * The listeners of one walk, tracking the resources of every client of the session. Its calls come
 * through the shared call listener (calls.ts), so a call costs one ESLint dispatch for the walk and
 * the rules that look at calls one by one together.
 */
function engineListeners(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>, session: Session): TSESLint.RuleListener {
  const clients = session.clients;
  const stack: PathState[] = [];
  const anchors = new Map<TSESTree.Node, ResourceEvent[]>();
  const obligations = new Map<TSESTree.Node, Resource[]>();
  const findings = new Map<Resource, Finding[]>();
  const owners = new Map<Resource, SessionClient>();
  // The structure (try entries, `if` tests, throw points, exits) is recorded in every function,
  // whether or not a resource is tracked there yet: a loop brings the code before an acquisition
  // round again with the connection held, and what one rule sees must not depend on whether
  // another rule's resource was registered earlier in the file. Only the events of registered
  // resources (anchors) wait for something to be registered.
  let registered = 0;
  let gate: WalkGate | undefined;

  function top(): PathState | undefined {
    return stack[stack.length - 1];
  }

  function isActive(state: PathState | undefined): state is PathState {
    return state !== undefined && (state.atEntry.length > 0 || state.acquired !== undefined);
  }

  let sequence = 0;

  function record(state: PathState, event: SegmentEvent): void {
    const seq = sequence++;
    for (const segment of state.current) {
      if (event.type === 'throw' || event.type === 'exit') (state.marks ??= []).push({ type: event.type, node: event.node, seq, segment: segment.id });
      else {
        const events = (state.events ??= new Map());
        let byResource = events.get(segment.id);
        if (!byResource) {
          byResource = new Map();
          events.set(segment.id, byResource);
        }
        const list = byResource.get(event.resource);
        if (list) list.push({ ...event, seq });
        else byResource.set(event.resource, [{ ...event, seq }]);
        const order = state.order.get(segment.id) ?? 0;
        const last = (state.lastEventSegment ??= new Map());
        if (order > (last.get(event.resource) ?? -1)) last.set(event.resource, order);
      }
    }
  }

  function register(resource: Resource, client: SessionClient): void {
    findings.set(resource, []);
    owners.set(resource, client);
    for (const [node, events] of resource.events) {
      const list = anchors.get(node);
      if (list) list.push(...events);
      else anchors.set(node, [...events]);
    }
    if (session.skippable) gateStats.misses++;
    if (resource.atEntry) addObligation(resource.owner, resource);
    for (const continuation of resource.continuations.values()) {
      if (!continuation.inline) addObligation(continuation.fn, resource);
    }
    registered++;
  }

  function addObligation(fn: TSESTree.Node, resource: Resource): void {
    const list = obligations.get(fn);
    if (list) list.push(resource);
    else obligations.set(fn, [resource]);
  }

  function flushAnchor(node: TSESTree.Node): void {
    const events = anchors.get(node);
    const state = top();
    if (!events || !state) return;
    for (const event of events) {
      if (event.type === 'acquire' && !state.gated.recording) gateStats.misses++;
      if (!state.recording) {
        // Events of another function's resources are never analysed here; an acquisition here
        // would be a gap in the gate (none is known): record what is left of the function.
        if (event.type !== 'acquire') continue;
        startRecording(state);
      }
      if (event.type === 'acquire') {
        const acquired = (state.acquired ??= new Map());
        const segments = acquired.get(event.resource) ?? new Set<string>();
        for (const segment of state.current) segments.add(segment.id);
        acquired.set(event.resource, segments);
      } else if (event.type === 'release' && event.how === 'transfer') {
        const continuation = continuationAt(event.resource, node);
        if (continuation?.successOnly) record(state, { type: 'throw', node });
      }
      record(state, event);
    }
  }

  /**
   * Passes a call of a candidate function to the clients that can track it. `inGate`: whether the
   * call's own range holds a candidate of the gate; a call that holds none can acquire nothing (its
   * method name, the imported or local name it calls, the constructor it builds or the statement it
   * sends is the candidate, and lies within it), so outside audit mode it is not passed at all.
   */
  function trackCall(state: PathState, node: TSESTree.CallExpression | TSESTree.NewExpression, inGate: boolean): void {
    gateStats.calls++;
    const method = node.type === AST_NODE_TYPES.CallExpression ? methodName(node) : undefined;
    for (const client of clients) {
      if (method !== undefined && !client.methods.has(method)) continue;
      // As callClient does, inline: this runs for every call of a recorded function.
      let resource: Resource | undefined;
      try {
        resource = client.track(node);
      } catch (error) {
        attribute(error, client.joinedAs, WHERE);
        throw error;
      }
      if (!resource) continue;
      if (!state.gated.candidate || !inGate) gateStats.misses++;
      register(resource, client);
    }
  }

  function onNode(node: TSESTree.Node): void {
    if (registered > 0) flushAnchor(node);
  }

  function onCall(node: TSESTree.CallExpression | TSESTree.NewExpression): void {
    const state = top();
    if (!state?.recording) return;
    // Outside the gate's candidates no call can be tracked: only events of resources held on entry.
    if (state.candidate) {
      const inGate = (gate as WalkGate).holdsCandidate(node.range[0], node.range[1]);
      if (inGate || gateMode === 'audit') trackCall(state, node, inGate);
    }
    onNode(node);
  }

  return {
    ...callListeners(context, { CallExpression: onCall, NewExpression: onCall }),
    onCodePathStart(codePath: CodePath, node: TSESTree.Node) {
      session.started = true;
      gate ??= gateMode === 'off' ? NO_GATE : sessionGate(clients);
      const atEntry = obligations.get(node) ?? NO_RESOURCES;
      const candidate = gate.holdsCandidate(node.range[0], node.range[1]);
      const gated = GATED[candidate ? 1 : 0][candidate || atEntry.length > 0 ? 1 : 0];
      gateStats.paths++;
      if (gated.recording) gateStats.recorded++;
      const audit = gateMode === 'audit';
      const recording = audit || gated.recording;
      stack.push(({
        codePath,
        node,
        candidate: audit || gated.candidate,
        recording,
        gated,
        current: recording ? new Set<Segment>() : NOT_RECORDING.current,
        order: recording ? new Map<string, number>() : NOT_RECORDING.order,
        atEntry,
        ifFrames: recording ? [] : NOT_RECORDING.ifFrames,
        events: undefined,
        marks: undefined,
        throws: undefined,
        exits: undefined,
        sets: undefined,
        lastEventSegment: undefined,
        earliestReachable: undefined,
        acquired: undefined,
        catchEntries: undefined,
        finallyEntries: undefined,
        finallyExits: undefined,
        guardEdges: undefined,
        // Checked as a state with every lazy field unset; `PathState` spells those fields optional.
      } satisfies Omit<PathState, LazyField> & Record<LazyField, undefined>) as unknown as PathState);
    },
    onCodePathEnd(_codePath: CodePath, node: TSESTree.Node) {
      const state = stack.pop();
      if (isActive(state)) analysePath(state, findings);
      if (node.type === AST_NODE_TYPES.Program) {
        for (const [resource, list] of findings) {
          const owner = owners.get(resource);
          if (owner) callClient(owner, () => owner.onResource(resource, list));
        }
      }
    },
    onCodePathSegmentStart(segment: Segment, node: TSESTree.Node) {
      const state = top();
      if (!state?.recording) return;
      state.current.add(segment);
      state.order.set(segment.id, state.order.size);
      const frame = innermostIf(state, node);
      if (frame?.inTest) {
        if (frame.node.consequent === node) frame.inTest = false;
        else frame.testSegments.add(segment);
      }
      noteTryEntry(state, segment, node);
      if (isActive(state)) {
        recordGuardKills(state, node, (event) => record(state, event));
        noteGuardEdges(state, segment, node, frame);
      }
    },
    onCodePathSegmentEnd(segment: Segment) {
      const state = top();
      if (state?.recording) state.current.delete(segment);
    },
    'BlockStatement:exit'(node: TSESTree.BlockStatement) {
      const state = top();
      if (!state?.recording || node.parent.type !== AST_NODE_TYPES.TryStatement || node.parent.finalizer !== node) return;
      (state.finallyExits ??= new Map()).set(node, [...state.current]);
    },
    // One listener per node type, each doing in order what ESLint called separate listeners for
    // before (they were merged to save dispatches): an `if` opens its frame, then its anchor events
    // are flushed; a `return` flushes its anchor events, then marks the exit.
    IfStatement(node: TSESTree.IfStatement) {
      const state = top();
      if (state?.recording) {
        innermostIf(state, node);
        state.ifFrames.push({ node, testSegments: new Set(state.current), inTest: true });
      }
      onNode(node);
    },
    'LogicalExpression, YieldExpression'(node: TSESTree.Node) {
      onNode(node);
    },
    ReturnStatement(node: TSESTree.ReturnStatement) {
      onNode(node);
      const state = top();
      if (state?.recording) record(state, { type: 'exit', node });
    },
    'ThrowStatement, BreakStatement, ContinueStatement'(node: ExitNode) {
      const state = top();
      if (state?.recording) record(state, { type: 'exit', node });
    },
    'VariableDeclarator, AssignmentExpression:exit'(node: TSESTree.Node) {
      onNode(node);
    },
    'AwaitExpression:exit'(node: TSESTree.AwaitExpression) {
      const state = top();
      if (!state?.recording) return;
      record(state, { type: 'throw', node });
      onNode(node);
    },
  } as unknown as TSESLint.RuleListener;
}

/** A gate that lets through every client's candidates: one shared gate, their union, or none. */
function sessionGate(clients: readonly SessionClient[]): WalkGate {
  const gates = new Set<WalkGate>();
  for (const client of clients) {
    const gate = client.gate && callClient(client, client.gate);
    if (!gate) return NO_GATE;
    gates.add(gate);
  }
  const list = [...gates];
  return list.length === 1 ? (list[0] as WalkGate) : { holdsCandidate: (start, end) => list.some((gate) => gate.holdsCandidate(start, end)), positions: undefined };
}

function continuationAt(resource: Resource, call: TSESTree.Node): Continuation | undefined {
  for (const continuation of resource.continuations.values()) {
    if (continuation.call === call) return continuation;
  }
  return undefined;
}

function noteTryEntry(state: PathState, segment: Segment, node: TSESTree.Node): void {
  if (node.type === AST_NODE_TYPES.CatchClause) {
    push((state.catchEntries ??= new Map()), node, segment);
  } else if (node.type === AST_NODE_TYPES.BlockStatement && node.parent.type === AST_NODE_TYPES.TryStatement && node.parent.finalizer === node) {
    push((state.finallyEntries ??= new Map()), node, segment);
  }
}

/** Indexes the throw points and exits by segment, once, before a function with resources is analysed. */
function indexMarks(state: PathState): void {
  if (state.throws) return;
  const throws: NonNullable<PathState['throws']> = new Map();
  const exits: NonNullable<PathState['exits']> = new Map();
  for (const mark of state.marks ?? []) {
    if (mark.type === 'throw') append(throws, mark.segment, { type: 'throw', node: mark.node, seq: mark.seq });
    else append(exits, mark.segment, { type: 'exit', node: mark.node as ExitNode, seq: mark.seq });
  }
  state.throws = throws;
  state.exits = exits;
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function push<K>(map: Map<K, Segment[]>, key: K, segment: Segment): void {
  const list = map.get(key);
  if (list) list.push(segment);
  else map.set(key, [segment]);
}

/**
 * The innermost `if` statement being traversed around `node` (or `node` itself), once the frames of
 * those already left are dropped. Frames are dropped here rather than on `IfStatement:exit`, which
 * would cost an ESLint dispatch for every `if` of the file: every node the walk sees after an `if`
 * was left lies outside it (ESLint's segment events at the `if`'s own exit come before its `:exit`
 * listeners, and name the `if` itself), so a frame whose range does not hold `node` is left.
 */
function innermostIf(state: PathState, node: TSESTree.Node): PathState['ifFrames'][number] | undefined {
  const frames = state.ifFrames;
  let frame = frames.at(-1);
  while (frame && (node.range[0] < frame.node.range[0] || node.range[1] > frame.node.range[1])) {
    frames.pop();
    frame = frames.at(-1);
  }
  return frame;
}

/**
 * At the start of a branch of `if (err)` / `if (!conn)`: on the branch where the acquisition failed
 * (its error is set, or the connection is unset) there is nothing to release.
 */
function recordGuardKills(state: PathState, node: TSESTree.Node, emit: (event: ResourceEvent) => void): void {
  const parent = node.parent;
  if (parent?.type !== AST_NODE_TYPES.IfStatement) return;
  const branchIsConsequent = parent.consequent === node;
  if (!branchIsConsequent && parent.alternate !== node) return;
  for (const resource of trackedIn(state)) {
    const held = resource.guard(parent.test);
    if (held !== undefined && held !== branchIsConsequent) emit({ type: 'kill', resource });
    if (resource.errorParam) {
      const failed = isPresenceTest(parent.test, resource.errorParam);
      if (failed !== undefined && failed === branchIsConsequent) emit({ type: 'kill', resource });
    }
  }
}

/**
 * At the start of the consequent of `if (conn)` (no `else`): from the segments of the test (several
 * with `a && b`), only the edges into the test's own segments and into the consequent can carry the
 * resource; the others are taken when the test is false, and then nothing is held. `frame` is
 * `innermostIf(state, node)`, which the caller has read already.
 */
function noteGuardEdges(state: PathState, segment: Segment, node: TSESTree.Node, frame: PathState['ifFrames'][number] | undefined): void {
  const parent = node.parent;
  if (parent?.type !== AST_NODE_TYPES.IfStatement || parent.consequent !== node || parent.alternate || frame?.node !== parent) return;
  for (const resource of trackedIn(state)) {
    if (resource.guard(parent.test) !== true) continue;
    const follow = new Set([segment.id, ...[...frame.testSegments].map((s) => s.id)]);
    for (const test of frame.testSegments) {
      const guardEdges = (state.guardEdges ??= new Map());
      const list = guardEdges.get(test.id) ?? [];
      const entry = list.find((e) => e.resource === resource);
      if (entry) for (const id of follow) entry.follow.add(id);
      else list.push({ resource, follow: new Set(follow) });
      guardEdges.set(test.id, list);
    }
  }
}

/** The successors of a segment along which the resource can still be held. */
function heldSuccessors(state: PathState, segment: Segment, resource: Resource): Segment[] {
  const guard = state.guardEdges?.get(segment.id)?.find((e) => e.resource === resource);
  return guard ? segment.nextSegments.filter((next) => guard.follow.has(next.id)) : segment.nextSegments;
}

function trackedIn(state: PathState): readonly Resource[] {
  return state.acquired ? [...state.atEntry, ...state.acquired.keys()] : state.atEntry;
}

/** Runs the dataflow of each resource of a finished code path and stores its findings. */
function analysePath(state: PathState, findings: Map<Resource, Finding[]>): void {
  const fn = state.node;
  if (!isFunction(fn)) return;
  indexMarks(state);
  for (const resource of state.atEntry) {
    const list = findings.get(resource);
    if (list) list.push(...flowResource(state, fn, resource, [state.codePath.initialSegment.id], true));
  }
  for (const [resource, segments] of state.acquired ?? []) {
    const list = findings.get(resource);
    if (list) list.push(...flowResource(state, fn, resource, [...segments], false));
  }
}

function flowResource(
  state: PathState,
  fn: FunctionNode,
  resource: Resource,
  starts: string[],
  heldAtStart: boolean,
): Finding[] {
  const segments = segmentIndex(state.codePath);
  const heldIn = new Set<string>(heldAtStart ? starts : []);
  const processed = new Map<string, boolean>();
  const work = [...starts];
  const found: Finding[] = [];
  const { finalIds, implicitThrowIds, catchEntryIds } = pathSets(state);
  const inCallback = resource.atEntry ? resource.owner === fn || resource.continuations.has(fn) : resource.continuations.has(fn);
  const obligation = resource.mode !== 'state';
  // A state (use after release) matters only where one of its events can still be reached: stop
  // at segments from which no segment holding one is reachable (linear for thousands of checkouts).
  const reach = obligation ? undefined : earliestReachable(state, segments);
  const lastEvent = state.lastEventSegment?.get(resource) ?? -1;
  const blame = new Map<string, ExitNode | undefined>();
  const enqueue = (id: string, by?: ExitNode): void => {
    if (heldIn.has(id) || (reach && (reach.get(id) ?? Number.POSITIVE_INFINITY) > lastEvent)) return;
    heldIn.add(id);
    blame.set(id, by);
    work.push(id);
  };

  while (work.length > 0) {
    const id = work.pop() as string;
    const entry = heldIn.has(id);
    if (processed.get(id) === entry) continue;
    processed.set(id, entry);
    const throws = state.throws?.get(id) ?? [];
    // Throw points matter only while the resource is held: visit those between its own events.
    const dispatchHeld = (from: number, to: number): void => {
      if (!obligation) return;
      for (let i = firstAfter(throws, from); i < throws.length && (throws[i] as Sequenced<{ node: TSESTree.Node }>).seq < to; i++) {
        dispatchThrow(state, fn, resource, (throws[i] as Sequenced<{ node: TSESTree.Node }>).node, enqueue, found);
      }
    };
    let held = entry;
    let cursor = -1;
    let lastAcquire = -1;
    for (const event of state.events?.get(id)?.get(resource) ?? []) {
      if (held) dispatchHeld(cursor, event.seq);
      cursor = event.seq;
      switch (event.type) {
        case 'acquire':
          held = true;
          lastAcquire = event.seq;
          break;
        case 'release':
        case 'kill':
          held = false;
          break;
        case 'check':
          if (held) found.push({ type: 'check', node: event.node });
          break;
      }
    }
    if (!held) continue;
    dispatchHeld(cursor, Number.POSITIVE_INFINITY);
    const exits = state.exits?.get(id) ?? [];
    const last = exits.at(-1);
    const lastExit = lastAcquire >= 0 ? (last && last.seq > lastAcquire ? last.node : undefined) : (last?.node ?? blame.get(id));
    const explicitThrow = lastExit?.type === AST_NODE_TYPES.ThrowStatement;
    if (obligation && finalIds.has(id) && (explicitThrow || !implicitThrowIds.has(id))) {
      found.push({ type: 'exit', fn, node: lastExit, inCallback });
    }
    const segment = segments.get(id);
    for (const next of segment ? heldSuccessors(state, segment, resource) : []) {
      if (!catchEntryIds.has(next.id) || explicitThrow) enqueue(next.id, lastExit);
    }
  }
  return found;
}

/**
 * For each segment, the earliest start order among the segments it can reach (itself included).
 * A fixpoint over the graph: loops make a later segment reach earlier ones.
 */
function earliestReachable(state: PathState, segments: Map<string, Segment>): Map<string, number> {
  if (state.earliestReachable) return state.earliestReachable;
  const earliest = new Map<string, number>();
  const ordered = [...segments.values()].sort((a, b) => (state.order.get(b.id) ?? 0) - (state.order.get(a.id) ?? 0));
  for (const segment of ordered) earliest.set(segment.id, state.order.get(segment.id) ?? 0);
  for (let changed = true; changed; ) {
    changed = false;
    for (const segment of ordered) {
      let best = earliest.get(segment.id) ?? 0;
      for (const next of segment.nextSegments) best = Math.min(best, earliest.get(next.id) ?? best);
      if (best < (earliest.get(segment.id) ?? 0)) {
        earliest.set(segment.id, best);
        changed = true;
      }
    }
  }
  state.earliestReachable = earliest;
  return earliest;
}

/** Index of the first event recorded after `seq` (binary search: the list is in recording order). */
function firstAfter(list: readonly { readonly seq: number }[], seq: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((list[mid] as { seq: number }).seq <= seq) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * ESLint links the start and the end of every try block to its catch (and to the leaving path of its
 * finally) as if they could throw. Exceptions are modelled by throw points here, so those edges are
 * followed only from an explicit `throw`.
 */
function pathSets(state: PathState): PathSets {
  if (state.sets) return state.sets;
  const returnedIds = new Set(state.codePath.returnedSegments.map((s) => s.id));
  state.sets = {
    finalIds: new Set(state.codePath.finalSegments.map((s) => s.id)),
    implicitThrowIds: new Set(state.codePath.thrownSegments.map((s) => s.id).filter((sid) => !returnedIds.has(sid))),
    catchEntryIds: new Set([...(state.catchEntries?.values() ?? [])].flat().map((s) => s.id)),
  };
  return state.sets;
}

const segmentIndexCache = new WeakMap<CodePath, Map<string, Segment>>();

function segmentIndex(codePath: CodePath): Map<string, Segment> {
  const cached = segmentIndexCache.get(codePath);
  if (cached) return cached;
  const index = new Map<string, Segment>();
  const work: Segment[] = [codePath.initialSegment];
  while (work.length > 0) {
    const segment = work.pop() as Segment;
    if (index.has(segment.id)) continue;
    index.set(segment.id, segment);
    work.push(...segment.nextSegments);
  }
  segmentIndexCache.set(codePath, index);
  return index;
}

/** Where an exception thrown at `node` goes while the connection is held. */
function dispatchThrow(
  state: PathState,
  fn: FunctionNode,
  resource: Resource,
  node: TSESTree.Node,
  enqueue: (id: string, by?: ExitNode) => void,
  found: Finding[],
): void {
  for (let handler = tryAbove(node, fn); handler; handler = tryAbove(handler.statement, fn)) {
    const { statement, role } = handler;
    if (role === 'block' && statement.handler) {
      for (const segment of state.catchEntries?.get(statement.handler) ?? []) enqueue(segment.id);
      return;
    }
    if (role !== 'finalizer' && statement.finalizer && finallyReleases(state, statement.finalizer, resource)) return;
  }
  found.push({ type: 'exception', node });
}

/** The innermost `try` statement around a node (within its function), and which part holds the node. */
interface TryAbove {
  readonly statement: TSESTree.TryStatement;
  readonly role: 'block' | 'handler' | 'finalizer';
}

const tryAboveCache = new WeakMap<TSESTree.Node, TryAbove | null>();

/** Memoised along the walked path: deep nesting (long else-if chains) stays linear. */
function tryAbove(node: TSESTree.Node, fn: FunctionNode): TryAbove | undefined {
  const walked: TSESTree.Node[] = [];
  let child: TSESTree.Node = node;
  let parent = node.parent;
  let found: TryAbove | null = null;
  while (parent && parent !== fn && !isFunction(parent)) {
    const cached = tryAboveCache.get(child);
    if (cached !== undefined) {
      found = cached;
      break;
    }
    walked.push(child);
    if (parent.type === AST_NODE_TYPES.TryStatement) {
      const role = child === parent.block ? 'block' : child === parent.handler ? 'handler' : 'finalizer';
      found = { statement: parent, role };
      break;
    }
    child = parent;
    parent = parent.parent;
  }
  for (const step of walked) tryAboveCache.set(step, found);
  return found ?? undefined;
}

/** Whether a `finally` block entered with the connection held releases it on every path through it. */
function finallyReleases(state: PathState, block: TSESTree.BlockStatement, resource: Resource): boolean {
  const entries = state.finallyEntries?.get(block) ?? [];
  const exits = new Set((state.finallyExits?.get(block) ?? []).map((s) => s.id));
  if (entries.length === 0) return false;
  const seen = new Set<string>();
  const work = [...entries];
  while (work.length > 0) {
    const segment = work.pop() as Segment;
    if (seen.has(segment.id)) continue;
    seen.add(segment.id);
    let held = true;
    for (const event of state.events?.get(segment.id)?.get(resource) ?? []) {
      if (event.type === 'release' || event.type === 'kill') held = false;
    }
    if (!held) continue;
    if (exits.has(segment.id)) return false;
    // Inner segments of the block always lead to one of its exit segments.
    work.push(...heldSuccessors(state, segment, resource));
  }
  return true;
}
