/**
 * setup.cfg (setuptools declarative config): `[options] install_requires` and every key of
 * `[options.extras_require]`. Values are "dangling lists": one requirement per indented line,
 * possibly starting on the key's own line. Read line by line like configparser, keeping offsets.
 */
import type { FactsBuilder } from './facts-builder';

/** Option names are case- and separator-insensitive in setuptools (install-requires works with a warning). */
function optionName(key: string): string {
  return key.trim().toLowerCase().replace(/-/g, '_');
}

export function parseSetupCfg(out: FactsBuilder): void {
  const { lines } = out;
  let section = '';
  /** Whether the indented lines that follow belong to a requirement list. */
  let collecting = false;

  for (let line = 0; line < lines.lineCount; line++) {
    const { start, end } = lines.lineBounds(line);
    const content = out.text.slice(start, end);
    const trimmed = content.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;

    const indented = /^[ \t]/.test(content);
    if (indented) {
      if (collecting) readValue(out, start, content);
      continue;
    }

    const header = /^\[([^\]]*)\]/.exec(content);
    if (header) {
      section = header[1].trim();
      collecting = false;
      continue;
    }

    const keyValue = /^([^=:]+)[=:]/.exec(content);
    if (!keyValue) {
      collecting = false;
      continue;
    }
    const key = optionName(keyValue[1]);
    collecting =
      (section === 'options' && key === 'install_requires') || section === 'options.extras_require';
    if (collecting) {
      const valueStart = keyValue[0].length;
      const value = content.slice(valueStart);
      // `file:` directives point at other files (collected on their own).
      if (/^\s*file:/.test(value)) collecting = false;
      else readValue(out, start + valueStart, value);
    }
  }
}

/** One line of a requirement list; `sourceStart` is where `text` begins in the document. */
function readValue(out: FactsBuilder, sourceStart: number, text: string): void {
  // configparser keeps inline comments, but " #" never belongs in a requirement. (";" does: it
  // starts environment markers, so only whole-line ";" comments are dropped, by the caller.)
  const body = stripHashComment(text);
  const lead = body.length - body.trimStart().length;
  const whole: [number, number] = [sourceStart + lead, sourceStart + body.trimEnd().length];
  out.addRequirement(body, whole, sourceStart);
}

function stripHashComment(text: string): string {
  const hash = /(^|\s)#/.exec(text);
  return hash ? text.slice(0, hash.index) : text;
}
