/**
 * Does a file set TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD to a truthy value? torch (>= 2.4) reads it in
 * `torch.load` and, when truthy, turns the weights_only default back to False for every load in the
 * process. It can be set in many places, so this is a text check over the usual spellings:
 *
 *   Dockerfile  ENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 · ENV TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD 1
 *   shell/.env  export X=1 · X=1 · X=1 python train.py · env X=1 cmd
 *   YAML        - name: X / value: "1" (k8s) · X: "1" · - X=1 (compose)
 *   Python      os.environ["X"] = "1" · os.environ.setdefault("X", "1") · os.putenv("X", "1") · {"X": "1"}
 *   notebooks   the same Python in code cells, and %env X=1
 *
 * torch compares the raw value against "1", "y", "yes", "true"; we also accept other cases
 * ("True", "YES"), erring towards reporting. Comment lines are ignored.
 */
import * as path from 'node:path';
import { detectInputKind } from '../languages/detect';
import { parseNotebook } from '../languages/notebook';

export const TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD';

const NAME = TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD;
const TRUTHY = '(?:1|y|yes|true)';
/** A truthy value, optionally quoted, that is not the start of a longer word ("1.5", "yesterday"). */
const VALUE = `(["']?)${TRUTHY}\\1(?![\\w.])`;
const Q = `["']`;

const LINE_PATTERNS: RegExp[] = [
  // NAME=1 in any assignment-like position: ENV, export, declare -x, env, compose "- NAME=1", kwargs.
  new RegExp(`(?:^|[^\\w$])${NAME}\\s*=\\s*${VALUE}`, 'i'),
  // Dockerfile legacy form: ENV NAME 1
  new RegExp(`^\\s*ENV\\s+${NAME}\\s+${VALUE}\\s*$`, 'i'),
  // Mapping forms: YAML "NAME: 1", Python/JSON dicts {"NAME": "1"}.
  new RegExp(`(?:^|[^\\w$])${Q}?${NAME}${Q}?\\s*:\\s*${VALUE}`, 'i'),
  // os.environ["NAME"] = "1"
  new RegExp(`\\[\\s*${Q}${NAME}${Q}\\s*\\]\\s*=\\s*${VALUE}`, 'i'),
  // os.environ.setdefault("NAME", "1"), os.putenv(...), monkeypatch.setenv(...), os.environ.__setitem__(...)
  new RegExp(`(?:setdefault|putenv|setenv|__setitem__)\\s*\\(\\s*${Q}${NAME}${Q}\\s*,\\s*${VALUE}`, 'i'),
];

const YAML_NAME = new RegExp(`^(\\s*(?:-\\s+)?)name\\s*:\\s*${Q}?${NAME}${Q}?\\s*(?:#.*)?$`);
const YAML_VALUE = new RegExp(`^\\s*(?:-\\s+)?value\\s*:\\s*${VALUE}\\s*(?:#.*)?$`, 'i');

function isComment(line: string): boolean {
  return /^\s*#/.test(line);
}

/** Python lines that merely define a module constant of that name are not the environment. */
function isPythonConstant(line: string): boolean {
  return new RegExp(`^\\s*${NAME}\\s*(?::[^=]*)?=`).test(line);
}

/**
 * k8s-style env lists: `- name: NAME` with `value: "1"` in the same list item, before or after
 * it. Looks a few lines either way, staying within the item (same indentation as `name:`).
 */
function yamlNameValuePair(lines: string[], index: number): boolean {
  const m = YAML_NAME.exec(lines[index]);
  if (!m) return false;
  const indent = m[1].length;
  const itemStartsHere = m[1].includes('-');
  const sameItemKey = (line: string): boolean => {
    const lead = /^(\s*)(-\s+)?/.exec(line)!;
    return lead[0].length === indent;
  };
  for (let j = index + 1; j < Math.min(lines.length, index + 6); j++) {
    const line = lines[j];
    if (line.trim() === '' || isComment(line)) continue;
    if (!sameItemKey(line) || /^\s*-\s/.test(line)) break;
    if (YAML_VALUE.test(line)) return true;
  }
  if (!itemStartsHere) {
    for (let j = index - 1; j >= Math.max(0, index - 5); j--) {
      const line = lines[j];
      if (line.trim() === '' || isComment(line)) continue;
      if (!sameItemKey(line)) break;
      if (YAML_VALUE.test(line)) return true;
      if (/^\s*-\s/.test(line)) break; // reached the start of the item
    }
  }
  return false;
}

/** Files worth checking for the flag. */
export function mayDeclareEnvironment(fileName: string): boolean {
  const base = path.basename(fileName).toLowerCase();
  if (detectInputKind(base) === 'dockerfile') return true;
  if (base === '.env' || base === '.envrc' || base.startsWith('.env.') || base.endsWith('.env')) return true;
  return /\.(sh|bash|zsh|ya?ml|py|ipynb)$/.test(base);
}

export function setsTorchForceNoWeightsOnly(fileName: string, text: string): boolean {
  if (!text.includes(NAME)) return false; // the cheap prefilter: most files never mention it
  const lower = fileName.toLowerCase();
  let source = text;
  if (lower.endsWith('.ipynb')) {
    const notebook = parseNotebook(text);
    if ('error' in notebook) return false;
    source = notebook.cells.filter((c) => c.kind === 'code').map((c) => c.source).join('\n');
  }
  const python = lower.endsWith('.py') || lower.endsWith('.ipynb');
  const yaml = /\.ya?ml$/.test(lower);
  const lines = source.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.includes(NAME) || isComment(line)) continue;
    if (python && isPythonConstant(line)) continue;
    if (LINE_PATTERNS.some((p) => p.test(line))) return true;
    if (yaml && yamlNameValuePair(lines, i)) return true;
  }
  return false;
}
