import * as vscode from 'vscode';
import { statusDocumentSelector } from './documentSelector';

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed';

const LABELS: Record<ServerState, string> = {
  starting: 'starting…',
  running: 'running',
  stopped: 'stopped',
  failed: 'failed to start',
};

/** The "ModelLint" entry in the language status hover ({} icon in the status bar). */
export class ServerStatus implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;
  private current: ServerState = 'stopped';

  constructor() {
    this.item = vscode.languages.createLanguageStatusItem('modellint.status', statusDocumentSelector);
    this.item.name = 'ModelLint';
    this.item.command = { title: 'Show Output', command: 'modellint.showOutputChannel' };
    this.set('starting');
  }

  get state(): ServerState {
    return this.current;
  }

  set(state: ServerState, detail?: string): void {
    this.current = state;
    this.item.text = state === 'running' ? 'ModelLint' : `ModelLint: ${LABELS[state]}`;
    this.item.detail = detail ?? `server ${LABELS[state]}`;
    this.item.busy = state === 'starting';
    this.item.severity =
      state === 'failed' ? vscode.LanguageStatusSeverity.Error
        : state === 'stopped' ? vscode.LanguageStatusSeverity.Warning
          : vscode.LanguageStatusSeverity.Information;
  }

  dispose(): void {
    this.item.dispose();
  }
}
