import * as path from 'node:path';

/**
 * The input kinds ModelLint understands. VS Code language ids are mapped onto these,
 * and the CLI derives them from file names.
 */
export type InputKind = 'python' | 'notebook' | 'requirements' | 'pyproject' | 'setup-cfg' | 'conda-env' | 'dockerfile' | 'modellint-config';

const LANGUAGE_IDS: Record<string, InputKind> = {
  python: 'python',
  'jupyter-notebook': 'notebook',
  pip: 'requirements',
  'pip-requirements': 'requirements',
  requirements: 'requirements',
  dockerfile: 'dockerfile',
};

/** Decide what a file is from its name (and, where names are ambiguous, its VS Code language id). */
export function detectInputKind(fileNameOrUri: string, languageId?: string): InputKind | undefined {
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
  if (languageId && LANGUAGE_IDS[languageId]) return LANGUAGE_IDS[languageId];
  return undefined;
}
