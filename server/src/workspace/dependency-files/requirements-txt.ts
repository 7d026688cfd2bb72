/**
 * requirements*.txt / constraints*.txt (pip's requirements file format): one requirement per
 * logical line, "\" continuations, "#" comments, option lines, per-requirement options and markers.
 */
import type { FactsBuilder } from './facts-builder';
import { parseRequirement } from './pep508';
import { wheelName } from './wheel-filename';

/** A logical line: pieces of physical lines glued by "\" continuations, with their source offsets. */
interface LogicalLine {
  text: string;
  /** For each piece: where it starts in `text` and in the document. */
  pieces: { at: number; source: number }[];
}

function toSource(line: LogicalLine, index: number): number {
  let piece = line.pieces[0];
  for (const p of line.pieces) {
    if (p.at > index) break;
    piece = p;
  }
  return piece.source + (index - piece.at);
}

/** Follows pip's `join_lines`: a trailing backslash joins the next line, but a comment line ends the join. */
function* logicalLines(text: string): Generator<LogicalLine> {
  const linePattern = /([^\r\n]*)(\r\n|\r|\n|$)/g;
  let pending: LogicalLine | undefined;
  let m: RegExpExecArray | null;
  while ((m = linePattern.exec(text)) !== null) {
    const content = m[1];
    const source = m.index;
    const isComment = /^\s*#/.test(content);
    if (!content.endsWith('\\') || isComment) {
      if (pending) {
        if (!isComment) {
          pending.pieces.push({ at: pending.text.length, source });
          pending.text += content;
        }
        yield pending;
        pending = undefined;
      } else {
        yield { text: content, pieces: [{ at: 0, source }] };
      }
    } else {
      pending ??= { text: '', pieces: [] };
      pending.pieces.push({ at: pending.text.length, source });
      pending.text += content.slice(0, -1);
    }
    if (m[2] === '') break;
  }
  if (pending) yield pending;
}

const URL_OR_PATH = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/|(?:git|hg|svn|bzr)\+|file:|[./~]|[A-Za-z]:[\\/])/;

export function parseRequirementsTxt(out: FactsBuilder): void {
  for (const line of logicalLines(out.text)) {
    // pip strips comments that start the line or follow whitespace ("pkg#egg" is not a comment).
    const comment = /(^|\s)#/.exec(line.text);
    const body = comment ? line.text.slice(0, comment.index) : line.text;
    const start = body.length - body.trimStart().length;
    if (start === body.length) continue;
    // Option lines (-r, -c, -e, --index-url, --hash on its own, ...) declare no versions we can read.
    if (body[start] === '-') continue;
    // Per-requirement options (--hash=..., --config-settings ...) end the requirement.
    const option = /\s--?[A-Za-z]/.exec(body.slice(start));
    const end = option ? start + option.index : body.trimEnd().length;
    const requirementText = body.slice(start, end).trimEnd();
    const sourceStart = toSource(line, start);
    const sourceEnd = (index: number): number => toSource(line, index - 1) + 1;

    if (URL_OR_PATH.test(requirementText)) {
      // A bare URL or path: only a wheel file name tells which package and version it is.
      const token = requirementText.split(/\s|;/)[0];
      const name = wheelName(token);
      if (name) out.add(name, token, sourceStart, sourceEnd(start + token.length), { kind: 'url', url: token });
      continue;
    }

    const req = parseRequirement(requirementText);
    if (!req) {
      out.problem(sourceStart, sourceEnd(start + requirementText.length), `Cannot read the requirement "${requirementText.slice(0, 80)}".`);
      continue;
    }
    const reqStart = toSource(line, start + req.nameStart);
    const reqEnd = sourceEnd(start + req.end);
    if (req.url !== undefined) out.add(req.name, req.specifier, reqStart, reqEnd, { kind: 'url', url: req.url });
    else if (req.specifier.includes('${')) out.add(req.name, req.specifier, reqStart, reqEnd, { kind: 'unknown' });
    else out.add(req.name, req.specifier, reqStart, reqEnd);
  }
}
