/**
 * PEP 508 requirement strings ("torch[cuda] >=2.4,<2.6 ; python_version >= '3.10'"), read with the
 * offsets of their parts so callers can map them back to the source.
 */

export interface ParsedRequirement {
  /** The name as written. */
  name: string;
  nameStart: number;
  extras: string[];
  /** Specifier text, trimmed, without parentheses ("" when absent). For a direct reference, "@ <url>". */
  specifier: string;
  /** Offsets of the specifier text (equal to `end` when there is none). */
  specifierStart: number;
  /** End of the requirement proper: after the name, extras, specifier or URL; markers excluded. */
  end: number;
  /** Direct reference URL (`name @ url`). */
  url?: string;
  /** Environment marker text after ";", if any. */
  marker?: string;
}

const NAME = /[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/y;

/** PyPI name normalization (PEP 503): lowercase, runs of "-", "_" and "." become "-". */
export function normalizePackageName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function skipSpaces(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

/**
 * Parse one requirement. Offsets are relative to `text`. Returns undefined when no package name
 * starts the text or the brackets are unbalanced. The specifier is returned as written (it is not
 * validated here; see pep440.parseSpecifier).
 */
export function parseRequirement(text: string): ParsedRequirement | undefined {
  let i = skipSpaces(text, 0);
  NAME.lastIndex = i;
  const nameMatch = NAME.exec(text);
  if (!nameMatch) return undefined;
  const nameStart = i;
  i = NAME.lastIndex;
  let end = i;
  const result: ParsedRequirement = { name: nameMatch[0], nameStart, extras: [], specifier: '', specifierStart: end, end };

  i = skipSpaces(text, i);
  if (text[i] === '[') {
    const close = text.indexOf(']', i);
    if (close < 0) return undefined;
    result.extras = text.slice(i + 1, close).split(',').map((e) => e.trim()).filter(Boolean);
    i = close + 1;
    end = i;
    i = skipSpaces(text, i);
  }

  const markerAt = (from: number): number => {
    const semi = text.indexOf(';', from);
    return semi < 0 ? text.length : semi;
  };

  if (text[i] === '@') {
    // Direct reference: the URL runs to whitespace; a marker must then follow " ;".
    const urlStart = skipSpaces(text, i + 1);
    let urlEnd = urlStart;
    while (urlEnd < text.length && !/\s/.test(text[urlEnd])) urlEnd++;
    result.url = text.slice(urlStart, urlEnd);
    result.specifier = text.slice(i, urlEnd);
    result.specifierStart = i;
    end = urlEnd;
    i = urlEnd;
  } else if (text[i] === '(') {
    const close = text.indexOf(')', i);
    if (close < 0) return undefined;
    const inner = text.slice(i + 1, close);
    const lead = inner.length - inner.trimStart().length;
    result.specifier = inner.trim();
    result.specifierStart = i + 1 + lead;
    end = close + 1;
    i = close + 1;
  } else {
    const stop = markerAt(i);
    const raw = text.slice(i, stop);
    const trimmed = raw.trimEnd();
    if (trimmed.length > 0) {
      result.specifier = trimmed;
      result.specifierStart = i;
      end = i + trimmed.length;
    }
    i = stop;
  }

  result.end = end;
  if (result.specifier === '') result.specifierStart = end;
  const semi = markerAt(i);
  if (semi < text.length) result.marker = text.slice(semi + 1).trim();
  return result;
}
