/**
 * Just enough POSIX shell lexing to find `pip install` arguments in a script: words with their
 * source offsets, split into simple commands at newlines, `;`, `&&`, `||`, `|`, `&` and parentheses.
 * Quotes are removed; variables and command substitutions are kept as written and flagged.
 * Heredoc bodies are lexed as commands, which is what `RUN <<EOF` bodies are.
 */

export interface ShellWord {
  /** The word after quote removal; `$VAR` / `${VAR}` / `$(...)` stay as written. */
  value: string;
  /** Source offsets of the raw word. */
  start: number;
  end: number;
  /** Where `value` is spelled verbatim in the source (a plain word, or one wholly inside quotes). */
  verbatimStart?: number;
  /** The word holds a variable or a command substitution outside single quotes. */
  expands: boolean;
  /** A redirection operator (">", "2>", "<<", ...): the next word is its target, not an argument. */
  redirect?: boolean;
}

const isBlank = (c: string): boolean => c === ' ' || c === '\t';
const isNewline = (c: string): boolean => c === '\n' || c === '\r';

/** Index just past the ")" / "}" matching the opener at `open` (naive nesting, quotes ignored). */
function skipBalanced(text: string, open: number, end: number, opener: string, closer: string): number {
  let depth = 0;
  for (let i = open; i < end; i++) {
    if (text[i] === opener) depth++;
    else if (text[i] === closer && --depth === 0) return i + 1;
  }
  return end;
}

/**
 * Lex `text[start, end)` into commands. Offsets in the result are offsets into `text` plus `base`
 * (so a caller can lex a slice and get document offsets).
 */
export function splitShellCommands(text: string, start = 0, end = text.length, base = 0): ShellWord[][] {
  const commands: ShellWord[][] = [];
  let words: ShellWord[] = [];
  let value = '';
  let wordStart = -1;
  let expands = false;

  const finishWord = (at: number): void => {
    if (wordStart < 0) return;
    const raw = text.slice(wordStart, at);
    const word: ShellWord = { value, start: wordStart + base, end: at + base, expands };
    if (raw === value) word.verbatimStart = wordStart + base;
    else if (raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw.endsWith(raw[0]) && raw.slice(1, -1) === value) {
      word.verbatimStart = wordStart + 1 + base;
    }
    words.push(word);
    value = '';
    wordStart = -1;
    expands = false;
  };
  const finishCommand = (): void => {
    if (words.length > 0) commands.push(words);
    words = [];
  };
  const begin = (at: number): void => {
    if (wordStart < 0) wordStart = at;
  };

  let i = start;
  while (i < end) {
    const c = text[i];
    if (c === '\\' && (text[i + 1] === '\n' || text[i + 1] === '\r')) {
      // Line continuation: joins lines; inside a word it makes the word non-verbatim, which finishWord detects.
      i += text[i + 1] === '\r' && text[i + 2] === '\n' ? 3 : 2;
    } else if (isBlank(c)) {
      finishWord(i);
      i++;
    } else if (isNewline(c)) {
      finishWord(i);
      finishCommand();
      i++;
    } else if (c === '#' && wordStart < 0) {
      while (i < end && !isNewline(text[i])) i++;
    } else if (c === '<' || c === '>' || (c === '&' && text[i + 1] === '>')) {
      // "2>" : a word made only of digits right before a redirection is its file descriptor.
      if (wordStart >= 0 && /^\d+$/.test(value) && text.slice(wordStart, i) === value) {
        wordStart = -1;
        value = '';
      } else finishWord(i);
      const opStart = i;
      while (i < end && /[<>&|-]/.test(text[i]) && i - opStart < 3) i++;
      words.push({ value: text.slice(opStart, i), start: opStart + base, end: i + base, expands: false, redirect: true });
    } else if (c === ';' || c === '&' || c === '|' || c === '(' || c === ')') {
      finishWord(i);
      finishCommand();
      i++;
    } else if (c === "'") {
      begin(i);
      const close = text.indexOf("'", i + 1);
      const stop = close < 0 || close >= end ? end : close;
      value += text.slice(i + 1, stop);
      i = stop + 1;
    } else if (c === '"') {
      begin(i);
      i++;
      while (i < end && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < end && '"\\$`\n'.includes(text[i + 1])) {
          if (text[i + 1] !== '\n') value += text[i + 1];
          i += 2;
          continue;
        }
        if (text[i] === '$' || text[i] === '`') expands = true;
        value += text[i];
        i++;
      }
      i++;
    } else if (c === '\\') {
      begin(i);
      if (i + 1 < end) value += text[i + 1];
      i += 2;
    } else if (c === '$' || c === '`') {
      begin(i);
      expands = true;
      let stop = i + 1;
      if (c === '`') stop = Math.min(end, text.indexOf('`', i + 1) < 0 ? end : text.indexOf('`', i + 1) + 1);
      else if (text[i + 1] === '(') stop = skipBalanced(text, i + 1, end, '(', ')');
      else if (text[i + 1] === '{') stop = skipBalanced(text, i + 1, end, '{', '}');
      value += text.slice(i, stop);
      i = stop;
    } else {
      begin(i);
      value += c;
      i++;
    }
  }
  finishWord(Math.min(i, end));
  finishCommand();
  return commands;
}
