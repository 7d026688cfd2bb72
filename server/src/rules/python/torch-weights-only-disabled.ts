import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding, Range } from '../../engine/types';
import { detectInputKind } from '../../languages/detect';
import type { CallFact } from '../../languages/python/facts';
import { stringValue, type PyValue } from '../../languages/python/values';
import { CATALOG_SEVERITY, finding } from './call-matching';

const VARIABLE = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD';
const SAFETY_CHECK = 'check_torch_load_is_safe';
/** The transformers module that defines the safety check (edited in place by some Dockerfiles). */
const IMPORT_UTILS = /transformers\/utils\/import_utils\.py/;

const meta: RuleMeta = {
  id: 'torch-weights-only-disabled',
  title: 'weights_only protection switched off for the whole process',
  summary: 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD is set, or transformers\' check_torch_load_is_safe is patched out, so every torch.load unpickles arbitrary objects.',
  group: 'python',
  defaultSeverity: 'error',
  fixable: 'none',
  catalog: ['PY104', 'PY105'],
  references: [
    { title: 'torch.load: TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', url: 'https://pytorch.org/docs/stable/notes/serialization.html#weights-only' },
    { title: 'CVE-2025-32434', url: 'https://github.com/advisories/GHSA-53q9-r3pm-6pq6' },
  ],
};

/** torch reads the variable as true for "1", "y", "yes" and "true" in any case. */
function enables(v: PyValue): boolean {
  const s = stringValue(v);
  if (s !== undefined) return /^(1|y|yes|true)$/i.test(s.trim());
  return v.kind === 'number' ? v.value === 1 : v.kind === 'bool' ? v.value : false;
}

const SUBPROCESS = new Set(['os.system', 'os.popen', 'subprocess.run', 'subprocess.call', 'subprocess.check_call', 'subprocess.check_output', 'subprocess.Popen']);

function disabledFinding(range: Range): Finding {
  return finding(meta, range, CATALOG_SEVERITY.high,
    `Setting ${VARIABLE} makes every torch.load without weights_only=True unpickle arbitrary objects; remove it and load with weights_only=True (allow extra types with torch.serialization.add_safe_globals).`);
}

function tamper(range: Range): Finding {
  return finding(meta, range, CATALOG_SEVERITY.high,
    `Patching out transformers' ${SAFETY_CHECK} re-enables pickle checkpoint loading on torch < 2.6 (CVE-2025-32434); upgrade torch to 2.6 or later, or use safetensors weights, instead.`);
}

/** A shell command (or its source text) that edits the safety check out of transformers. */
function patchesSafetyCheck(command: string): boolean {
  if (command.includes(SAFETY_CHECK)) return /\b(sed|perl|awk|patch|return|pass)\b/.test(command);
  return IMPORT_UTILS.test(command) && /\b(sed|perl|awk|patch)\b|>>?/.test(command);
}

/** Environment passed to a child process: `env={**os.environ, VARIABLE: "1"}` or `env=dict(os.environ, VARIABLE="1")`. */
function childEnvEnables(call: CallFact): boolean {
  const env = call.keywords.get('env')?.value;
  const v = env?.kind === 'dict' ? env.entries.get(VARIABLE) : undefined;
  return !!v && enables(v);
}

export const torchWeightsOnlyDisabled = defineRule({
  meta,
  triggers: [VARIABLE, SAFETY_CHECK, 'import_utils'],
  check: {
    python(facts) {
      const out: Finding[] = [];
      for (const e of facts.envAssignments) if (e.name === VARIABLE && enables(e.value)) out.push(disabledFinding(e.range));
      for (const call of facts.calls) {
        const q = call.qname;
        if (q === 'os.environ.setdefault' || q === 'os.putenv' || call.methodName === 'setenv') {
          // os.environ.setdefault / os.putenv, and pytest's monkeypatch.setenv.
          const [k, v] = call.positional;
          if (k && v && stringValue(k.value) === VARIABLE && enables(v.value)) out.push(disabledFinding(call.range));
        } else if (q === 'os.environ.update') {
          const d = call.positional[0]?.value;
          const v = d?.kind === 'dict' ? d.entries.get(VARIABLE) : call.keywords.get(VARIABLE)?.value;
          if (v && enables(v)) out.push(disabledFinding(call.range));
        } else if ((q === 'setattr' || call.methodName === 'setattr') && call.positional.some((a) => stringValue(a.value) === SAFETY_CHECK)) {
          out.push(tamper(call.range));
        } else if ((q === 'unittest.mock.patch' || q === 'mock.patch') && call.positional.some((a) => (stringValue(a.value) ?? '').endsWith(`.${SAFETY_CHECK}`))) {
          out.push(tamper(call.range));
        } else if (q && SUBPROCESS.has(q)) {
          const command = call.positional[0];
          if (command && patchesSafetyCheck(command.text)) out.push(tamper(call.range));
          else if (childEnvEnables(call)) out.push(disabledFinding(call.keywords.get('env')!.itemRange));
        }
      }
      for (const a of facts.attributeAssignments) if (a.target.startsWith('transformers.') && a.target.endsWith(`.${SAFETY_CHECK}`)) out.push(tamper(a.range));
      return out;
    },
    // Dockerfiles arrive as dependency files; the variable and the sed patch live in ENV / ARG / RUN.
    requirements(_facts, ctx) {
      // A Dockerfile by name, or a document the editor calls a Dockerfile under another name.
      const kind = detectInputKind(ctx.uri);
      if (kind !== 'dockerfile' && !(kind === undefined && /^\s*FROM\s+\S/im.test(ctx.text))) return [];
      if (!ctx.text.includes(VARIABLE) && !ctx.text.includes(SAFETY_CHECK) && !IMPORT_UTILS.test(ctx.text)) return [];
      return checkDockerfile(ctx.text);
    },
    // Kubernetes env, compose environment and shell exports (Dockerfiles and Python are read above).
    serving(facts) {
      const out: Finding[] = [];
      for (const scope of facts.environments) {
        for (const e of scope.env) {
          if (e.name !== VARIABLE || !ENV_ORIGINS.has(e.origin ?? '') || e.value === undefined || !/^(1|y|yes|true)$/i.test(e.value.trim())) continue;
          out.push(disabledFinding(e.nameRange ?? e.range));
        }
      }
      return out;
    },
  },
});

/** Environment definitions this rule reads from the `serving` facts. */
const ENV_ORIGINS = new Set(['k8s-env', 'compose-environment', 'shell-export', 'shell-assignment', 'shell-prefix']);

// ---- Dockerfiles -----------------------------------------------------------------------------

interface PhysicalLine { line: number; text: string }
interface Instruction { keyword: string; lines: PhysicalLine[] }

/** Instructions with their physical lines (continuations and heredoc bodies included, comment lines dropped). */
function dockerInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  let current: Instruction | undefined;
  let continued = false;
  let heredoc: string | undefined;
  lines.forEach((raw, line) => {
    if (heredoc !== undefined) {
      current?.lines.push({ line, text: raw });
      if (raw.trim() === heredoc) heredoc = undefined;
      return;
    }
    if (/^\s*#/.test(raw) || (!continued && raw.trim() === '')) return;
    if (!continued || !current) {
      const keyword = /^\s*(\w+)/.exec(raw)?.[1]?.toUpperCase() ?? '';
      current = { keyword, lines: [] };
      out.push(current);
    }
    current.lines.push({ line, text: raw });
    continued = /\\\s*$/.test(raw);
    const marker = /<<-?\s*["']?(\w+)["']?/.exec(raw);
    if (marker && (current.keyword === 'RUN' || current.keyword === 'COPY')) heredoc = marker[1];
  });
  return out;
}

/** A truthy value, optionally quoted (group 2 is the quote), not the start of a longer word. */
const VALUE = `(["']?)(?:1|y|yes|true)\\2(?![\\w.])`;
const ASSIGNMENT = new RegExp(`(?:^|[^\\w$])(${VARIABLE})\\s*=\\s*${VALUE}`, 'i');
const LEGACY_ENV = new RegExp(`^\\s*ENV\\s+(${VARIABLE})\\s+${VALUE}\\s*$`, 'i');

function checkDockerfile(text: string): Finding[] {
  const out: Finding[] = [];
  const at = (l: PhysicalLine, index: number, length: number): Range => ({ start: { line: l.line, character: index }, end: { line: l.line, character: index + length } });
  for (const ins of dockerInstructions(text)) {
    if (ins.keyword !== 'ENV' && ins.keyword !== 'ARG' && ins.keyword !== 'RUN') continue;
    for (const l of ins.lines) {
      const m = ASSIGNMENT.exec(l.text) ?? (l === ins.lines[0] && ins.keyword === 'ENV' ? LEGACY_ENV.exec(l.text) : null);
      if (m) out.push(disabledFinding(at(l, l.text.indexOf(m[1], m.index), VARIABLE.length)));
    }
    if (ins.keyword !== 'RUN') continue;
    const command = ins.lines.map((l) => l.text.replace(/\\\s*$/, '')).join('\n');
    if (!patchesSafetyCheck(command)) continue;
    const hit = ins.lines.find((l) => l.text.includes(SAFETY_CHECK)) ?? ins.lines.find((l) => IMPORT_UTILS.test(l.text)) ?? ins.lines[0];
    const token = hit.text.includes(SAFETY_CHECK) ? SAFETY_CHECK : IMPORT_UTILS.exec(hit.text)?.[0];
    const index = token ? hit.text.indexOf(token) : hit.text.search(/\S/);
    out.push(tamper(at(hit, Math.max(index, 0), token?.length ?? hit.text.trim().length)));
  }
  return out;
}
