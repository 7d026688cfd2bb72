/**
 * Server-side template injection (SSTI) indicators in Jinja chat templates (formats.md §5,
 * rules.md C7 `model-file-template-injection`): GGUF `tokenizer.chat_template*`, tokenizer_config.json
 * `chat_template`. Engines render these with Jinja; unsandboxed rendering of a crafted template is
 * code execution (CVE-2024-34359 llama-cpp-python, CVE-2026-5760 SGLang).
 *
 * The template is never rendered. Only the code inside `{{ … }}` and `{% … %}` is tokenized
 * (literal text and `{# comments #}` are output, not code), so a template that merely *talks*
 * about `__class__` in its text is not flagged, and the ubiquitous `message['role'] == 'system'`
 * or `namespace(...)` of real templates are not indicators by themselves:
 *
 * - dunder attributes and names: `__class__`, `__mro__`, `__base__`, `__bases__`, `__subclasses__`,
 *   `__globals__`, `__builtins__`, `__import__`, `__init__` … (also inside string literals, as in
 *   `attr('__class__')`), and any other `__x__` dunder;
 * - Jinja/Flask globals used as escape hatches: `lipsum`, `cycler`, `joiner` (any use);
 *   `namespace`, `config`, `request`, `self` when their attributes are reached (`.`, `[`, `|attr`);
 * - `|attr(` filters; `os.`; `popen`, `subprocess`, `import_module` (any use); `system`, `eval`,
 *   `exec`, `getattr`, `open` when called or reached as attributes;
 * - `\x5f` / `\u005f` / `\137` escapes of `_` and string concatenation that builds dunder names
 *   (`'_' ~ '_'`, `'__' + 'class'`, `'_' * 2`, `['_','_']|join`);
 * - `{% import %}` / `{% include %}` / `{% extends %}` / `{% from %}` (template loading: file access).
 */

export interface TemplateIndicator {
  indicator: string;
  /** Character offset in the template. */
  offset: number;
  /** A short excerpt of the code around it (hostile text: escape it). */
  excerpt: string;
}

const DANGEROUS_DUNDERS = new Set([
  '__class__', '__mro__', '__base__', '__bases__', '__subclasses__', '__globals__', '__builtins__', '__import__', '__init__',
  '__dict__', '__getattribute__', '__getitem__', '__reduce__', '__reduce_ex__', '__code__', '__func__', '__self__', '__loader__', '__spec__',
]);
const ANY_USE = new Set(['lipsum', 'cycler', 'joiner', 'popen', 'subprocess', 'import_module', '__import__']);
const ATTR_ROOTS = new Set(['namespace', 'config', 'request', 'self', 'os', 'sys', 'builtins']);
const CALLED = new Set(['system', 'eval', 'exec', 'getattr', 'setattr', 'open', 'compile', 'globals', 'locals', 'vars', 'spawn', 'execl', 'execv', 'check_output']);
const LOADING_TAGS = new Set(['import', 'include', 'extends', 'from']);

type Tok = { kind: 'id' | 'str' | 'punct' | 'num'; text: string; raw: string; offset: number };

/** Tokenizes one Jinja code block (expressions and statements). */
function tokenize(code: string, base: number): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < code.length && out.length < 200_000) {
    const c = code[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const start = i;
      let text = '';
      i++;
      while (i < code.length && code[i] !== c) {
        if (code[i] === '\\' && i + 1 < code.length) {
          const e = code[i + 1];
          if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(code.slice(i + 2, i + 4))) {
            text += String.fromCharCode(parseInt(code.slice(i + 2, i + 4), 16));
            i += 4;
          } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(code.slice(i + 2, i + 6))) {
            text += String.fromCharCode(parseInt(code.slice(i + 2, i + 6), 16));
            i += 6;
          } else if (e === 'U' && /^[0-9a-fA-F]{8}$/.test(code.slice(i + 2, i + 10))) {
            text += String.fromCodePoint(Math.min(0x10ffff, parseInt(code.slice(i + 2, i + 10), 16)));
            i += 10;
          } else if (/[0-7]/.test(e)) {
            const m = /^[0-7]{1,3}/.exec(code.slice(i + 1, i + 4))![0];
            text += String.fromCharCode(parseInt(m, 8));
            i += 1 + m.length;
          } else {
            text += e === 'n' ? '\n' : e === 't' ? '\t' : e;
            i += 2;
          }
        } else text += code[i++];
      }
      i++;
      out.push({ kind: 'str', text, raw: code.slice(start, i), offset: base + start });
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(code.slice(i, i + 256));
    if (id) {
      out.push({ kind: 'id', text: id[0], raw: id[0], offset: base + i });
      i += id[0].length;
      continue;
    }
    const num = /^[0-9][0-9_.eE]*/.exec(code.slice(i, i + 64));
    if (num) {
      out.push({ kind: 'num', text: num[0], raw: num[0], offset: base + i });
      i += num[0].length;
      continue;
    }
    out.push({ kind: 'punct', text: c, raw: c, offset: base + i });
    i++;
  }
  return out;
}

/** Scans a template; returns the indicators found (at most `max`). */
export function scanChatTemplate(template: string, max = 50): TemplateIndicator[] {
  const found: TemplateIndicator[] = [];
  const seen = new Set<string>();
  const add = (indicator: string, offset: number) => {
    const key = `${indicator}@${offset}`;
    if (found.length >= max || seen.has(key)) return;
    seen.add(key);
    const from = Math.max(0, offset - 40);
    found.push({ indicator, offset, excerpt: template.slice(from, Math.min(template.length, offset + 60)).replace(/\s+/g, ' ') });
  };
  let i = 0;
  while (i < template.length && found.length < max) {
    const open = template.indexOf('{', i);
    if (open < 0) break;
    const kind = template[open + 1];
    if (kind !== '{' && kind !== '%' && kind !== '#') {
      i = open + 1;
      continue;
    }
    const close = kind === '{' ? '}}' : kind === '%' ? '%}' : '#}';
    let end = template.indexOf(close, open + 2);
    if (end < 0) end = template.length; // unclosed: treat the rest as code (conservative)
    const code = template.slice(open + 2, end).replace(/^-|-$/g, '').replace(/^\+|\+$/g, '');
    i = end + 2;
    if (kind === '#') continue;
    if (kind === '%') {
      const tag = /^\s*-?\s*([A-Za-z_]+)/.exec(code)?.[1];
      if (tag === 'raw') {
        // {% raw %}…{% endraw %}: literal text
        const endraw = /\{%-?\s*endraw\s*-?%\}/.exec(template.slice(i));
        i = endraw ? i + endraw.index + endraw[0].length : template.length;
        continue;
      }
      if (tag && LOADING_TAGS.has(tag)) add(`{% ${tag} %} (loads another template)`, open);
    }
    checkTokens(tokenize(code, open + 2), add);
  }
  return found;
}

function checkTokens(toks: Tok[], add: (indicator: string, offset: number) => void): void {
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    const prev = toks[k - 1];
    const next = toks[k + 1];
    if (t.kind === 'str') {
      if (/\\(x5f|u005f|U0000005f|137)/i.test(t.raw)) add(`escaped underscore in a string (${/\\(x5f|u005f|U0000005f|137)/i.exec(t.raw)![0]})`, t.offset);
      const dunder = /__[A-Za-z0-9_]*__/.exec(t.text);
      if (dunder) add(`dunder name in a string ('${dunder[0]}')`, t.offset);
      // pieces of a dunder joined at render time
      if (/^_+$|^_+[A-Za-z]|[A-Za-z]_+$/.test(t.text) && t.text.includes('_')) {
        const joinedBy = (x?: Tok) => x?.kind === 'punct' && (x.text === '~' || x.text === '+' || x.text === '*');
        if ((/^_+$/.test(t.text) || t.text.startsWith('__') || t.text.endsWith('__')) && (joinedBy(prev) || joinedBy(next))) add(`string concatenation building a dunder name ('${t.text}')`, t.offset);
      }
      continue;
    }
    if (t.kind === 'punct' && t.text === '|' && next?.kind === 'id' && next.text === 'attr') {
      add('|attr( filter (attribute access by name)', t.offset);
      continue;
    }
    if (t.kind === 'punct' && t.text === '|' && next?.kind === 'id' && next.text === 'join') {
      // ['_','_']|join
      const back = toks.slice(Math.max(0, k - 8), k);
      if (back.some((x) => x.kind === 'str' && /^_+$/.test(x.text))) add("underscores joined with |join (builds a dunder name)", t.offset);
      continue;
    }
    if (t.kind !== 'id') continue;
    const isAttr = prev?.kind === 'punct' && prev.text === '.';
    const reached = next?.kind === 'punct' && (next.text === '.' || next.text === '[' || (next.text === '|' && toks[k + 2]?.text === 'attr'));
    const called = next?.kind === 'punct' && next.text === '(';
    if (/^__[A-Za-z0-9_]*__$/.test(t.text)) {
      add(DANGEROUS_DUNDERS.has(t.text) ? t.text : `dunder attribute ${t.text}`, t.offset);
      continue;
    }
    if (ANY_USE.has(t.text) && !isAttr) {
      add(t.text, t.offset);
      continue;
    }
    if (ANY_USE.has(t.text) && isAttr && (t.text === 'popen' || t.text === 'subprocess')) {
      add(t.text, t.offset);
      continue;
    }
    if (ATTR_ROOTS.has(t.text) && !isAttr && reached) {
      add(`${t.text}${next!.text === '|' ? '|attr' : next!.text} (attributes of ${t.text})`, t.offset);
      continue;
    }
    if (CALLED.has(t.text) && called) add(`${t.text}(`, t.offset);
  }
}
