// The VS Code side of ModelLint: starts the language server (dist/server.js) over Node IPC and
// hands it the documents it analyses. All analysis happens in the server; settings reach it
// through the standard workspace/configuration pull (section "modellint"). Quick fixes,
// `source.fixAll.modellint` (editor.codeActionsOnSave), hovers and the `modellint.showRuleDocs`
// command (executeCommand → window/showDocument) are plain LSP features of the server.
import * as vscode from 'vscode';
import {
  LanguageClient,
  RevealOutputChannelOn,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { clientDocumentSelector, watchedFilesGlob } from './documentSelector';
import { ServerStatus, type ServerState } from './status';
import { registerModelPreview } from './preview/modelPreview';

/** What `activate` returns; used by the extension-host tests. */
export interface ModelLintApi {
  readonly serverState: ServerState;
  /** Resolves once the server is running (rejects if it fails to start). */
  whenReady(): Promise<void>;
}

let client: LanguageClient | undefined;
let ready: Promise<void> = Promise.resolve();

export async function activate(context: vscode.ExtensionContext): Promise<ModelLintApi> {
  const output = vscode.window.createOutputChannel('ModelLint', { log: true });
  const status = new ServerStatus();
  context.subscriptions.push(output, status);

  const serverModule = context.asAbsolutePath('dist/server.js');
  // Node flags of the language server (package.json "modellint.serverNodeFlags"): a small young
  // generation keeps its memory down while a large file is edited.
  const nodeFlags: string[] = (context.extension.packageJSON as { modellint?: { serverNodeFlags?: string[] } }).modellint?.serverNodeFlags ?? [];
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: nodeFlags } },
    debug: {
      module: serverModule,
      transport: TransportKind.ipc,
      options: { execArgv: [...nodeFlags, '--nolazy', '--inspect=6011'] },
    },
  };

  const watcher = vscode.workspace.createFileSystemWatcher(watchedFilesGlob);
  context.subscriptions.push(watcher);

  const clientOptions: LanguageClientOptions = {
    documentSelector: clientDocumentSelector,
    outputChannel: output,
    traceOutputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    synchronize: {
      // Tells the server when a modellint.* setting changes; it re-pulls them with workspace/configuration.
      configurationSection: 'modellint',
      fileEvents: watcher,
    },
    // Evaluated at every (re)start: the server ignores path settings (modellint.hfCache, hf-cache) while untrusted.
    initializationOptions: () => ({
      clientName: 'vscode',
      isTrusted: vscode.workspace.isTrusted,
    }),
  };

  // The id "modellint" makes the client honour the `modellint.trace.server` setting.
  const lc = new LanguageClient('modellint', 'ModelLint', serverOptions, clientOptions);
  client = lc;
  context.subscriptions.push(
    lc.onDidChangeState((e) => {
      if (e.newState === State.Running) status.set('running');
      else if (e.newState === State.Starting) status.set('starting');
      else if (status.state !== 'failed') status.set('stopped');
    }),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand('modellint.restartServer', async () => {
      output.info('Restarting the ModelLint server');
      status.set('starting');
      ready = startClient(lc, output, status, true);
      await ready;
    }),
    vscode.commands.registerCommand('modellint.showOutputChannel', () => output.show(true)),
  );

  // Granting trust enables the path settings: restart so the server hears of it.
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output.info('Workspace trusted: restarting the ModelLint server');
      ready = startClient(lc, output, status, true);
      ready.catch(() => undefined);
    }),
  );

  // The model preview (custom editor) asks the server for reports (modellint/inspectModel).
  registerModelPreview(context, { client: () => (lc.isRunning() ? lc : undefined), whenReady: () => ready, log: output });

  ready = startClient(lc, output, status, false);
  // Activation does not wait for the server: the editor stays responsive while it starts.
  ready.catch(() => undefined);

  return {
    get serverState() {
      return status.state;
    },
    whenReady: () => ready,
  };
}

async function startClient(lc: LanguageClient, output: vscode.LogOutputChannel, status: ServerStatus, restart: boolean): Promise<void> {
  const t0 = Date.now();
  try {
    if (restart && lc.isRunning()) await lc.restart();
    else await lc.start();
    status.set('running');
    output.info(`ModelLint server ${restart ? 're' : ''}started in ${Date.now() - t0} ms`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    status.set('failed', message);
    output.error(`ModelLint server failed to start: ${message}`);
    throw error;
  }
}

export async function deactivate(): Promise<void> {
  const lc = client;
  client = undefined;
  if (lc && lc.needsStop()) await lc.stop(2000);
}
