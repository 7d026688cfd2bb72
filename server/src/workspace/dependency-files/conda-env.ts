/**
 * Conda environment files (environment.yml): `dependencies:` holds conda match specs
 * ("pytorch=2.5.1", "pytorch>=2.6", "conda-forge::pytorch==2.5.1=py3.11_0", "numpy 1.26.*") and
 * optionally a `- pip:` list of PEP 508 requirements.
 */
import { isMap, isScalar, isSeq, parseDocument, Scalar } from 'yaml';
import type { FactsBuilder } from './facts-builder';

/**
 * Conda package names that install a PyPI distribution under another name. conda-forge's
 * `pytorch-cpu` / `pytorch-gpu` are metapackages versioned like the `pytorch` they pull in.
 */
const CONDA_TO_PYPI: Record<string, string> = { pytorch: 'torch', 'pytorch-cpu': 'torch', 'pytorch-gpu': 'torch' };

export function pypiNameOfCondaPackage(name: string): string {
  return CONDA_TO_PYPI[name.toLowerCase()] ?? name;
}

export interface CondaMatchSpec {
  name: string;
  nameStart: number;
  /** The version part as written, operator included ("=2.5.1", "==2.5.1", ">=2.6,<3", "1.26.*"); "" when absent. */
  version: string;
  /** The same constraint in the specifier language of pep440.parseSpecifier. */
  pep440: string;
  /** End of the spec text (build string included). */
  end: number;
}

/**
 * Read a conda match spec. Conda differs from pip in two ways that matter here: a single "="
 * is a prefix match ("=2.5" means 2.5.*), and a bare version after a space is exact.
 */
export function parseCondaMatchSpec(text: string): CondaMatchSpec | undefined {
  const trimmedEnd = text.trimEnd().length;
  let i = text.length - text.trimStart().length;
  const channel = text.lastIndexOf('::', trimmedEnd);
  if (channel >= i) i = channel + 2;
  const nameMatch = /[A-Za-z0-9_][A-Za-z0-9_.-]*/y;
  nameMatch.lastIndex = i;
  const m = nameMatch.exec(text);
  if (!m) return undefined;
  const spec: CondaMatchSpec = { name: m[0], nameStart: i, version: '', pep440: '', end: trimmedEnd };
  const rest = text.slice(nameMatch.lastIndex, trimmedEnd);

  const bracket = /^\s*\[(.*)\]\s*$/.exec(rest);
  if (bracket) {
    const version = /(?:^|,)\s*version\s*=\s*(["']?)([^"',\]]*)\1/.exec(bracket[1]);
    if (version) setVersion(spec, version[2].trim());
    return spec;
  }

  let version: string;
  if (/^==/.test(rest)) {
    version = /^==[^=\s]*/.exec(rest)![0];
  } else if (/^=[^=]/.test(rest)) {
    version = /^=[^=\s]*/.exec(rest)![0];
  } else if (/^\s*(?:[<>!~]=?)/.test(rest)) {
    version = rest.trim().split(/\s+/)[0];
  } else if (/^\s+\S/.test(rest)) {
    version = rest.trim().split(/\s+/)[0];
  } else {
    version = rest.trim();
  }
  setVersion(spec, version);
  return spec;
}

function setVersion(spec: CondaMatchSpec, version: string): void {
  spec.version = version;
  if (version === '') return;
  if (/^=[^=]/.test(version)) {
    const v = version.slice(1);
    spec.pep440 = v.endsWith('*') ? globToPep440(v) : `==${v}.*`;
    return;
  }
  spec.pep440 = version
    .split('|')
    .map((alternative) => alternative.split(',').map(clauseToPep440).join(','))
    .join('||');
}

/** "2.5*" and "2.5.*" are prefix matches; "*" is anything. */
function globToPep440(v: string): string {
  if (v === '*') return '*';
  return `==${v.replace(/\.?\*$/, '')}.*`;
}

function clauseToPep440(clause: string): string {
  const c = clause.trim();
  if (/^[<>!=~]/.test(c)) return c;
  return c.includes('*') ? globToPep440(c) : `==${c}`;
}

/** The source span of a YAML scalar's text, and where its value starts verbatim (if it does). */
function scalarSpan(text: string, node: Scalar): { whole: [number, number]; verbatimStart?: number } | undefined {
  if (!node.range || typeof node.value !== 'string') return undefined;
  const [start, valueEnd] = node.range;
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
  const inner: [number, number] = quoted ? [start + 1, Math.max(start + 1, valueEnd - 1)] : [start, valueEnd];
  const verbatim = text.slice(inner[0], inner[1]) === node.value;
  return { whole: verbatim ? inner : [start, valueEnd], verbatimStart: verbatim ? inner[0] : undefined };
}

export function parseCondaEnv(out: FactsBuilder): void {
  // Node ranges are source offsets; FactsBuilder's LineIndex turns them into LSP positions.
  const doc = parseDocument(out.text, { prettyErrors: false, uniqueKeys: false });
  for (const error of doc.errors) {
    out.problem(error.pos[0], error.pos[1], `Invalid YAML: ${error.message.split('\n')[0]}`);
  }
  if (!isMap(doc.contents)) return;
  const dependencies = doc.contents.get('dependencies', true);
  if (!isSeq(dependencies)) return;

  for (const item of dependencies.items) {
    if (isScalar(item)) {
      condaItem(out, item);
    } else if (isMap(item)) {
      const pip = item.get('pip', true);
      if (!isSeq(pip)) continue;
      for (const requirement of pip.items) if (isScalar(requirement)) pipItem(out, requirement);
    }
  }
}

function condaItem(out: FactsBuilder, node: Scalar): void {
  const span = scalarSpan(out.text, node);
  if (!span) return;
  const value = node.value as string;
  const spec = parseCondaMatchSpec(value);
  if (!spec) {
    if (value.trim() !== '') out.problem(span.whole[0], span.whole[1], `Cannot read the conda package spec "${value.trim().slice(0, 80)}".`);
    return;
  }
  // The range covers the whole spec (channel and build string too): that is what a fix rewrites.
  const [start, end] = span.verbatimStart === undefined ? span.whole : [span.verbatimStart + (value.length - value.trimStart().length), span.verbatimStart + spec.end];
  out.add(pypiNameOfCondaPackage(spec.name), spec.version, start, end, { kind: 'specifier', text: spec.pep440 });
}

function pipItem(out: FactsBuilder, node: Scalar): void {
  const span = scalarSpan(out.text, node);
  if (!span) return;
  const value = node.value as string;
  // Options (-r requirements.txt, --index-url ...) and URLs/paths declare nothing we can read.
  if (/^\s*(?:-|[./~]|[A-Za-z][A-Za-z0-9+.-]*:\/\/|(?:git|hg|svn|bzr)\+)/.test(value)) return;
  out.addRequirement(value, span.whole, span.verbatimStart);
}
