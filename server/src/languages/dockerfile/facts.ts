import type { Argument, Instruction, JSONArgument } from 'dockerfile-ast';
import { parseDockerfile } from './parse';
import type { Range } from '../../engine/types';
import type { SourceArg } from '../../invocations/build';
import { parseImageRef, type ImageRef } from '../../invocations/images';
import type { EnvVar } from '../../invocations/types';
import type { VarBinding } from '../shell/commands';
import { alignValue, LineIndex, MappedText, MappedTextBuilder } from '../text-map';
import { expandDockerVars, type DockerVar } from './variables';

/**
 * The Dockerfile front-end (dockerfile-ast underneath): build stages with their names, the image
 * each starts from (ARG defaults substituted, nested ones too), USER, ENV/ARG (both `ENV A=b` and
 * the legacy `ENV A b` form, several variables per line), EXPOSE, COPY/ADD (with `--from`),
 * RUN/CMD/ENTRYPOINT bodies in exec form (JSON strings, ranges without the quotes) and shell form
 * (handed to the shell front-end with a position map, comment lines inside continuations left
 * out), and here-document RUNs.
 */

export interface DockerInstruction {
  keyword: string;
  range: Range;
  /** Range of the arguments (after the keyword and its flags). */
  argsRange?: Range;
  /** Index of the stage it belongs to; -1 before the first FROM. */
  stage: number;
}

export interface DockerFrom {
  /** The image as written (`${BASE}`, `python:3.11-slim`). */
  written: string;
  /** Range of the image as written. */
  range: Range;
  /** The image after ARG substitution; undefined when a variable has no default. */
  image?: string;
  ref?: ImageRef;
  /** The FROM names an earlier stage (by name). */
  stage?: number;
  scratch: boolean;
  /**
   * When the whole image is one ARG (`FROM ${BASE}`): that ARG's default, which is where a digest
   * would be written.
   */
  viaArg?: { name: string; value: string; valueRange: Range };
  instructionRange: Range;
}

export interface DockerUser { value: string; resolved: boolean; range: Range; instructionRange: Range }
export interface DockerExpose { port: number; protocol: string; range: Range }

export interface DockerCopy {
  keyword: 'COPY' | 'ADD';
  sources: { value: string; range: Range }[];
  target?: string;
  /** `--from=<stage|image>`. */
  from?: { value: string; range: Range; stage?: number };
  /** `ADD --checksum=…`. */
  checksum?: string;
  range: Range;
}

/** A RUN, CMD or ENTRYPOINT body. */
export interface DockerCommandBody {
  keyword: 'RUN' | 'CMD' | 'ENTRYPOINT';
  form: 'exec' | 'shell' | 'heredoc';
  /** Exec form: the JSON strings. */
  argv?: SourceArg[];
  /** Shell form: the command text mapped to the document (comment lines of continuations removed). */
  script?: MappedText;
  /** Here-document RUN: the line holding the markers (markers blanked) and the bodies. */
  heredocs?: { line: MappedText; bodies: MappedText[] };
  /** RUN flags (`--mount=type=secret,id=hf`, `--network=none`). */
  flags: { name: string; value?: string }[];
  range: Range;
  /** Variables visible to a RUN (ARG and ENV so far, inherited ENV included). */
  vars: Map<string, VarBinding>;
}

export interface DockerStage {
  index: number;
  /** `AS <name>`, as written. */
  name?: string;
  nameRange?: Range;
  from: DockerFrom;
  /** FROM line through the last instruction of the stage. */
  range: Range;
  instructions: DockerInstruction[];
  users: DockerUser[];
  /** ENV definitions of this stage (not inherited ones). */
  env: EnvVar[];
  /** ARG definitions of this stage. */
  args: EnvVar[];
  expose: DockerExpose[];
  copies: DockerCopy[];
  runs: DockerCommandBody[];
  /** The last CMD / ENTRYPOINT of the stage (the ones Docker uses). */
  cmd?: DockerCommandBody;
  entrypoint?: DockerCommandBody;
  /** ENV in force at the end of the stage, inherited ones first (what CMD/ENTRYPOINT see). */
  runtimeEnv: EnvVar[];
}

export interface DockerfileFacts {
  readonly text: string;
  readonly doc: LineIndex;
  /** ARGs before the first FROM (usable in FROM lines). */
  readonly globalArgs: EnvVar[];
  readonly stages: DockerStage[];
  readonly instructions: DockerInstruction[];
  /** The last stage: the image `docker build` produces without `--target`. */
  readonly finalStage?: DockerStage;
  /** The stages whose content ends up in the final image: its FROM chain and stages COPY --from'd into them, transitively. */
  stagesInFinalImage(): DockerStage[];
  /** The stage chain of `stage` through `FROM <earlier stage>`, the stage itself last. */
  chainOf(stage: DockerStage): DockerStage[];
}

const MAX_CHAIN = 64;

export function buildDockerfileFacts(text: string): DockerfileFacts {
  const doc = new LineIndex(text);
  const df = parseDockerfile(text);
  const escape = df.getEscapeCharacter();
  const offsetOf = (r: Range) => doc.offset(r.start);
  const instructions: DockerInstruction[] = [];
  const stages: DockerStage[] = [];
  const globalArgs: EnvVar[] = [];
  const globalVars = new Map<string, DockerVar>();
  let stage: DockerStage | undefined;
  let vars = new Map<string, VarBinding>();
  let runtimeEnv = new Map<string, EnvVar>();

  const lookup = (name: string): DockerVar | undefined => {
    const b = vars.get(name);
    return b ? { value: b.value } : undefined;
  };

  const stageByName = (name: string, before: number): number | undefined => {
    const lower = name.toLowerCase();
    const named = stages.findIndex((s, i) => i < before && s.name?.toLowerCase() === lower);
    if (named >= 0) return named;
    if (/^\d+$/.test(name) && Number(name) < before) return Number(name);
    return undefined;
  };

  for (const ins of df.getInstructions()) {
    const keyword = ins.getKeyword();
    const range = ins.getRange();
    const argsRange = ins.getArgumentsRange() ?? undefined;
    const entry: DockerInstruction = { keyword, range, ...(argsRange ? { argsRange } : {}), stage: stage ? stage.index : -1 };

    if (keyword === 'FROM') {
      const from = readFrom(ins, globalVars, globalArgs, stageByName, stages.length, escape);
      const nameArg = (ins as unknown as { getBuildStage(): string | null; getBuildStageRange(): Range | null });
      const name = nameArg.getBuildStage() ?? undefined;
      const nameRange = nameArg.getBuildStageRange() ?? undefined;
      stage = { index: stages.length, from, range, instructions: [], users: [], env: [], args: [], expose: [], copies: [], runs: [], runtimeEnv: [] };
      if (name) stage.name = name;
      if (nameRange) stage.nameRange = nameRange;
      entry.stage = stage.index;
      stages.push(stage);
      // ENV is inherited from a parent stage; ARGs are scoped to their stage.
      const parent = from.stage !== undefined ? stages[from.stage] : undefined;
      runtimeEnv = new Map(parent ? parent.runtimeEnv.map((e) => [e.name, e]) : []);
      vars = new Map([...runtimeEnv.values()].map((e) => [e.name, { value: e.value, exported: true, def: e }]));
      stage.runtimeEnv = [...runtimeEnv.values()];
      instructions.push(entry);
      continue;
    }
    instructions.push(entry);
    if (!stage) {
      if (keyword === 'ARG') {
        for (const def of readProperties(ins, doc, 'dockerfile-arg')) {
          if (def.value !== undefined) def.value = expandDockerVars(def.value, (n) => globalVars.get(n), escape).value;
          // An ARG without a default is set by --build-arg or not at all: its value is not known.
          globalVars.set(def.name, { value: def.value });
          globalArgs.push(def);
        }
      }
      continue;
    }
    stage.instructions.push(entry);
    stage.range = { start: stage.range.start, end: range.end };
    switch (keyword) {
      case 'ARG':
        for (const def of readProperties(ins, doc, 'dockerfile-arg')) {
          const raw = def.value;
          if (raw !== undefined) {
            const ex = expandDockerVars(raw, lookup, escape);
            def.value = ex.resolved ? ex.value : undefined;
          } else if (globalVars.has(def.name)) {
            // `ARG NAME` inside a stage takes the global default.
            def.value = globalVars.get(def.name)!.value;
          }
          stage.args.push(def);
          vars.set(def.name, { value: def.value, exported: true, def });
        }
        break;
      case 'ENV':
        for (const def of readProperties(ins, doc, 'dockerfile-env')) {
          if (def.value !== undefined) {
            if (/\$/.test(def.value)) def.reference = true;
            const ex = expandDockerVars(def.value, lookup, escape);
            def.value = ex.resolved ? ex.value : undefined;
          }
          stage.env.push(def);
          runtimeEnv.set(def.name, def);
          vars.set(def.name, { value: def.value, exported: true, def });
        }
        break;
      case 'USER': {
        const args = ins.getArguments();
        if (args.length === 0) break;
        const first = args[0];
        const ex = expandDockerVars(first.getValue(), lookup, escape);
        stage.users.push({ value: ex.value, resolved: ex.resolved, range: first.getRange(), instructionRange: range });
        break;
      }
      case 'EXPOSE':
        for (const a of ins.getArguments()) {
          const ex = expandDockerVars(a.getValue(), lookup, escape);
          const m = /^(\d+)(?:-\d+)?(?:\/(tcp|udp|sctp))?$/i.exec(ex.value);
          if (m) stage.expose.push({ port: Number(m[1]), protocol: (m[2] ?? 'tcp').toLowerCase(), range: a.getRange() });
        }
        break;
      case 'COPY':
      case 'ADD':
        stage.copies.push(readCopy(ins, keyword, lookup, escape, stageByName, stage.index));
        break;
      case 'RUN':
      case 'CMD':
      case 'ENTRYPOINT': {
        const body = readCommandBody(ins, keyword, doc, offsetOf, new Map(vars), escape);
        if (!body) break;
        if (keyword === 'RUN') stage.runs.push(body);
        else if (keyword === 'CMD') stage.cmd = body;
        else stage.entrypoint = body;
        break;
      }
      default:
        break;
    }
    stage.runtimeEnv = [...runtimeEnv.values()];
  }

  const chainOf = (s: DockerStage): DockerStage[] => {
    const chain: DockerStage[] = [s];
    let cur = s;
    while (cur.from.stage !== undefined && chain.length < MAX_CHAIN) {
      cur = stages[cur.from.stage];
      if (chain.includes(cur)) break;
      chain.unshift(cur);
    }
    return chain;
  };
  const finalStage = stages[stages.length - 1];
  return {
    text,
    doc,
    globalArgs,
    stages,
    instructions,
    finalStage,
    chainOf,
    stagesInFinalImage() {
      if (!finalStage) return [];
      const seen = new Set<number>();
      const queue = [finalStage];
      while (queue.length) {
        const s = queue.pop()!;
        if (seen.has(s.index)) continue;
        seen.add(s.index);
        if (s.from.stage !== undefined) queue.push(stages[s.from.stage]);
        for (const c of s.copies) if (c.from?.stage !== undefined) queue.push(stages[c.from.stage]);
      }
      return stages.filter((s) => seen.has(s.index));
    },
  };
}

function readFrom(
  ins: Instruction,
  globalVars: Map<string, DockerVar>,
  globalArgs: EnvVar[],
  stageByName: (name: string, before: number) => number | undefined,
  index: number,
  escape: string,
): DockerFrom {
  const from = ins as unknown as { getImage(): string | null; getImageRange(): Range | null };
  const written = from.getImage() ?? '';
  const range = from.getImageRange() ?? ins.getRange();
  const result: DockerFrom = { written, range, scratch: false, instructionRange: ins.getRange() };
  const ex = expandDockerVars(written, (n) => globalVars.get(n), escape);
  if (ex.resolved) {
    result.image = ex.value;
    result.ref = parseImageRef(ex.value);
  }
  const whole = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(written);
  if (whole && ex.resolved) {
    const def = [...globalArgs].reverse().find((a) => a.name === whole[1]);
    if (def?.valueRange && def.value !== undefined) result.viaArg = { name: def.name, value: def.value, valueRange: def.valueRange };
  }
  const image = result.image ?? written;
  if (image.toLowerCase() === 'scratch') result.scratch = true;
  const stage = result.image !== undefined && !/[/:@]/.test(image) ? stageByName(image, index) : undefined;
  if (stage !== undefined) result.stage = stage;
  return result;
}

/** ENV / ARG name-value pairs, both `A=b C="d e"` and legacy `A b c`. */
function readProperties(ins: Instruction, doc: LineIndex, origin: 'dockerfile-env' | 'dockerfile-arg'): EnvVar[] {
  const props = (ins as unknown as { getProperties(): { getName(): string; getNameRange(): Range; getValue(): string | null; getValueRange(): Range | null; getRange(): Range }[] }).getProperties?.() ?? [];
  const out: EnvVar[] = [];
  for (const p of props) {
    const name = p.getName();
    if (!name) continue;
    const def: EnvVar = { name, range: p.getRange(), nameRange: p.getNameRange(), origin };
    const value = p.getValue();
    const vr = p.getValueRange();
    if (value !== null) def.value = value;
    if (vr) def.valueRange = stripQuotes(vr, doc);
    out.push(def);
  }
  return out;
}

function stripQuotes(r: Range, doc: LineIndex): Range {
  const s = doc.offset(r.start);
  const e = doc.offset(r.end);
  const text = doc.text.slice(s, e);
  if (e - s >= 2 && (text[0] === '"' || text[0] === "'") && text[text.length - 1] === text[0]) return doc.range(s + 1, e - 1);
  return r;
}

function readCopy(
  ins: Instruction,
  keyword: 'COPY' | 'ADD',
  lookup: (n: string) => DockerVar | undefined,
  escape: string,
  stageByName: (name: string, before: number) => number | undefined,
  stageIndex: number,
): DockerCopy {
  const copy: DockerCopy = { keyword, sources: [], range: ins.getRange() };
  const flags = (ins as unknown as { getFlags?(): { getName(): string; getValue(): string | null; getValueRange(): Range | null; getRange(): Range }[] }).getFlags?.() ?? [];
  for (const f of flags) {
    const value = f.getValue();
    if (f.getName() === 'from' && value !== null) {
      const v = expandDockerVars(value, lookup, escape).value;
      const stage = stageByName(v, stageIndex);
      copy.from = { value: v, range: f.getValueRange() ?? f.getRange(), ...(stage !== undefined ? { stage } : {}) };
    } else if (f.getName() === 'checksum' && value !== null) {
      copy.checksum = value;
    }
  }
  const json = (ins as unknown as { getJSONStrings?(): JSONArgument[] }).getJSONStrings?.() ?? [];
  const raw = ins.getRawArgumentsContent() ?? '';
  const items: { value: string; range: Range }[] = raw.trimStart().startsWith('[') && json.length > 0
    ? json.map((j) => ({ value: j.getJSONValue(), range: j.getJSONRange() }))
    : (ins.getArguments() as Argument[]).map((a) => ({ value: a.getValue(), range: a.getRange() }));
  const expanded = items.map((i) => ({ value: expandDockerVars(i.value, lookup, escape).value, range: i.range }));
  if (expanded.length > 0) {
    copy.target = expanded[expanded.length - 1].value;
    copy.sources = expanded.slice(0, -1);
  }
  return copy;
}

function readCommandBody(
  ins: Instruction,
  keyword: 'RUN' | 'CMD' | 'ENTRYPOINT',
  doc: LineIndex,
  offsetOf: (r: Range) => number,
  vars: Map<string, VarBinding>,
  escape: string,
): DockerCommandBody | undefined {
  // The instruction text is scanned here rather than through dockerfile-ast's argument accessors,
  // which re-split the whole instruction on every call (seconds for a RUN of 100,000 lines).
  const range = ins.getRange();
  const scanned = scanInstruction(doc, offsetOf(range), doc.offset(range.end), escape, keyword === 'RUN');
  if (!scanned) return undefined;
  const { start, end, flags } = scanned;
  const body: DockerCommandBody = { keyword, form: 'shell', flags, range, vars };
  const rawText = doc.text.slice(start, end);
  if (rawText.startsWith('[')) {
    const argv = scanJsonArray(doc, start, end, escape);
    if (argv) {
      body.form = 'exec';
      body.argv = argv;
      return body;
    }
  }
  const firstLine = rawText.slice(0, rawText.indexOf('\n') >= 0 ? rawText.indexOf('\n') : rawText.length);
  if (keyword === 'RUN' && /<<-?\s*["']?\w+/.test(firstLine)) {
    const heredocs = (ins as unknown as { getHeredocs?(): { getContentRange(): Range | null }[] }).getHeredocs?.() ?? [];
    if (heredocs.length > 0) {
      body.form = 'heredoc';
      // Blank the markers so the rest of the line parses as a command (`python3`, `bash -ex`, or nothing).
      const blanked = firstLine.replace(/<<-?\s*(["']?)\w+\1/g, (m) => ' '.repeat(m.length));
      const b = new MappedTextBuilder(doc);
      b.addVerbatim(blanked, start);
      const bodies: MappedText[] = [];
      for (const h of heredocs) {
        const cr = h.getContentRange();
        if (cr) bodies.push(MappedText.slice(doc, doc.offset(cr.start), doc.offset(cr.end)));
      }
      body.heredocs = { line: b.build(), bodies };
      return body;
    }
  }
  body.script = shellBody(doc, start, end);
  return body;
}

/** Skip blanks and escaped line breaks (and the comment lines Docker drops inside continuations). */
function skipBlanks(text: string, i: number, end: number, escape: string): number {
  for (;;) {
    while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] === escape && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\r' ? 3 : 2;
      // Comment and blank lines inside a continuation.
      while (i < end) {
        const nl = text.indexOf('\n', i);
        const line = text.slice(i, nl < 0 || nl > end ? end : nl);
        if (!/^[ \t]*(#.*)?\r?$/.test(line) || nl < 0 || nl >= end) break;
        i = nl + 1;
      }
      continue;
    }
    return i;
  }
}

/** Keyword, flags (`RUN --mount=…`) and where the arguments start, for an instruction spanning [s, e). */
function scanInstruction(doc: LineIndex, s: number, e: number, escape: string, withFlags: boolean): { start: number; end: number; flags: { name: string; value?: string }[] } | undefined {
  const text = doc.text;
  let i = s;
  while (i < e && /\s/.test(text[i])) i++;
  while (i < e && /[A-Za-z]/.test(text[i])) i++;
  const flags: { name: string; value?: string }[] = [];
  for (;;) {
    i = skipBlanks(text, i, e, escape);
    if (!withFlags || !text.startsWith('--', i)) break;
    let j = i;
    while (j < e && !/\s/.test(text[j])) j++;
    const token = text.slice(i + 2, j);
    const eq = token.indexOf('=');
    flags.push(eq >= 0 ? { name: token.slice(0, eq), value: token.slice(eq + 1) } : { name: token });
    i = j;
  }
  let end = e;
  while (end > i && /\s/.test(text[end - 1])) end--;
  if (end <= i) return undefined;
  return { start: i, end, flags };
}

/** An exec-form body (`["tritonserver", "--flag"]`): each JSON string with its range inside the quotes; undefined when not a JSON array of strings. */
function scanJsonArray(doc: LineIndex, start: number, end: number, escape: string): SourceArg[] | undefined {
  const text = doc.text;
  let i = start + 1;
  const out: SourceArg[] = [];
  for (;;) {
    i = skipBlanks(text, i, end, escape);
    if (text[i] === '\n' || text[i] === '\r') i = skipBlanks(text, i + 1, end, escape);
    if (text[i] === ']' && out.length === 0) {
      i++;
      break;
    }
    if (text[i] !== '"') return undefined;
    let j = i + 1;
    while (j < end && text[j] !== '"') {
      if (text[j] === '\n') return undefined;
      j += text[j] === '\\' ? 2 : 1;
    }
    if (j >= end) return undefined;
    const raw = text.slice(i + 1, j);
    let value: string;
    try {
      value = JSON.parse(`"${raw}"`) as string;
    } catch {
      return undefined;
    }
    const mapped = raw === value ? MappedText.slice(doc, i + 1, j) : alignValue(value, doc, i + 1, j);
    out.push({ value, range: doc.range(i + 1, j), rawRange: doc.range(i, j + 1), resolved: true, ...(raw === value ? { verbatim: true } : {}), ...(mapped ? { mapped } : {}) });
    i = skipBlanks(text, j + 1, end, escape);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === ']') {
      i++;
      break;
    }
    return undefined;
  }
  return skipBlanks(text, i, end, escape) >= end ? out : undefined;
}

/**
 * The shell text of a shell-form instruction. Backslash-newline is a bash continuation too, so
 * the text maps back one for one, except comment (and blank) lines inside a continuation, which
 * Docker drops and which are left out here.
 */
function shellBody(doc: LineIndex, start: number, end: number): MappedText {
  const text = doc.text.slice(start, end);
  if (!/\n[ \t]*(#|\r?\n|$)/.test(text)) return MappedText.slice(doc, start, end);
  const b = new MappedTextBuilder(doc);
  let pos = start;
  let first = true;
  while (pos < end) {
    const nl = doc.text.indexOf('\n', pos);
    const lineEnd = nl < 0 || nl >= end ? end : nl + 1;
    const line = doc.text.slice(pos, lineEnd);
    if (first || !/^[ \t]*(#.*)?\r?\n?$/.test(line)) b.addVerbatim(line, pos);
    first = false;
    pos = lineEnd;
  }
  return b.build();
}
