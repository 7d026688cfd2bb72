import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type {
  ClientCapabilities,
  CodeAction,
  CodeActionContext,
  ConfigurationParams,
  Hover,
  Position,
  Range,
  ShowDocumentParams,
  Diagnostic,
  InitializeResult,
  PublishDiagnosticsParams,
  Registration,
  RegistrationParams,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver';

/** Repository root (tests run from out/test/helpers). */
export const REPO = path.resolve(__dirname, '..', '..', '..');
/** The bundled server; MODELLINT_DIST points the tests at another build directory. */
export const SERVER_JS = path.join(process.env.MODELLINT_DIST ?? path.join(REPO, 'dist'), 'server.js');

export interface LspClientOptions {
  /** Announce pull diagnostics (textDocument.diagnostic) like VS Code; otherwise a push-only client like Neovim. */
  pull?: boolean;
  /** Answer workspace/configuration (section "modellint"); omit to not announce configuration support. */
  configuration?: (scopeUri: string | undefined) => unknown;
  workspaceFolder?: string;
  /** Several workspace folders (multi-root); the first is also the rootUri. */
  workspaceFolders?: string[];
  /** initializationOptions sent with initialize (the VS Code client sends { clientName, isTrusted }). */
  initializationOptions?: unknown;
  /** Command to start the server (default: node dist/server.js --stdio). */
  command?: { file: string; args: string[] };
}

interface Waiter {
  uri: string;
  predicate: (p: PublishDiagnosticsParams) => boolean;
  resolve: (p: PublishDiagnosticsParams) => void;
}

/** A real LSP client over stdio, speaking JSON-RPC to a spawned server process (style.md lesson 14b). */
export class LspTestClient {
  readonly published = new Map<string, PublishDiagnosticsParams[]>();
  readonly logs: string[] = [];
  readonly registrations: Registration[] = [];
  readonly configurationRequests: ConfigurationParams[] = [];
  readonly shownDocuments: ShowDocumentParams[] = [];
  stderr = '';
  private readonly waiters: Waiter[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly proc: ChildProcess,
    readonly conn: MessageConnection,
    private readonly opts: LspClientOptions,
  ) {
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
    proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      const list = this.published.get(p.uri) ?? [];
      list.push(p);
      this.published.set(p.uri, list);
      for (const w of [...this.waiters]) {
        if (w.uri === p.uri && w.predicate(p)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    });
    conn.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(p.message);
    });
    conn.onRequest('workspace/configuration', (p: ConfigurationParams) => {
      this.configurationRequests.push(p);
      return p.items.map((item) => (item.section === 'modellint' && opts.configuration ? opts.configuration(item.scopeUri) : null));
    });
    conn.onRequest('client/registerCapability', (p: RegistrationParams) => {
      this.registrations.push(...p.registrations);
      return null;
    });
    conn.onRequest('workspace/diagnostic/refresh', () => null);
    conn.onRequest('window/showDocument', (p: ShowDocumentParams) => {
      this.shownDocuments.push(p);
      return { success: true };
    });
    conn.listen();
  }

  static start(opts: LspClientOptions = {}): LspTestClient {
    const command = opts.command ?? { file: process.execPath, args: [SERVER_JS, '--stdio'] };
    const proc = spawn(command.file, command.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    conn.onError(() => undefined);
    conn.onClose(() => undefined);
    return new LspTestClient(proc, conn, opts);
  }

  async initialize(): Promise<InitializeResult> {
    const capabilities: ClientCapabilities = {
      workspace: {
        configuration: this.opts.configuration !== undefined,
        didChangeConfiguration: { dynamicRegistration: true },
        didChangeWatchedFiles: { dynamicRegistration: true },
        workspaceFolders: true,
        diagnostics: this.opts.pull ? { refreshSupport: true } : undefined,
        workspaceEdit: { documentChanges: true },
        executeCommand: { dynamicRegistration: false },
      },
      window: { showDocument: { support: true } },
      textDocument: {
        synchronization: { dynamicRegistration: false, didSave: true },
        publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
        ...(this.opts.pull ? { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } } : {}),
        codeAction: {
          codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } },
          isPreferredSupport: true,
          dataSupport: true,
        },
        hover: { contentFormat: ['markdown', 'plaintext'] },
      },
      notebookDocument: { synchronization: { dynamicRegistration: false, executionSummarySupport: false } },
    };
    const folders = this.opts.workspaceFolders ?? (this.opts.workspaceFolder ? [this.opts.workspaceFolder] : []);
    const result = (await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folders.length > 0 ? fileUri(folders[0]) : null,
      workspaceFolders: folders.length > 0 ? folders.map((f) => ({ uri: fileUri(f), name: path.basename(f) })) : null,
      initializationOptions: this.opts.initializationOptions,
      capabilities,
    })) as InitializeResult;
    await this.conn.sendNotification('initialized', {});
    return result;
  }

  open(uri: string, text: string, languageId = 'python', version = 1): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  /** Replaces the whole text (a full-content change). */
  replaceText(uri: string, version: number, text: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  save(uri: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    const context: CodeActionContext = { diagnostics, ...(only ? { only } : {}) };
    return this.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range, context }) as Promise<CodeAction[]>;
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position }) as Promise<Hover | null>;
  }

  close(uri: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  pull(uri: string, previousResultId?: string): Promise<{ kind: 'full' | 'unchanged'; resultId?: string; items?: Diagnostic[] }> {
    return this.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId });
  }

  latest(uri: string): PublishDiagnosticsParams | undefined {
    const list = this.published.get(uri);
    return list?.[list.length - 1];
  }

  /** Resolves with the first publication for `uri` (the latest one already received included) that satisfies `predicate`. */
  waitForDiagnostics(uri: string, predicate: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    const latest = this.latest(uri);
    if (latest && predicate(latest)) return Promise.resolve(latest);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { uri, predicate, resolve: (p) => (clearTimeout(timer), resolve(p)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms (last: ${JSON.stringify(this.latest(uri))}; server stderr: ${this.stderr.slice(-2000)}; log: ${this.logs.slice(-5).join(' | ')})`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Waits for the next publication for `uri` satisfying `predicate`, ignoring what was received before. */
  nextDiagnostics(uri: string, predicate: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    const seen = this.published.get(uri)?.length ?? 0;
    return this.waitForDiagnostics(uri, (p) => (this.published.get(uri)?.length ?? 0) > seen && predicate(p), timeoutMs);
  }

  /** shutdown + exit; resolves with the server's exit code. */
  async shutdownAndExit(timeoutMs = 5000): Promise<number | null> {
    await this.conn.sendRequest('shutdown');
    await this.conn.sendNotification('exit');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
    const code = await Promise.race([this.exited, timeout]);
    this.conn.dispose();
    if (code === 'timeout') {
      this.proc.kill();
      throw new Error('server did not exit after shutdown/exit');
    }
    return code;
  }

  /** Ends the server without the protocol (cleanup after a failed test). */
  kill(): void {
    this.conn.dispose();
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

export function fileUri(p: string): string {
  return pathToFileURL(p).href;
}
