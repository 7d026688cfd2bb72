import * as path from 'node:path';

/**
 * The input kinds ModelLint understands. VS Code language ids are mapped onto these,
 * and the CLI derives them from file names.
 */
export type InputKind = 'python' | 'notebook' | 'requirements' | 'pyproject' | 'setup-cfg' | 'conda-env' | 'dockerfile' | 'modellint-config'
  /** Triton model configuration: `config.pbtxt`, or `<model>/configs/<name>.pbtxt` (alternative configs chosen with --model-config-name). */
  | 'pbtxt'
  /** TorchServe configuration: `config.properties`, or a `*.properties` file with "torchserve" in its path. */
  | 'properties'
  /** Triton vLLM-backend engine arguments: `model.json`. */
  | 'model-json'
  /** Shell scripts: `*.sh`, `*.bash`, language id `shellscript`, or (given the text) a `#!/bin/sh`-style shebang. */
  | 'shell'
  /** Kubernetes manifests: YAML whose documents have top-level `apiVersion` and `kind`. */
  | 'kubernetes-yaml'
  /** Compose files: `docker-compose*.yml`, `compose*.yaml`, or YAML with a top-level `services:`. */
  | 'compose-yaml'
  /** Any other YAML file (decided by content when the text is known; without it, not yet decided). Not analyzed. */
  | 'yaml';

const LANGUAGE_IDS: Record<string, InputKind> = {
  python: 'python',
  'jupyter-notebook': 'notebook',
  pip: 'requirements',
  'pip-requirements': 'requirements',
  requirements: 'requirements',
  dockerfile: 'dockerfile',
  shellscript: 'shell',
  dockercompose: 'compose-yaml',
  yaml: 'yaml',
};

/**
 * Decide what a file is from its name (and, where names are ambiguous, its VS Code language id).
 * Given the text, YAML files are classified by content (Kubernetes, compose, or other) and files
 * without a known name by a shell shebang.
 */
export function detectInputKind(fileNameOrUri: string, languageId?: string, text?: string): InputKind | undefined {
  const normalized = fileNameOrUri.replace(/\\/g, '/').toLowerCase();
  const base = path.posix.basename(normalized);
  if (base.endsWith('.py') || base.endsWith('.pyi') || base.endsWith('.pyw')) return 'python';
  if (base.endsWith('.ipynb')) return 'notebook';
  if (/^(requirements|constraints)([-_.][\w.-]*)?\.(txt|in)$/.test(base) || /(^|\/)requirements\/[\w.-]+\.(txt|in)$/.test(normalized)) return 'requirements';
  if (base === 'pyproject.toml') return 'pyproject';
  if (base === 'modellint.toml' || base === '.modellint.toml') return 'modellint-config';
  if (base === 'setup.cfg') return 'setup-cfg';
  if (base === 'environment.yml' || base === 'environment.yaml' || /^environment[-_.][\w.-]+\.ya?ml$/.test(base) || base === 'conda.yaml' || base === 'conda.yml') return 'conda-env';
  if (base === 'dockerfile' || base.startsWith('dockerfile.') || base.endsWith('.dockerfile') || base === 'containerfile') return 'dockerfile';
  if (base === 'config.pbtxt' || (base.endsWith('.pbtxt') && /(^|\/)configs\/[^/]+$/.test(normalized))) return 'pbtxt';
  if (base === 'config.properties' || (base.endsWith('.properties') && normalized.includes('torchserve'))) return 'properties';
  if (base === 'model.json') return 'model-json';
  if (base.endsWith('.sh') || base.endsWith('.bash')) return 'shell';
  if (/\.ya?ml$/.test(base)) {
    if (/^(docker-)?compose([-_.][\w.-]+)?\.ya?ml$/.test(base)) return 'compose-yaml';
    return text === undefined ? 'yaml' : yamlKindOf(text);
  }
  const byLanguage = languageId ? LANGUAGE_IDS[languageId] : undefined;
  if (byLanguage === 'yaml') return text === undefined ? 'yaml' : yamlKindOf(text);
  if (byLanguage) return byLanguage;
  if (text !== undefined && !base.includes('.') && hasShellShebang(text)) return 'shell';
  return undefined;
}

/**
 * A YAML file's kind from its content: `apiVersion` and `kind` at the top level of a document make
 * a Kubernetes manifest; a top-level `services:` mapping makes a compose file; anything else (CI
 * workflows, Helm values, Ansible, …) is plain YAML, which is not analyzed.
 */
export function yamlKindOf(text: string): 'kubernetes-yaml' | 'compose-yaml' | 'yaml' {
  const head = text.length > 262_144 ? text.slice(0, 262_144) : text;
  if (/^apiVersion\s*:/m.test(head) && /^kind\s*:/m.test(head)) return 'kubernetes-yaml';
  if (/^services\s*:/m.test(head)) return 'compose-yaml';
  return 'yaml';
}

/** A shebang naming a POSIX shell or bash (`#!/bin/sh`, `#!/usr/bin/env bash`, `#!/bin/bash -e`). */
export function hasShellShebang(text: string): boolean {
  return /^#!\s*(\/usr)?(\/local)?\/bin\/(env\s+(-S\s+)?)?(ba|da|a|k)?sh\b/.test(text.slice(0, 128));
}
