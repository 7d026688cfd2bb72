// The ModelLint language server: a thin LSP adapter over the engine (architecture.md §2, §10).
// Transport (--stdio, --node-ipc, --socket=, --pipe=) is detected from argv by vscode-languageserver/node.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  LSPErrorCodes,
  NotebookCellKind,
  NotebookDocuments,
  ProposedFeatures,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type CodeAction,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type Hover,
  type InitializeParams,
  type InitializeResult,
  type NotebookDocument,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeDocument, analyzeNotebookCells, type AnalyzeContext } from './engine/analyze';
import { ruleDocsUrl } from './engine/docs';
import { detectInputKind } from './languages/detect';
import type { NotebookCell } from './languages/notebook';
import { ParseCache } from './languages/python/parse-cache';
import { initParsers } from './languages/tree-sitter';
import { allRules, ruleById } from './rules/index';
import { FsWorkspace } from './workspace/fs-workspace';
import { emptyWorkspace } from './workspace/workspace-facts';
import { HfCacheViews } from './workspace/hf-cache-override';
import { CONFIG_FILE_NAMES, ConfigResolver } from './config/discovery';
import { codeActions, FIX_ALL_KIND, hasHashComments, allowsTrailingComments, SHOW_RULE_DOCS_COMMAND, type ActionDocument } from './lsp/code-actions';
import { resolveDocumentSettings, type DocumentSettings } from './lsp/document-settings';
import { suppressionHover } from './lsp/hover';
import { prewarmInspectWorker } from './models/inspect';
import { dangerousLoadDiagnostics, fileUriOf, findModelFiles, isModelFileName, literalModelLoads, mergeLoadDiagnostics, MODEL_FILES_GLOB, ModelReportCache, modelLoadsOf, modelPathHover, reportDiagnostics, shouldScan, type LoadOfModel } from './lsp/model-files';
import { INSPECT_MODEL_REQUEST, type InspectModelParams, type InspectModelResult } from './lsp/protocol';
import { isRuleEnabled } from './engine/selection';
import type { Rule } from './engine/rule';
import { toDiagnostic, toLspSeverity } from './lsp/diagnostics';
import { Debouncer } from './lsp/debouncer';
import { warmUpEngine, warmUpSettings } from './lsp/warm-up';
import { DEFAULT_SETTINGS, SettingsStore, type ServerSettings } from './lsp/settings';
import { uriToPath } from './lsp/uri';
import { packageVersion } from './cli/package-info';

/** Re-analysis after an edit: at once after a quiet period, else debounced by this much within a burst of edits (the budget is 50 ms from edit to diagnostics, architecture.md §13). */
const CHANGE_DEBOUNCE_MS = 30;
/** Debounce of re-analyzing every open document after a workspace fact changed (dependency file edits, file events). */
const WORKSPACE_DEBOUNCE_MS = 200;
/** The model-file worker starts this long after `initialized`, once the documents open at start-up are analyzed. */
const INSPECT_WORKER_PREWARM_DELAY_MS = 1000;
/** Files whose changes can alter the findings of other documents. */
const WATCHED_GLOB = '**/{requirements*.txt,constraints*.txt,pyproject.toml,modellint.toml,.modellint.toml,setup.cfg,environment*.yml,Dockerfile*,*.py}';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const notebooks = new NotebookDocuments(TextDocument);
const parseCache = new ParseCache();
const debouncer = new Debouncer();

const log = {
  info: (m: string) => connection.console.info(m),
  warn: (m: string) => connection.console.warn(m),
  error: (m: string) => connection.console.error(m),
};

interface ClientSupport {
  pullDiagnostics: boolean;
  diagnosticRefresh: boolean;
  configuration: boolean;
  configurationDynamic: boolean;
  watchedFilesDynamic: boolean;
  workspaceFolders: boolean;
  /** Versioned edits (`WorkspaceEdit.documentChanges`). */
  documentChanges: boolean;
  /** `window/showDocument` (opening rule pages). */
  showDocument: boolean;
}
let client: ClientSupport = {
  pullDiagnostics: false,
  diagnosticRefresh: false,
  configuration: false,
  configurationDynamic: false,
  watchedFilesDynamic: false,
  workspaceFolders: false,
  documentChanges: false,
  showDocument: false,
};
/** Workspace trust as the client reported it (initializationOptions.isTrusted); clients that say nothing are trusted. */
let trusted = true;

let settingsStore = new SettingsStore(undefined, log.warn);

/** Workspace roots (file-system paths) of all workspace folders: one FsWorkspace serves them all (multi-root). */
let roots: string[] = [];
let workspace: FsWorkspace;
/** Open file documents by path, for FsWorkspace.readOpenDocument (open text wins over the disk). */
const openByPath = new Map<string, string>();
const readOpen = (file: string): string | undefined => {
  const uri = openByPath.get(file);
  return uri === undefined ? undefined : documents.get(uri)?.getText();
};
/** Team configuration files by nearest ancestor; open config buffers win over the disk. */
const configs = new ConfigResolver(new Set(allRules.map((r) => r.meta.id)), new Set<string>(allRules.map((r) => r.meta.group)), readOpen);
const hfCacheViews = new HfCacheViews(process.env);

/**
 * Bumped whenever something besides a document's own text can change its findings (settings,
 * workspace facts): part of every cached result's key and of the pull `resultId`.
 */
let generation = 0;
let shuttingDown = false;

// ---------------------------------------------------------------------------------------------
// Analysis targets: a text document, or a whole notebook (its code cells are analyzed together).

type Target = { kind: 'text'; uri: string } | { kind: 'notebook'; uri: string };

interface PerUri {
  diagnostics: Diagnostic[];
  version?: number;
}
interface TargetResult {
  key: string;
  /** The generation it was computed in (run onSave keeps a result while only the text changed). */
  generation: number;
  byUri: Map<string, PerUri>;
}
const results = new Map<string, TargetResult>();
/** Push mode: the URIs last published for each target (to clear cells that went away). */
const published = new Map<string, { key: string; uris: Set<string> }>();
/** The skip reason last logged per target, so a skipped document is logged once, not on every keystroke. */
const skipLogged = new Map<string, string>();
/** `modellint.run: onSave`: the version (text) or notebook version last opened or saved, the only ones analyzed. */
const runVersion = new Map<string, number>();

function targetOf(uri: string): Target | undefined {
  if (notebooks.getNotebookDocument(uri)) return { kind: 'notebook', uri };
  const nb = notebooks.findNotebookDocumentForCell(uri);
  if (nb) return { kind: 'notebook', uri: nb.uri };
  if (documents.get(uri)) return { kind: 'text', uri };
  return undefined;
}

function openTargets(): Target[] {
  const targets: Target[] = documents.all().map((d) => ({ kind: 'text', uri: d.uri }));
  for (const nb of allNotebooks()) targets.push({ kind: 'notebook', uri: nb.uri });
  return targets;
}

const openNotebookUris = new Set<string>();
function allNotebooks(): NotebookDocument[] {
  const list: NotebookDocument[] = [];
  for (const uri of openNotebookUris) {
    const nb = notebooks.getNotebookDocument(uri);
    if (nb) list.push(nb);
  }
  return list;
}

/** A key that changes whenever the target's inputs change; undefined when the target is gone. */
function keyOf(target: Target): string | undefined {
  if (target.kind === 'text') {
    const doc = documents.get(target.uri);
    return doc ? `${doc.version}:${generation}` : undefined;
  }
  const nb = notebooks.getNotebookDocument(target.uri);
  if (!nb) return undefined;
  // The notebook version changes with every notebook change; cell versions guard against clients that only bump those.
  const cellVersions = nb.cells.map((c) => notebooks.getCellTextDocument(c)?.version ?? '-').join('.');
  return `${nb.version}:${generation}:${nb.cells.length}:${cellVersions}`;
}

/** The text or notebook version of a target. */
function versionOf(target: Target): number | undefined {
  return target.kind === 'text' ? documents.get(target.uri)?.version : notebooks.getNotebookDocument(target.uri)?.version;
}

/** The workspace folder containing a path (the deepest one), if any. */
function folderOf(file: string): string | undefined {
  let best: string | undefined;
  for (const root of roots) {
    const rel = path.relative(root, file);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
      if (!best || root.length > best.length) best = root;
    }
  }
  return best;
}

/** Editor settings of the target's resource combined with its nearest team configuration (lsp/document-settings.ts). */
async function documentSettings(target: Target): Promise<DocumentSettings> {
  let editor: ServerSettings;
  try {
    editor = await settingsStore.get(target.uri);
  } catch {
    editor = { ...DEFAULT_SETTINGS, severity: {} };
  }
  const file = uriToPath(target.uri);
  let config;
  if (file !== undefined && editor.configurationPreference !== 'editorOnly') {
    try {
      config = configs.forFile(file)?.config;
    } catch (e) {
      log.warn(`Reading the configuration for ${target.uri} failed: ${(e as Error)?.message ?? String(e)}`);
    }
  }
  const folder = file ? folderOf(file) : undefined;
  // Reused while its inputs are the same objects (SettingsStore and ConfigResolver keep them until something changes).
  const cached = settingsCache.get(target.uri);
  if (cached && cached.editor === editor && cached.config === config && cached.folder === folder && cached.trusted === trusted) return cached.value;
  const value = resolveDocumentSettings(editor, config, { file, folder, trusted });
  settingsCache.set(target.uri, { editor, config, folder, trusted, value });
  return value;
}
const settingsCache = new Map<string, { editor: ServerSettings; config: unknown; folder: string | undefined; trusted: boolean; value: DocumentSettings }>();

function analyzeContext(settings: DocumentSettings): AnalyzeContext {
  return { rules: allRules, workspace: hfCacheViews.view(workspace, settings.hfCache), selection: settings.selection, options: settings.options, parseCache };
}

function emptyResult(target: Target, key: string): TargetResult {
  const byUri = new Map<string, PerUri>();
  if (target.kind === 'text') {
    byUri.set(target.uri, { diagnostics: [], version: documents.get(target.uri)?.version });
  } else {
    const nb = notebooks.getNotebookDocument(target.uri);
    for (const cell of nb?.cells ?? []) {
      byUri.set(cell.document, { diagnostics: [], version: notebooks.getCellTextDocument(cell)?.version });
    }
  }
  return { key, generation, byUri };
}

function noteSkipped(target: Target, reason: string | undefined): void {
  if (!reason) {
    skipLogged.delete(target.uri);
    return;
  }
  if (skipLogged.get(target.uri) === reason) return;
  skipLogged.set(target.uri, reason);
  log.info(`${target.uri}: ${reason}`);
}

function runAnalysis(target: Target, key: string, settings: DocumentSettings): TargetResult {
  const result = emptyResult(target, key);
  const ctx = analyzeContext(settings);
  if (target.kind === 'text') {
    const doc = documents.get(target.uri)!;
    // The loads of model files come from the analysis' own Python facts (one parse per change).
    let loads: LoadOfModel[] | undefined;
    const analysis = analyzeDocument(
      { uri: doc.uri, languageId: doc.languageId, text: doc.getText(), version: doc.version },
      { ...ctx, onPythonFacts: (facts) => (loads = modelLoadsOf(facts)) },
    );
    noteSkipped(target, analysis.skipped);
    for (const e of analysis.errors) log.warn(`${doc.uri}: ${e}`);
    let diagnostics = analysis.findings.map((f) => toDiagnostic(f, doc.uri));
    if (doc.languageId === 'python') diagnostics = mergeLoadDiagnostics(doc.getText(), diagnostics, modelLoadDiagnostics(doc.uri, doc.getText(), settings, loads));
    result.byUri.set(doc.uri, { diagnostics, version: doc.version });
    return result;
  }
  const nb = notebooks.getNotebookDocument(target.uri)!;
  const cells: NotebookCell[] = nb.cells.map((cell) => {
    const doc = notebooks.getCellTextDocument(cell);
    const isPythonCode = cell.kind === NotebookCellKind.Code && doc !== undefined && doc.languageId === 'python';
    return { kind: isPythonCode ? 'code' : cell.kind === NotebookCellKind.Markup ? 'markdown' : 'raw', source: doc?.getText() ?? '' };
  });
  const analysis = analyzeNotebookCells(nb.uri, cells, ctx);
  for (const e of analysis.errors) log.warn(`${nb.uri}: ${e}`);
  for (const f of analysis.findings) {
    const cell = nb.cells[f.cell];
    const entry = cell && result.byUri.get(cell.document);
    if (entry) entry.diagnostics.push(toDiagnostic(f, cell.document));
  }
  return result;
}

/**
 * The diagnostics of a target, computed at most once per key. Settings are resolved per
 * resource (the notebook for cells). An exception clears the target's diagnostics and is
 * logged without any document content; the server keeps running.
 */
async function computeTarget(target: Target, token?: CancellationToken): Promise<TargetResult | undefined> {
  const current = await documentSettings(target);
  // A pull the client already gave up on (a newer edit arrived): let it ask again rather than analyze stale text.
  if (token?.isCancellationRequested) throw new ResponseError(LSPErrorCodes.ServerCancelled, 'cancelled', { retriggerRequest: true });
  const key = keyOf(target);
  if (key === undefined) return undefined;
  const cached = results.get(target.uri);
  if (cached && cached.key === key) return cached;
  // run onSave: an edit since the last open/save keeps the last result, until the next save (or a settings/config change).
  if (current.run === 'onSave' && cached && cached.generation === generation && runVersion.has(target.uri) && runVersion.get(target.uri) !== versionOf(target)) return cached;
  let result: TargetResult;
  if (!current.enabled) {
    result = emptyResult(target, key);
  } else if (current.excludedBy) {
    noteSkipped(target, `excluded by ${current.excludedBy}; not analyzed`);
    result = emptyResult(target, key);
  } else {
    const t0 = performance.now();
    try {
      result = runAnalysis(target, key, current);
    } catch (error) {
      const e = error as Error;
      log.error(`Analysis of ${target.uri} failed: ${e?.message ?? String(error)}${e?.stack ? `\n${e.stack}` : ''}`);
      result = emptyResult(target, key);
    }
    const ms = performance.now() - t0;
    if (ms > 500) log.info(`Analysis of ${target.uri} took ${Math.round(ms)} ms`);
  }
  results.set(target.uri, result);
  return result;
}

async function validate(target: Target): Promise<void> {
  if (shuttingDown || client.pullDiagnostics) return;
  const result = await computeTarget(target);
  if (!result || shuttingDown) return;
  const previous = published.get(target.uri);
  if (previous && previous.key === result.key) return;
  for (const [uri, entry] of result.byUri) {
    void connection.sendDiagnostics({ uri, version: entry.version, diagnostics: entry.diagnostics });
  }
  for (const uri of previous?.uris ?? []) {
    if (!result.byUri.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
  }
  published.set(target.uri, { key: result.key, uris: new Set(result.byUri.keys()) });
}

function validateNow(target: Target): void {
  debouncer.cancel(target.uri);
  validate(target).catch((e: unknown) => log.error(`Publishing diagnostics for ${target.uri} failed: ${(e as Error)?.message ?? String(e)}`));
}

/** Push diagnostics after a change: at once after a quiet period, debounced within a burst of changes (`leading`). */
function validateSoon(target: Target, delay = CHANGE_DEBOUNCE_MS, leading = false): void {
  if (client.pullDiagnostics) return;
  debouncer.schedule(target.uri, delay, () => validateNow(target), leading);
}

function forgetTarget(target: Target, clearUris: Iterable<string>): void {
  debouncer.forget(target.uri);
  results.delete(target.uri);
  skipLogged.delete(target.uri);
  runVersion.delete(target.uri);
  settingsCache.delete(target.uri);
  parseCache.delete(target.uri);
  settingsStore.forget(target.uri);
  const previous = published.get(target.uri);
  published.delete(target.uri);
  if (client.pullDiagnostics) return;
  const uris = new Set(clearUris);
  for (const uri of previous?.uris ?? []) uris.add(uri);
  for (const uri of uris) void connection.sendDiagnostics({ uri, diagnostics: [] });
}

/** Something besides the documents' own text changed: recompute everything (push) or ask the client to re-pull. */
let refreshTimer: NodeJS.Timeout | undefined;
function workspaceChanged(except?: string, delay = WORKSPACE_DEBOUNCE_MS): void {
  generation++;
  if (client.pullDiagnostics) {
    if (!client.diagnosticRefresh) return;
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      if (!shuttingDown) connection.languages.diagnostics.refresh().catch(() => undefined);
    }, delay);
    return;
  }
  for (const target of openTargets()) {
    if (target.uri !== except) validateSoon(target, delay);
  }
}

const DEPENDENCY_KINDS = new Set(['requirements', 'pyproject', 'setup-cfg', 'conda-env', 'dockerfile']);
function isDependencyFile(uri: string, languageId?: string): boolean {
  const kind = detectInputKind(uri, languageId);
  return kind !== undefined && DEPENDENCY_KINDS.has(kind);
}

function invalidate(uri: string): void {
  try {
    workspace.invalidate(uri);
  } catch (e) {
    log.warn(`Workspace invalidation for ${uri} failed: ${(e as Error)?.message ?? String(e)}`);
  }
}

/** modellint.toml, .modellint.toml or pyproject.toml (which may hold [tool.modellint]). */
function isConfigFile(uri: string): boolean {
  const p = uriToPath(uri);
  return p !== undefined && (CONFIG_FILE_NAMES as readonly string[]).includes(path.basename(p));
}

/** A team configuration file was created, changed (on disk or in its open buffer), closed or deleted. */
function configChanged(uri: string): void {
  const p = uriToPath(uri);
  if (p !== undefined) configs.invalidate(p);
}

function createWorkspace(): FsWorkspace {
  hfCacheViews.clear();
  return new FsWorkspace({ roots, env: process.env, readOpenDocument: readOpen });
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
  const caps = params.capabilities;
  client = {
    pullDiagnostics: caps.textDocument?.diagnostic !== undefined,
    diagnosticRefresh: caps.workspace?.diagnostics?.refreshSupport === true,
    configuration: caps.workspace?.configuration === true,
    configurationDynamic: caps.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    watchedFilesDynamic: caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    workspaceFolders: caps.workspace?.workspaceFolders === true,
    documentChanges: caps.workspace?.workspaceEdit?.documentChanges === true,
    showDocument: caps.window?.showDocument?.support === true,
  };
  const init = params.initializationOptions as { isTrusted?: unknown } | null | undefined;
  trusted = init?.isTrusted !== false;
  if (client.configuration) {
    settingsStore = new SettingsStore(
      (scopeUri) => connection.workspace.getConfiguration({ scopeUri, section: 'modellint' }) as Promise<unknown>,
      log.warn,
    );
  }
  if (params.workspaceFolders && params.workspaceFolders.length > 0) {
    roots = params.workspaceFolders.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
  } else if (params.rootUri) {
    roots = [uriToPath(params.rootUri)].filter((p): p is string => p !== undefined);
  } else if (params.rootPath) {
    roots = [params.rootPath];
  }
  workspace = createWorkspace();

  let parsers = false;
  try {
    await initParsers();
    parsers = true;
  } catch (e) {
    // Keep serving: every analysis will fail and clear its diagnostics, and the log says why.
    log.error(`Could not load the parsers: ${(e as Error)?.message ?? String(e)}`);
  }
  if (parsers) {
    try {
      // The first file opened is analyzed at full speed (compiled code), not at the interpreter's.
      const warm = warmUpEngine({ rules: allRules, selection: {}, options: { trustedRepos: [] }, workspace: emptyWorkspace });
      warmUpSettings(roots[0] ?? process.cwd());
      log.info(`engine warmed up in ${warm.ms.toFixed(0)} ms (${warm.runs} runs)`);
    } catch (e) {
      // Only speed is lost: the first analyses run slower.
      log.warn(`Warming up the engine failed: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  const result: InitializeResult = {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      notebookDocumentSync: { notebookSelector: [{ notebook: '*', cells: [{ language: 'python' }] }] },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
      hoverProvider: true,
      executeCommandProvider: { commands: [SHOW_RULE_DOCS_COMMAND] },
    },
    serverInfo: { name: 'modellint', version: packageVersion() },
  };
  if (client.pullDiagnostics) {
    result.capabilities.diagnosticProvider = { identifier: 'modellint', interFileDependencies: true, workspaceDiagnostics: false };
  }
  return result;
});

connection.onInitialized(() => {
  // Start the model-file worker ahead of the first preview or scan, so that they do not pay its
  // start-up; but only after a second, when the documents open at start-up have been analyzed:
  // creating a worker blocks this thread for a few ms and its start-up competes for the CPU.
  setTimeout(() => {
    if (!shuttingDown) prewarmInspectWorker();
  }, INSPECT_WORKER_PREWARM_DELAY_MS).unref();
  if (client.configurationDynamic) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'modellint' }).catch(() => undefined);
  }
  if (client.watchedFilesDynamic) {
    void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: WATCHED_GLOB }, { globPattern: MODEL_FILES_GLOB }] }).catch(() => undefined);
  }
  scheduleModelScan();
  if (client.workspaceFolders) {
    connection.workspace.onDidChangeWorkspaceFolders((event) => {
      const removed = new Set(event.removed.map((f) => uriToPath(f.uri)));
      roots = roots.filter((r) => !removed.has(r));
      for (const f of event.added) {
        const p = uriToPath(f.uri);
        if (p !== undefined && !roots.includes(p)) roots.push(p);
      }
      workspace = createWorkspace();
      workspaceChanged(undefined, 0);
      scheduleModelScan();
    });
  }
});

connection.onShutdown(() => {
  shuttingDown = true;
  debouncer.cancelAll();
  if (refreshTimer) clearTimeout(refreshTimer);
  parseCache.clear();
});

// ---------------------------------------------------------------------------------------------
// Settings and workspace events

connection.onDidChangeConfiguration((change) => {
  if (client.configuration) {
    settingsStore.clear();
  } else {
    const raw = (change.settings as { modellint?: unknown } | null | undefined)?.modellint;
    settingsStore.setGlobal(raw);
    globalScanSetting = (raw as { scanModelFiles?: unknown } | null | undefined)?.scanModelFiles;
  }
  workspaceChanged(undefined, 0);
  scheduleModelScan();
});

connection.onDidChangeWatchedFiles((params) => {
  if (params.changes.length === 0) return;
  for (const change of params.changes) {
    invalidate(change.uri);
    // A deleted folder may have held configuration files: forget them all.
    if (isConfigFile(change.uri) || change.type === 3) configs.invalidate();
  }
  modelFilesChanged(params.changes.map((c) => c.uri));
  workspaceChanged();
});

// ---------------------------------------------------------------------------------------------
// Text documents

let opening: string | undefined;
documents.onDidOpen(({ document }) => {
  const path = uriToPath(document.uri);
  if (path !== undefined) openByPath.set(path, document.uri);
  opening = document.uri;
  // Analyzed at once: no debounce for a freshly opened document.
  runVersion.set(document.uri, document.version);
  validateNow({ kind: 'text', uri: document.uri });
  const dependency = isDependencyFile(document.uri, document.languageId);
  // The editor's text (possibly unsaved, e.g. restored by hot exit) now wins over the disk.
  if (dependency) invalidate(document.uri);
  if (isConfigFile(document.uri)) configChanged(document.uri);
  if (dependency || isConfigFile(document.uri)) workspaceChanged(document.uri);
});

documents.onDidChangeContent(({ document }) => {
  if (opening === document.uri) {
    opening = undefined;
    return;
  }
  validateSoon({ kind: 'text', uri: document.uri }, CHANGE_DEBOUNCE_MS, true);
  const dependency = isDependencyFile(document.uri, document.languageId);
  if (dependency) invalidate(document.uri);
  if (isConfigFile(document.uri)) configChanged(document.uri);
  if (dependency || isConfigFile(document.uri)) workspaceChanged(document.uri);
});

/** run onSave: a save makes the current text the one to analyze. */
function saved(target: Target): void {
  const version = versionOf(target);
  if (version === undefined) return;
  const changed = runVersion.get(target.uri) !== version;
  runVersion.set(target.uri, version);
  if (!changed) return;
  if (client.pullDiagnostics) {
    // The text did not change, so the client would not pull again by itself.
    if (client.diagnosticRefresh && !shuttingDown) connection.languages.diagnostics.refresh().catch(() => undefined);
  } else {
    validateNow(target);
  }
}

documents.onDidSave(({ document }) => saved({ kind: 'text', uri: document.uri }));

documents.onDidClose(({ document }) => {
  const path = uriToPath(document.uri);
  if (path !== undefined && openByPath.get(path) === document.uri) openByPath.delete(path);
  forgetTarget({ kind: 'text', uri: document.uri }, [document.uri]);
  // The file on disk applies again.
  const dependency = isDependencyFile(document.uri, document.languageId);
  if (dependency) invalidate(document.uri);
  if (isConfigFile(document.uri)) configChanged(document.uri);
  if (dependency || isConfigFile(document.uri)) workspaceChanged(document.uri);
});

// ---------------------------------------------------------------------------------------------
// Notebooks (LSP 3.17 notebook sync): all code cells are analyzed together, diagnostics go to each cell.

notebooks.onDidOpen((nb) => {
  openNotebookUris.add(nb.uri);
  runVersion.set(nb.uri, nb.version);
  validateNow({ kind: 'notebook', uri: nb.uri });
});

notebooks.onDidChange((event) => {
  validateSoon({ kind: 'notebook', uri: event.notebookDocument.uri }, CHANGE_DEBOUNCE_MS, true);
});

notebooks.onDidSave((nb) => saved({ kind: 'notebook', uri: nb.uri }));

notebooks.onDidClose((nb) => {
  openNotebookUris.delete(nb.uri);
  forgetTarget({ kind: 'notebook', uri: nb.uri }, nb.cells.map((c) => c.document));
});

// ---------------------------------------------------------------------------------------------
// Pull diagnostics (textDocument/diagnostic), used when the client announced support.

connection.languages.diagnostics.on(async (params, token): Promise<DocumentDiagnosticReport> => {
  const uri = params.textDocument.uri;
  const target = targetOf(uri);
  if (!target) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
  const result = await computeTarget(target, token);
  const entry = result?.byUri.get(uri);
  if (!result || !entry) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
  if (params.previousResultId === result.key) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId: result.key };
  return { kind: DocumentDiagnosticReportKind.Full, resultId: result.key, items: entry.diagnostics };
});

// ---------------------------------------------------------------------------------------------
// Code actions, hover and commands (lsp/code-actions.ts, lsp/hover.ts)

/** The text document behind a URI: an open text document or a notebook cell. */
function textDocumentOf(uri: string): TextDocument | undefined {
  const doc = documents.get(uri);
  if (doc) return doc;
  const cell = notebooks.getNotebookCell(uri);
  return cell ? notebooks.getCellTextDocument(cell) : undefined;
}

const asActionDocument = (doc: TextDocument): ActionDocument => ({ uri: doc.uri, version: doc.version, text: doc.getText() });

/** Notebooks: an ignore-file comment goes into the code cell that already has one, else the first Python code cell. */
function fileCommentCell(cellUri: string): ActionDocument | undefined {
  const nb = notebooks.findNotebookDocumentForCell(cellUri);
  if (!nb) return undefined;
  const code = nb.cells
    .filter((c) => c.kind === NotebookCellKind.Code)
    .map((c) => notebooks.getCellTextDocument(c))
    .filter((d): d is TextDocument => d !== undefined && d.languageId === 'python');
  const target = code.find((d) => /#\s*modellint:\s*ignore-file\[/.test(d.getText())) ?? code[0];
  return target ? asActionDocument(target) : undefined;
}

connection.onCodeAction(async (params, token): Promise<CodeAction[]> => {
  const uri = params.textDocument.uri;
  const doc = textDocumentOf(uri);
  const target = targetOf(uri);
  if (!doc || !target) return [];
  const only = params.context.only;
  const needsComputed = !only || only.some((o) => FIX_ALL_KIND === o || FIX_ALL_KIND.startsWith(`${o}.`) || o === CodeActionKind.QuickFix);
  let computed: { diagnostics: Diagnostic[]; version: number } | undefined;
  if (needsComputed) {
    try {
      const result = await computeTarget(target, token);
      const entry = result?.byUri.get(uri);
      if (entry) computed = { diagnostics: entry.diagnostics, version: entry.version ?? doc.version };
    } catch {
      // cancelled: answer with what the request itself carries
    }
  }
  if (token.isCancellationRequested) return [];
  return codeActions({
    doc: asActionDocument(doc),
    context: params.context,
    computed,
    fileCommentDoc: target.kind === 'notebook' ? fileCommentCell(uri) : undefined,
    cell: target.kind === 'notebook',
    hashComments: hasHashComments(detectInputKind(doc.uri, doc.languageId)),
    trailingComments: allowsTrailingComments(detectInputKind(doc.uri, doc.languageId)),
    documentChanges: client.documentChanges,
  });
});

connection.onHover(async (params): Promise<Hover | undefined> => {
  const doc = textDocumentOf(params.textDocument.uri);
  if (!doc) return undefined;
  const line = params.position.line;
  const lineText = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
  const suppression = suppressionHover(lineText, params.position, (id) => ruleById(id)?.meta);
  if (suppression || doc.languageId !== 'python') return suppression;
  const docPath = uriToPath(doc.uri);
  return modelPathHover(lineText, params.position, notebooks.getNotebookCell(doc.uri) ? undefined : docPath, roots, modelReports).catch(() => undefined);
});

connection.onExecuteCommand(async (params) => {
  if (params.command !== SHOW_RULE_DOCS_COMMAND) return undefined;
  const id = params.arguments?.[0];
  if (typeof id !== 'string' || !ruleById(id)) {
    void connection.window.showErrorMessage(`ModelLint: no rule named ${JSON.stringify(id)}.`);
    return undefined;
  }
  const url = ruleDocsUrl(id);
  if (client.showDocument) {
    // A local page opens in the editor; the public page in the browser.
    const shown = await connection.window.showDocument({ uri: url, external: !url.startsWith('file:') }).catch(() => ({ success: false }));
    if (!shown.success) void connection.window.showInformationMessage(`Documentation for ${id}: ${url}`);
  } else {
    void connection.window.showInformationMessage(`Documentation for ${id}: ${url}`);
  }
  return url;
});

// ---------------------------------------------------------------------------------------------
// Model files (lsp/model-files.ts): the preview's request, workspace scan diagnostics, loads of dangerous files

const modelReports = new ModelReportCache();
/** Model-file URIs that currently carry published diagnostics. */
const modelDiagnosticUris = new Set<string>();
/** `modellint.scanModelFiles` from didChangeConfiguration, for clients without workspace/configuration. */
let globalScanSetting: unknown;
let modelScanTimer: NodeJS.Timeout | undefined;
let modelScanRunning: Promise<void> | undefined;
let modelScanAgain = false;
/** Reports a document asked for (a load of a literal path): re-analyze once they arrive. */
const pendingLoadReports = new Set<string>();

connection.onRequest(INSPECT_MODEL_REQUEST, async (params: InspectModelParams): Promise<InspectModelResult> => {
  const uri = typeof params?.uri === 'string' ? params.uri : '';
  if (!uri.startsWith('file:')) return { ok: false, message: 'Only files on disk (file: URIs) can be inspected; this document comes from another file system.' };
  const file = uriToPath(uri);
  if (file === undefined) return { ok: false, message: 'The URI does not name a local file.' };
  let isFile = false;
  try {
    isFile = fs.statSync(file).isFile();
  } catch {
    return { ok: false, message: 'The file does not exist (or cannot be read).' };
  }
  if (!isFile) return { ok: false, message: 'Not a regular file.' };
  return { ok: true, report: await modelReports.report(file) };
});

async function scanModelFilesEnabled(root: string): Promise<boolean> {
  if (!client.configuration) return globalScanSetting !== false;
  try {
    const cfg = (await connection.workspace.getConfiguration({ scopeUri: fileUriOf(root), section: 'modellint' })) as { scanModelFiles?: unknown; enable?: unknown } | null;
    return cfg?.scanModelFiles !== false && cfg?.enable !== false;
  } catch {
    return true;
  }
}

function scheduleModelScan(delay = WORKSPACE_DEBOUNCE_MS): void {
  if (shuttingDown) return;
  if (modelScanTimer) clearTimeout(modelScanTimer);
  modelScanTimer = setTimeout(() => {
    modelScanTimer = undefined;
    if (modelScanRunning) {
      modelScanAgain = true;
      return;
    }
    modelScanRunning = scanModelFiles()
      .catch((e: unknown) => log.error(`Scanning model files failed: ${(e as Error)?.message ?? String(e)}`))
      .finally(() => {
        modelScanRunning = undefined;
        if (modelScanAgain) {
          modelScanAgain = false;
          scheduleModelScan(0);
        }
      });
  }, delay);
}

/** Diagnostics of one model file: its report's findings filtered by the team configuration and settings. */
async function modelFileDiagnostics(file: string): Promise<Diagnostic[]> {
  const uri = fileUriOf(file);
  const settings = await documentSettings({ kind: 'text', uri });
  if (!settings.enabled || settings.excludedBy) return [];
  const report = await modelReports.report(file);
  const asRule = (id: string) => ({ meta: { id, group: 'model-file' } }) as unknown as Rule;
  return reportDiagnostics(report, {
    enabled: (id) => isRuleEnabled(asRule(id), settings.selection),
    severity: (id, computed) => settings.selection.severity?.[id] ?? computed,
  });
}

async function scanModelFiles(): Promise<void> {
  const t0 = performance.now();
  const files: string[] = [];
  for (const root of roots) {
    if (await scanModelFilesEnabled(root)) files.push(...(await findModelFiles([root])));
  }
  const keep = new Set<string>();
  for (const file of files) {
    if (shuttingDown) return;
    const uri = fileUriOf(file);
    const diagnostics = await modelFileDiagnostics(file);
    keep.add(uri);
    if (diagnostics.length > 0 || modelDiagnosticUris.has(uri)) void connection.sendDiagnostics({ uri, diagnostics });
    if (diagnostics.length > 0) modelDiagnosticUris.add(uri);
    else modelDiagnosticUris.delete(uri);
  }
  for (const uri of [...modelDiagnosticUris]) {
    if (keep.has(uri)) continue;
    modelDiagnosticUris.delete(uri);
    void connection.sendDiagnostics({ uri, diagnostics: [] });
  }
  if (files.length > 0) log.info(`Scanned ${files.length} model file(s) in ${Math.round(performance.now() - t0)} ms`);
}

/** File events: forget changed model files' reports and rescan; documents that load them are re-analyzed by the caller. */
function modelFilesChanged(uris: string[]): void {
  let any = false;
  for (const uri of uris) {
    const file = uriToPath(uri);
    if (file === undefined) continue;
    if (isModelFileName(file) || !path.extname(file)) {
      modelReports.invalidate(isModelFileName(file) ? file : undefined);
      any = true;
    }
  }
  if (any) scheduleModelScan();
}

/** Errors on loads of literal paths whose files are dangerous (cached reports only; missing ones are inspected, then the documents re-analyzed). */
function modelLoadDiagnostics(uri: string, text: string, settings: DocumentSettings, known?: LoadOfModel[]): Diagnostic[] {
  const docPath = uriToPath(uri);
  if (!allRules.some((r) => r.meta.group === 'model-file' && isRuleEnabled(r, settings.selection))) return [];
  let loads;
  try {
    loads = known ?? literalModelLoads(text, parseCache, uri);
  } catch (e) {
    log.warn(`${uri}: finding model loads failed: ${(e as Error)?.message ?? String(e)}`);
    return [];
  }
  const selected = (id: string) => { const rule = ruleById(id); return rule ? isRuleEnabled(rule, settings.selection) : true; };
  const found = dangerousLoadDiagnostics(loads, docPath, roots, modelReports, (file) => {
    if (pendingLoadReports.has(file) || !shouldScan(file)) return;
    pendingLoadReports.add(file);
    void modelReports.report(file).finally(() => {
      pendingLoadReports.delete(file);
      workspaceChanged(undefined, 0);
    });
  });
  return found
    .filter((d) => selected(String(d.code)))
    .map((d) => ({ ...d, severity: toLspSeverity(settings.selection.severity?.[String(d.code)] ?? 'error') }));
}

documents.listen(connection);
notebooks.listen(connection);
connection.listen();

// Keep serving: one bad document or handler must not take the editor's linter down.
function logUncaught(kind: string, error: unknown): void {
  try {
    const e = error as Error | undefined;
    log.error(`${kind}: ${e?.message ?? String(error)}${e?.stack ? `\n${e.stack}` : ''}`);
  } catch {
    // the connection itself is gone
  }
}
process.on('uncaughtException', (error) => logUncaught('Uncaught exception', error));
process.on('unhandledRejection', (reason) => logUncaught('Unhandled rejection', reason));
