/**
 * Dockerfile variable substitution (`$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR:+word}`, `\$`), the
 * way BuildKit applies it to FROM, ENV, ARG, USER, EXPOSE, COPY/ADD and WORKDIR arguments. Values
 * of variables are themselves already substituted when they are defined, so nested defaults
 * (`ARG BASE=…:${VERSION}-py3`) resolve in one pass.
 */

export interface DockerVar {
  /** Undefined: declared without a value (`ARG NAME`, a build argument given at build time). */
  value?: string;
}

export interface Expanded {
  value: string;
  /** False when a referenced variable is unknown (no default, no value). */
  resolved: boolean;
  /** Names of the variables the text referred to. */
  used: string[];
}

export function expandDockerVars(text: string, lookup: (name: string) => DockerVar | undefined, escape = '\\'): Expanded {
  let out = '';
  let resolved = true;
  const used: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === escape && text[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    const simple = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i, i + 256));
    if (simple) {
      used.push(simple[1]);
      const v = lookup(simple[1]);
      if (v?.value !== undefined) out += v.value;
      else {
        resolved = false;
        out += simple[0];
      }
      i += simple[0].length - 1;
      continue;
    }
    if (text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      if (close < 0) {
        out += c;
        continue;
      }
      const body = text.slice(i + 2, close);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/s.exec(body);
      if (!m) {
        resolved = false;
        out += text.slice(i, close + 1);
        i = close;
        continue;
      }
      used.push(m[1]);
      const v = lookup(m[1]);
      const op = m[2];
      const word = m[3] ?? '';
      const set = v !== undefined && v.value !== undefined;
      const nonEmpty = set && v.value !== '';
      if (!op) {
        if (set) out += v.value;
        else {
          resolved = false;
          out += text.slice(i, close + 1);
        }
      } else if (op === ':-' || op === '-') {
        const useValue = op === ':-' ? nonEmpty : set;
        if (useValue) out += v!.value;
        else if (v !== undefined && v.value === undefined) {
          // Declared but given at build time: the default applies only if it is not passed.
          const inner = expandDockerVars(word, lookup, escape);
          out += inner.value;
          resolved = false;
        } else {
          const inner = expandDockerVars(word, lookup, escape);
          out += inner.value;
          resolved &&= inner.resolved;
          used.push(...inner.used);
        }
      } else {
        // ${VAR:+word}
        const useWord = op === ':+' ? nonEmpty : set;
        if (useWord) {
          const inner = expandDockerVars(word, lookup, escape);
          out += inner.value;
          resolved &&= inner.resolved;
        } else if (v !== undefined && v.value === undefined) resolved = false;
      }
      i = close;
      continue;
    }
    out += c;
  }
  return { value: out, resolved, used };
}
