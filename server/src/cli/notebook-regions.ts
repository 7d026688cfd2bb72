import type { Position } from '../engine/types';

/**
 * Maps positions inside a notebook cell's source back to positions in the `.ipynb` JSON text, so
 * SARIF results point at the exact characters of the file that code scanning displays.
 *
 * The cell numbering matches languages/notebook.ts `parseNotebook`: elements of the top-level
 * `cells` array that are objects or arrays count, other values are skipped. Sources may be one
 * string or an array of strings (nbformat writes one string per line); escapes are decoded and
 * `\r\n` / `\r` count as one line break, as parseNotebook normalizes them.
 *
 * The scanner is iterative (no recursion), so a hostile, deeply nested file cannot overflow the stack.
 */
export type NotebookLocator = (cell: number, position: Position) => Position | undefined;

export function notebookLocator(json: string): NotebookLocator | undefined {
  let sources: number[][] | undefined;
  try {
    sources = scanCellSources(json);
  } catch {
    return undefined;
  }
  if (!sources) return undefined;
  let lineStarts: number[] | undefined;
  const toPosition = (offset: number): Position => {
    lineStarts ??= computeLineStarts(json);
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - lineStarts[lo] };
  };
  return (cell, position) => {
    const strings = sources![cell];
    if (!strings || strings.length === 0) return undefined;
    const offset = locateInStrings(json, strings, position);
    return offset === undefined ? undefined : toPosition(offset);
  };
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** Offset in `json` of the decoded position, walking the string tokens that start at `strings` (their opening quotes). */
function locateInStrings(json: string, strings: number[], target: Position): number | undefined {
  let line = 0;
  let character = 0;
  let pendingCR = false;
  let last = strings[0] + 1;
  for (const start of strings) {
    let i = start + 1;
    while (i < json.length && json.charCodeAt(i) !== 34 /* " */) {
      let decoded: number;
      let width: number;
      if (json.charCodeAt(i) === 92 /* \ */) {
        const e = json[i + 1];
        width = e === 'u' ? 6 : 2;
        decoded = e === 'n' ? 10 : e === 'r' ? 13 : e === 'u' ? parseInt(json.slice(i + 2, i + 6), 16) : 0;
      } else {
        decoded = json.charCodeAt(i);
        width = 1;
      }
      if (decoded === 10 && pendingCR) {
        // second half of \r\n: already counted as the line break
        pendingCR = false;
        i += width;
        continue;
      }
      pendingCR = false;
      if (line === target.line && character === target.character) return i;
      if (decoded === 10 || decoded === 13) {
        if (line === target.line) return i; // a column past the end of the line: the line break
        line++;
        character = 0;
        pendingCR = decoded === 13;
      } else {
        character++;
      }
      i += width;
    }
    last = i;
  }
  // Past the end of the source: the closing quote of the last string.
  return line <= target.line ? last : undefined;
}

const WS = new Set([32, 9, 10, 13]);

/** Offsets of the source string tokens of each counted cell, or undefined when there is no `cells` array. */
function scanCellSources(json: string): number[][] | undefined {
  let i = 0;
  const n = json.length;
  const ws = () => {
    while (i < n && WS.has(json.charCodeAt(i))) i++;
  };
  const skipString = () => {
    // at the opening quote
    i++;
    while (i < n) {
      const c = json.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === 34) {
        i++;
        return;
      } else i++;
    }
    throw new Error('unterminated string');
  };
  const readKey = (): string => {
    const start = i;
    skipString();
    return JSON.parse(json.slice(start, i)) as string;
  };
  const skipValue = () => {
    const c = json[i];
    if (c === '"') return skipString();
    if (c === '{' || c === '[') {
      let depth = 0;
      while (i < n) {
        const d = json[i];
        if (d === '"') {
          skipString();
          continue;
        }
        if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') {
          depth--;
          if (depth === 0) {
            i++;
            return;
          }
        }
        i++;
      }
      throw new Error('unterminated container');
    }
    while (i < n && !WS.has(json.charCodeAt(i)) && json[i] !== ',' && json[i] !== '}' && json[i] !== ']') i++;
  };
  /** Iterates the members of the object at `i`, calling `member(key)` positioned at each value, which must consume it. */
  const members = (member: (key: string) => void) => {
    if (json[i] !== '{') throw new Error('object expected');
    i++;
    ws();
    if (json[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      ws();
      const key = readKey();
      ws();
      if (json[i] !== ':') throw new Error('colon expected');
      i++;
      ws();
      member(key);
      ws();
      if (json[i] === ',') {
        i++;
        continue;
      }
      if (json[i] === '}') {
        i++;
        return;
      }
      throw new Error('comma expected');
    }
  };
  const elements = (element: () => void) => {
    if (json[i] !== '[') throw new Error('array expected');
    i++;
    ws();
    if (json[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      ws();
      element();
      ws();
      if (json[i] === ',') {
        i++;
        continue;
      }
      if (json[i] === ']') {
        i++;
        return;
      }
      throw new Error('comma expected');
    }
  };

  let cells: number[][] | undefined;
  ws();
  if (json.charCodeAt(i) === 0xfeff) i++;
  ws();
  members((key) => {
    if (key !== 'cells' || json[i] !== '[') return skipValue();
    const found: number[][] = [];
    elements(() => {
      if (json[i] === '{') {
        let strings: number[] = [];
        members((cellKey) => {
          if (cellKey !== 'source') return skipValue();
          strings = [];
          if (json[i] === '"') {
            strings.push(i);
            skipString();
          } else if (json[i] === '[') {
            elements(() => {
              if (json[i] === '"') {
                strings.push(i);
                skipString();
              } else skipValue();
            });
          } else skipValue();
        });
        found.push(strings);
      } else if (json[i] === '[') {
        found.push([]);
        skipValue();
      } else skipValue();
    });
    cells = found;
  });
  return cells;
}
