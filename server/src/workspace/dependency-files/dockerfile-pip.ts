/**
 * Package versions installed by Dockerfile `RUN` instructions: `pip install`, `pip3 install`,
 * `python -m pip install`, `uv pip install`, and `conda|mamba|micromamba install|create`, in shell
 * form (continuations, `&&` chains, quotes, heredocs) and exec form (`RUN ["pip", "install", ...]`).
 * Build ARG/ENV references (`torch==${TORCH_VERSION}`) are resolved through dockerfile-ast.
 */
import type { Dockerfile, Instruction, JSONInstruction } from 'dockerfile-ast';
import { parseDockerfile } from '../../languages/dockerfile/parse';
import { parseCondaMatchSpec, pypiNameOfCondaPackage } from './conda-env';
import type { FactsBuilder } from './facts-builder';
import { splitShellCommands, type ShellWord } from './shell-words';
import { wheelName } from './wheel-filename';

type Installer = 'pip' | 'conda';

/** Options of pip / uv pip / conda install that take a separate value (`-r file`, `--index-url URL`, ...). */
const OPTIONS_WITH_VALUE = new Set([
  '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url', '--extra-index-url',
  '-f', '--find-links', '-t', '--target', '--prefix', '--root', '--src', '--upgrade-strategy', '--platform',
  '--python-version', '--implementation', '--abi', '--trusted-host', '--cache-dir', '--log', '--timeout',
  '--retries', '--proxy', '--cert', '--client-cert', '--exists-action', '--only-binary', '--no-binary',
  '--progress-bar', '--config-settings', '-C', '--global-option', '--install-option', '--report', '--python',
  '--python-platform', '--index', '--default-index', '--index-strategy', '--keyring-provider', '--resolution',
  '--prerelease', '--extra', '--group', '--override', '--exclude-newer', '--torch-backend', '-p', '--build-constraint',
  // conda / mamba
  '--channel', '-n', '--name', '--file', '--repodata-fn', '--subdir', '--solver',
]);

/** Programs that run the next word as the command (`sudo pip install`, `env X=1 pip install`). */
const WRAPPERS = new Set(['sudo', 'env', 'time', 'nohup', 'exec', 'command', 'nice', 'xargs']);

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** Skip leading assignments, wrappers and the wrappers' flags; returns the index of the program word. */
function programIndex(words: ShellWord[]): number {
  let k = 0;
  let afterWrapper = false;
  while (k < words.length) {
    const w = words[k].value;
    if (ASSIGNMENT.test(w) || (afterWrapper && w.startsWith('-'))) k++;
    else if (WRAPPERS.has(basename(w))) {
      afterWrapper = true;
      k++;
    } else break;
  }
  return k;
}

/** Skip options (and their values) starting at `k`; returns the first non-option index. */
function skipOptions(words: ShellWord[], k: number): number {
  while (k < words.length && words[k].value.startsWith('-') && words[k].value !== '-m') {
    k += OPTIONS_WITH_VALUE.has(words[k].value) ? 2 : 1;
  }
  return k;
}

/** If the command installs packages, which installer and where its arguments start. */
function installCommand(words: ShellWord[]): { installer: Installer; args: number } | undefined {
  let k = programIndex(words);
  if (k >= words.length) return undefined;
  const program = basename(words[k].value);
  let installer: Installer | undefined;
  if (/^pip(\d+(\.\d+)?)?$/.test(program)) {
    installer = 'pip';
    k = skipOptions(words, k + 1);
  } else if (/^python(\d+(\.\d+)?)?$/.test(program)) {
    // python [-u -I ...] -m pip
    k = skipOptions(words, k + 1);
    if (words[k]?.value === '-m' && words[k + 1]?.value === 'pip') k += 2;
    else if (words[k]?.value === '-mpip') k += 1;
    else return undefined;
    installer = 'pip';
    k = skipOptions(words, k);
  } else if (program === 'uv') {
    k = skipOptions(words, k + 1);
    if (words[k]?.value !== 'pip') return undefined;
    installer = 'pip';
    k = skipOptions(words, k + 1);
  } else if (program === 'conda' || program === 'mamba' || program === 'micromamba') {
    installer = 'conda';
    k = skipOptions(words, k + 1);
    if (words[k]?.value === 'create') return { installer, args: k + 1 };
  }
  if (!installer || words[k]?.value !== 'install') return undefined;
  return { installer, args: k + 1 };
}

/** The package-spec words of an install command (options, their values and redirections removed). */
function specWords(words: ShellWord[], from: number): ShellWord[] {
  const specs: ShellWord[] = [];
  for (let k = from; k < words.length; k++) {
    const w = words[k];
    if (w.redirect) {
      k++; // its target
    } else if (w.value.startsWith('-')) {
      if (!w.value.includes('=') && OPTIONS_WITH_VALUE.has(w.value)) k++;
    } else {
      specs.push(w);
    }
  }
  return specs;
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Substitute build variables; `unresolved` when one is unknown or the word runs a command. */
function expand(word: ShellWord, resolve: (name: string) => string | undefined): { value: string; unresolved: boolean } {
  if (!word.expands) return { value: word.value, unresolved: false };
  if (/\$\(|`/.test(word.value)) return { value: word.value, unresolved: true };
  let unresolved = false;
  const value = word.value.replace(VARIABLE, (whole, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    const resolved = resolve((braced ?? bare) as string) ?? fallback;
    if (resolved === undefined) {
      unresolved = true;
      return whole;
    }
    return resolved;
  });
  return { value, unresolved };
}

const URL_OR_PATH = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/|(?:git|hg|svn|bzr)\+|file:|[./~])/;

function addSpec(out: FactsBuilder, installer: Installer, word: ShellWord, resolve: (name: string) => string | undefined): void {
  const { value, unresolved } = expand(word, resolve);
  const verbatim = value === word.value ? word.verbatimStart : undefined;
  // The span of the word without its quotes (when it is wholly quoted), else the raw word.
  const whole: [number, number] =
    word.verbatimStart !== undefined ? [word.verbatimStart, word.verbatimStart + word.value.length] : [word.start, word.end];
  if (installer === 'conda') {
    const spec = parseCondaMatchSpec(value);
    if (!spec) return;
    const [start, end] = verbatim !== undefined ? [verbatim + spec.nameStart, verbatim + spec.end] : whole;
    out.add(pypiNameOfCondaPackage(spec.name), spec.version, start, end, unresolved ? { kind: 'unknown' } : { kind: 'specifier', text: spec.pep440 });
    return;
  }
  if (URL_OR_PATH.test(value) || value.includes('/')) {
    const name = wheelName(value);
    if (name) out.add(name, value, whole[0], whole[1], { kind: 'url', url: value });
    return;
  }
  if (/^\$/.test(value)) return; // the package itself comes from a variable we could not read
  if (verbatim === undefined && word.verbatimStart !== word.start + 1 && /\s/.test(value.trim())) {
    // An unquoted variable holding several specs ("$PACKAGES") splits into several words.
    for (const part of value.trim().split(/\s+/)) out.addRequirement(part, whole, undefined, unresolved);
    return;
  }
  out.addRequirement(value, whole, verbatim, unresolved);
}

/**
 * A copy of the instruction text where Docker's own comment lines (lines starting with "#" inside
 * a continued instruction, which Docker drops) are blanked, and a backtick escape directive's
 * line continuations are turned into spaces. Blanking keeps every offset in place.
 */
function shellText(source: string, escapeChar: string): string {
  let text = source.replace(/(?<=^|[\r\n])[ \t]*#[^\r\n]*(?:\r\n|\r|\n)?/g, (comment: string, at: number) =>
    at === 0 ? comment : ' '.repeat(comment.length),
  );
  if (escapeChar === '`') text = text.replace(/`(\r\n|\r|\n)/g, (m) => ' '.repeat(m.length));
  return text;
}

function isExecForm(instruction: Instruction): instruction is JSONInstruction {
  const raw = instruction.getRawArgumentsContent();
  return raw !== null && raw.trimStart().startsWith('[') && 'getJSONStrings' in instruction && (instruction as JSONInstruction).getJSONStrings().length > 0;
}

function execFormWords(out: FactsBuilder, instruction: JSONInstruction): ShellWord[] {
  return instruction.getJSONStrings().map((s) => {
    const start = out.lines.offsetAt(s.getRange().start);
    const end = out.lines.offsetAt(s.getRange().end);
    const value = s.getJSONValue();
    const word: ShellWord = { value, start, end, expands: false };
    if (out.text.slice(start + 1, end - 1) === value) word.verbatimStart = start + 1;
    return word;
  });
}

export function parseDockerfilePipInstalls(out: FactsBuilder): void {
  let dockerfile: Dockerfile;
  try {
    dockerfile = parseDockerfile(out.text);
  } catch (error) {
    out.problem(0, 0, `Cannot read the Dockerfile: ${error instanceof Error ? error.message : 'parse error'}.`);
    return;
  }
  const escapeChar = dockerfile.getEscapeCharacter();
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() !== 'RUN') continue;
    const line = instruction.getRange().start.line;
    const resolve = (name: string): string | undefined => dockerfile.resolveVariable(name, line) ?? undefined;

    let commands: ShellWord[][];
    if (isExecForm(instruction)) {
      commands = [execFormWords(out, instruction)];
    } else {
      const range = instruction.getArgumentsRange();
      if (!range) continue;
      const start = out.lines.offsetAt(range.start);
      const end = out.lines.offsetAt(range.end);
      commands = splitShellCommands(shellText(out.text.slice(start, end), escapeChar), 0, end - start, start);
    }
    for (const words of commands) {
      const install = installCommand(words);
      if (!install) continue;
      for (const word of specWords(words, install.args)) addSpec(out, install.installer, word, resolve);
    }
  }
}
