/**
 * Custom LSP messages shared by the language server and the VS Code client (style.md lesson 13:
 * typed, namespaced requests declared once). The client imports this file through the server
 * project reference, so the names and shapes exist in one place only. Type-only imports: nothing
 * here pulls server code into the client bundle.
 */
import type { ModelReport } from '../models/types';

/** `modellint/inspectModel`: inspect one model file (in the server's worker) and return its report. */
export const INSPECT_MODEL_REQUEST = 'modellint/inspectModel';

export interface InspectModelParams {
  /** The file's URI; only `file:` URIs are read. */
  uri: string;
}

export type InspectModelResult =
  | { ok: true; report: ModelReport }
  /** Not inspected: a non-file URI, a missing file, a directory… `message` says why, for the panel. */
  | { ok: false; message: string };

/** Extensions the preview opens by default (package.json `customEditors`, priority "default"). */
export const MODEL_PREVIEW_DEFAULT_EXTENSIONS = ['safetensors', 'gguf', 'onnx', 'npy', 'npz', 'keras', 'pkl', 'pickle', 'joblib'] as const;
/** Extensions the preview can open on request ("Open With…", priority "option"). */
export const MODEL_PREVIEW_OPTION_EXTENSIONS = ['pt', 'pth', 'bin', 'ckpt', 'h5'] as const;
