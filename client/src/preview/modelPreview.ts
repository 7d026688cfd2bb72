/**
 * The model preview (architecture.md §10): a read-only custom editor over model files. The
 * language server inspects the file (its worker reads bounded windows; nothing is executed) and
 * answers the typed request `modellint/inspectModel`; the panel only renders the report.
 *
 * Security (style.md lesson 12): a strict CSP with a fresh nonce per render, scripts only from the
 * extension's dist folder, no remote content, local resources limited to dist/ and media/, every
 * file-derived string inserted with textContent by the webview script, and every message checked
 * against the unions of messages.ts.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { INSPECT_MODEL_REQUEST, type InspectModelParams, type InspectModelResult } from '../../../server/src/lsp/protocol';
import { parseFromWebview, type ToWebview } from './messages';

export const MODEL_PREVIEW_VIEW_TYPE = 'modellint.modelPreview';
export const INSPECT_MODEL_COMMAND = 'modellint.inspectModelFile';

export interface PreviewHost {
  /** The running language client, once started (undefined while it starts or after it failed). */
  client(): LanguageClient | undefined;
  /** Resolves when the client is running. */
  whenReady(): Promise<void>;
  log: vscode.LogOutputChannel;
}

class ModelDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

export function nonce(): string {
  return randomBytes(18).toString('base64');
}

export class ModelPreviewProvider implements vscode.CustomReadonlyEditorProvider<ModelDocument> {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: PreviewHost,
  ) {}

  openCustomDocument(uri: vscode.Uri): ModelDocument {
    return new ModelDocument(uri);
  }

  resolveCustomEditor(document: ModelDocument, panel: vscode.WebviewPanel): void {
    const webview = panel.webview;
    webview.options = {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    webview.html = this.html(webview);
    const name = displayName(document.uri);
    let last: InspectModelResult | undefined;
    let generation = 0;

    const post = (message: ToWebview) => void webview.postMessage(message);
    const load = async () => {
      const mine = ++generation;
      post({ type: 'loading', name });
      const result = await this.inspect(document.uri);
      if (mine !== generation) return;
      last = result;
      post(result.ok ? { type: 'report', name, report: result.report } : { type: 'error', name, message: result.message });
    };

    const subscription = webview.onDidReceiveMessage(async (raw: unknown) => {
      const message = parseFromWebview(raw);
      if (!message) {
        this.host.log.warn('Model preview: ignored a malformed message from the webview');
        return;
      }
      switch (message.type) {
        case 'ready':
          if (last) post(last.ok ? { type: 'report', name, report: last.report } : { type: 'error', name, message: last.message });
          else await load();
          return;
        case 'refresh':
          await load();
          return;
        case 'copyJson':
          if (last?.ok) {
            await vscode.env.clipboard.writeText(JSON.stringify(last.report, null, 2));
            void vscode.window.showInformationMessage('ModelLint: the report was copied as JSON.');
          }
          return;
      }
    });
    panel.onDidDispose(() => subscription.dispose());
  }

  private async inspect(uri: vscode.Uri): Promise<InspectModelResult> {
    if (uri.scheme !== 'file') {
      return { ok: false, message: `ModelLint inspects files on disk only; this file comes from '${uri.scheme}:'. Copy it into a local folder to inspect it.` };
    }
    try {
      await this.host.whenReady();
    } catch (e) {
      return { ok: false, message: `The ModelLint server is not running: ${(e as Error)?.message ?? String(e)}` };
    }
    const client = this.host.client();
    if (!client) return { ok: false, message: 'The ModelLint server is not running.' };
    try {
      const params: InspectModelParams = { uri: uri.toString() };
      return await client.sendRequest<InspectModelResult>(INSPECT_MODEL_REQUEST, params);
    } catch (e) {
      return { ok: false, message: `Inspection failed: ${(e as Error)?.message ?? String(e)}` };
    }
  }

  private html(webview: vscode.Webview): string {
    const n = nonce();
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'preview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'preview.css'));
    const csp = [
      "default-src 'none'",
      `script-src 'nonce-${n}'`,
      `style-src ${webview.cspSource} 'nonce-${n}'`,
      `img-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${n}" href="${style.toString()}">
<title>Model preview</title>
</head>
<body>
<main id="root" aria-live="polite"><p class="status">Inspecting…</p></main>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
  }
}

function displayName(uri: vscode.Uri): string {
  const parts = uri.path.split('/');
  return parts[parts.length - 1] || uri.path;
}

const MODEL_EXTENSIONS = /\.(safetensors|gguf|onnx|npy|npz|keras|pkl|pickle|joblib|pt|pth|bin|ckpt|h5)$/i;

export function registerModelPreview(context: vscode.ExtensionContext, host: PreviewHost): void {
  const provider = new ModelPreviewProvider(context.extensionUri, host);
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(MODEL_PREVIEW_VIEW_TYPE, provider, {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { retainContextWhenHidden: false },
    }),
    vscode.commands.registerCommand(INSPECT_MODEL_COMMAND, async (arg?: unknown) => {
      let uri = arg instanceof vscode.Uri ? arg : undefined;
      if (!uri) {
        const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
        const active = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
        if (active && MODEL_EXTENSIONS.test(active.path)) uri = active;
      }
      if (!uri) {
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          openLabel: 'Inspect',
          title: 'ModelLint: Inspect Model File',
          filters: { 'Model files': ['safetensors', 'gguf', 'onnx', 'npy', 'npz', 'keras', 'pkl', 'pickle', 'joblib', 'pt', 'pth', 'bin', 'ckpt', 'h5'], 'All files': ['*'] },
        });
        uri = picked?.[0];
      }
      if (!uri) return;
      await vscode.commands.executeCommand('vscode.openWith', uri, MODEL_PREVIEW_VIEW_TYPE);
    }),
  );
}
