import type { DocumentSelector as LspDocumentSelector } from 'vscode-languageclient/node';
import type { DocumentSelector as VsDocumentSelector } from 'vscode';

/**
 * The documents ModelLint analyses. The server decides the input kind from the file name
 * (server/src/languages/detect.ts), so files whose language id depends on other extensions
 * (pip-requirements, dockerfile, toml) are also matched by name patterns.
 */
const FILE_PATTERNS = [
  // pip requirement and constraint files, including requirements/<name>.txt
  '**/{requirements,constraints}*.{txt,in}',
  '**/requirements/*.{txt,in}',
  // project and ModelLint configuration
  '**/{pyproject,modellint,.modellint}.toml',
  '**/setup.cfg',
  // conda environments
  '**/{environment,conda}*.{yml,yaml}',
  // container builds
  '**/{Dockerfile,Containerfile,dockerfile,containerfile}',
  '**/{Dockerfile,dockerfile}.*',
  '**/*.{Dockerfile,dockerfile}',
  // Triton model configurations and vLLM-backend engine arguments
  '**/config.pbtxt',
  '**/configs/*.pbtxt',
  '**/model.json',
  // TorchServe configuration
  '**/config.properties',
  '**/*torchserve*/**/*.properties',
  '**/*torchserve*.properties',
  // shell scripts, and YAML (the server keeps Kubernetes manifests and compose files, by content)
  '**/*.{sh,bash}',
  '**/*.{yml,yaml}',
];

const LANGUAGES = ['python', 'pip-requirements', 'dockerfile', 'pbtxt', 'shellscript', 'yaml', 'dockercompose'];

/** Selector handed to the language client (text documents and notebook cells). */
export const clientDocumentSelector: LspDocumentSelector = [
  ...LANGUAGES.flatMap((language) => [
    { scheme: 'file', language },
    { scheme: 'untitled', language },
  ]),
  // Python cells of any notebook type (jupyter-notebook, interactive, …).
  { notebook: '*', language: 'python' },
  ...FILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
];

/** Selector for the language status item: the same documents (notebook cells match by language). */
export const statusDocumentSelector: VsDocumentSelector = [
  ...LANGUAGES.map((language) => ({ language })),
  ...FILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
];

/**
 * Files whose changes the server should hear about even when they are not open (YAML: Services in
 * other manifests decide which ports a Deployment publishes).
 */
export const watchedFilesGlob = '**/{modellint.toml,.modellint.toml,pyproject.toml,setup.cfg,requirements*.txt,requirements*.in,constraints*.txt,*.yml,*.yaml}';
