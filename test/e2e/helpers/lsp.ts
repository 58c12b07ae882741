// A minimal LSP client for the ESLint language server that VS Code's ESLint extension runs
// (`vscode-eslint-language-server` from vscode-langservers-extracted), spoken over stdio with
// vscode-jsonrpc. It answers the server's requests the way the extension does (settings, capability
// registration, workspace edits) and applies text edits as an editor would.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import * as rpc from 'vscode-jsonrpc/node';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Diagnostic {
  range: Range;
  message: string;
  severity?: number;
  code?: string | number;
  source?: string;
}

export interface WorkspaceEdit {
  documentChanges?: { textDocument: { uri: string; version: number | null }; edits: TextEdit[] }[];
  changes?: Record<string, TextEdit[]>;
}

export interface Command {
  title: string;
  command: string;
  arguments?: unknown[];
}

export interface CodeAction {
  title: string;
  kind?: string;
  edit?: WorkspaceEdit;
  command?: Command;
  diagnostics?: Diagnostic[];
}

/** Bounds every request: a server that hangs fails the test instead of the suite's timeout. */
const REQUEST_TIMEOUT_MS = 20_000;

export class EslintLanguageServer {
  readonly log: string[] = [];
  private readonly child: ChildProcess;
  private readonly connection: rpc.MessageConnection;
  private readonly versions = new Map<string, number>();
  /** Edits the server asked the client to apply (`workspace/applyEdit`), oldest first. */
  private readonly appliedEdits: WorkspaceEdit[] = [];
  private exited = false;

  private constructor(readonly workspace: string, serverBin: string) {
    this.child = spawn(serverBin, ['--stdio'], { cwd: workspace, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.on('exit', () => {
      this.exited = true;
    });
    this.child.stderr?.on('data', (chunk: Buffer) => this.log.push(`stderr: ${chunk.toString()}`));
    const stdout = this.child.stdout;
    const stdin = this.child.stdin;
    if (stdout === null || stdin === null) throw new Error('the language server has no stdio pipes');
    this.connection = rpc.createMessageConnection(new rpc.StreamMessageReader(stdout), new rpc.StreamMessageWriter(stdin));
    this.connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => this.settings()));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('client/unregisterCapability', () => null);
    this.connection.onRequest('workspace/applyEdit', (params: { edit: WorkspaceEdit }) => {
      this.appliedEdits.push(params.edit);
      return { applied: true };
    });
    this.connection.onNotification('window/logMessage', (params: { message: string }) => {
      this.log.push(params.message);
    });
    this.connection.onNotification('window/showMessage', (params: { message: string }) => {
      this.log.push(`showMessage: ${params.message}`);
    });
    this.connection.onNotification('eslint/status', () => undefined);
    this.connection.listen();
  }

  /** Starts the server in `workspace` and completes the `initialize` handshake. */
  static async start(workspace: string, serverBin: string): Promise<EslintLanguageServer> {
    const server = new EslintLanguageServer(workspace, serverBin);
    const rootUri = pathToFileURL(workspace).href;
    await server.request('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ name: path.basename(workspace), uri: rootUri }],
      capabilities: {
        workspace: { configuration: true, applyEdit: true, workspaceEdit: { documentChanges: true } },
        textDocument: {
          diagnostic: { dynamicRegistration: false },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll.eslint'] } } },
        },
      },
    });
    await server.connection.sendNotification('initialized', {});
    return server;
  }

  /** The settings VS Code's ESLint extension sends for a document, with fix-on-save enabled. */
  private settings(): Record<string, unknown> {
    return {
      validate: 'on',
      packageManager: 'npm',
      useESLintClass: false,
      useFlatConfig: true,
      experimental: {},
      codeActionOnSave: { enable: true, mode: 'all' },
      format: false,
      quiet: false,
      onIgnoredFiles: 'off',
      options: {},
      rulesCustomizations: [],
      run: 'onType',
      problems: { shortenToSingleLine: false },
      nodePath: null,
      workingDirectory: { directory: this.workspace },
      workspaceFolder: { name: path.basename(this.workspace), uri: pathToFileURL(this.workspace).href },
      codeAction: {
        disableRuleComment: { enable: true, location: 'separateLine', commentStyle: 'line' },
        showDocumentation: { enable: true },
      },
    };
  }

  async request<R>(method: string, params: unknown): Promise<R> {
    if (this.exited) throw new Error(`the language server exited before ${method}; log:\n${this.log.join('\n')}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`${method} got no answer in ${REQUEST_TIMEOUT_MS} ms; server log:\n${this.log.join('\n')}`));
      }, REQUEST_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.connection.sendRequest<R>(method, params), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async open(uri: string, languageId: string, text: string): Promise<void> {
    this.versions.set(uri, 1);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Replaces the whole text of an open document, as an editor does after applying an edit. */
  async change(uri: string, text: string): Promise<void> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  /** Pull diagnostics (`textDocument/diagnostic`): the server does not push them in this setup. */
  async diagnostics(uri: string): Promise<Diagnostic[]> {
    const report = await this.request<{ kind: string; items?: Diagnostic[] }>('textDocument/diagnostic', { textDocument: { uri } });
    if (report.kind !== 'full') throw new Error(`expected a full diagnostic report, got ${report.kind}`);
    return report.items ?? [];
  }

  async codeActions(uri: string, range: Range, only: string[], diagnostics: Diagnostic[] = []): Promise<CodeAction[]> {
    const actions = await this.request<CodeAction[] | null>('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics, only, triggerKind: only.includes('quickfix') ? 1 : 2 },
    });
    return actions ?? [];
  }

  /**
   * Runs a code action's command (a suggestion is `eslint.applySuggestion`) and returns the
   * workspace edit the server asked the editor to apply in answer.
   */
  async executeCommand(command: Command): Promise<WorkspaceEdit> {
    const before = this.appliedEdits.length;
    await this.request('workspace/executeCommand', { command: command.command, arguments: command.arguments ?? [] });
    const edit = this.appliedEdits[before];
    if (edit === undefined) throw new Error(`${command.command} sent no workspace/applyEdit; server log:\n${this.log.join('\n')}`);
    return edit;
  }

  /** Shuts the server down politely, then makes sure the process is gone. */
  async stop(): Promise<void> {
    if (!this.exited) {
      try {
        await this.request('shutdown', null);
        await this.connection.sendNotification('exit');
      } catch {
        // A server that does not answer is killed below.
      }
    }
    this.connection.dispose();
    if (!this.exited) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.child.kill('SIGKILL');
          resolve();
        }, 2_000);
        this.child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** The edits of a workspace edit that touch `uri`, checking the document version they were made for. */
export function editsFor(edit: WorkspaceEdit, uri: string, version: number): TextEdit[] {
  const fromDocumentChanges = (edit.documentChanges ?? []).filter((change) => change.textDocument.uri === uri);
  for (const change of fromDocumentChanges) {
    if (change.textDocument.version !== null && change.textDocument.version !== version) {
      throw new Error(`edit made for version ${change.textDocument.version} of ${uri}, the editor has version ${version}`);
    }
  }
  return [...fromDocumentChanges.flatMap((change) => change.edits), ...(edit.changes?.[uri] ?? [])];
}

/** Offset of an LSP position (UTF-16 code units, as JS strings count). */
export function offsetAt(text: string, position: Position): number {
  let offset = 0;
  for (let line = 0; line < position.line; line += 1) {
    const next = text.indexOf('\n', offset);
    if (next === -1) throw new Error(`line ${position.line} is past the end of the text`);
    offset = next + 1;
  }
  return offset + position.character;
}

/** LSP position of an offset. */
export function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Applies non-overlapping LSP text edits as an editor does (all ranges refer to the original text). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const resolved = edits
    .map((edit, index) => ({ start: offsetAt(text, edit.range.start), end: offsetAt(text, edit.range.end), newText: edit.newText, index }))
    .sort((a, b) => a.start - b.start || a.index - b.index);
  for (let i = 1; i < resolved.length; i += 1) {
    if (resolved[i]!.start < resolved[i - 1]!.end) throw new Error('overlapping text edits');
  }
  let out = '';
  let cursor = 0;
  for (const edit of resolved) {
    out += text.slice(cursor, edit.start) + edit.newText;
    cursor = edit.end;
  }
  return out + text.slice(cursor);
}
