import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding, Range } from '../../engine/types';
import { basename } from '../../invocations/build';
import type { ArgItem, Invocation, ServingFacts } from '../../invocations/types';
import type { DockerfileFacts } from '../../languages/dockerfile/facts';
import { finding } from '../python/call-matching';
import { CATALOG_SEVERITY } from '../severity';

const meta: RuleMeta = {
  id: 'docker-unverified-download',
  title: 'Build pulls code or model files without integrity checks',
  summary: 'A Dockerfile ADDs a URL without --checksum, downloads model files without verifying a SHA-256, pipes a download into a shell, or installs ML packages without == pins / VCS installs without a commit.',
  group: 'dockerfile',
  defaultSeverity: 'warning',
  fixable: 'sometimes',
  catalog: ['DK303', 'DK304'],
  references: [
    { title: 'Dockerfile reference: ADD --checksum', url: 'https://docs.docker.com/reference/dockerfile/#add---checksum' },
    { title: 'pip: secure installs (--require-hashes)', url: 'https://pip.pypa.io/en/stable/topics/secure-installs/' },
    { title: 'ShellCheck #1794: warn about curl | sh', url: 'https://github.com/koalaman/shellcheck/issues/1794' },
    { title: 'CWE-494: Download of Code Without Integrity Check', url: 'https://cwe.mitre.org/data/definitions/494.html' },
  ],
};

const DOWNLOADERS = new Set(['curl', 'wget']);
/** Programs that run what they read on standard input. */
const INTERPRETERS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'python', 'python3', 'perl', 'ruby', 'node']);
const MODEL_FILE = /\.(bin|pt|pth|ckpt|pkl|pickle|gguf|ggml|safetensors|onnx|mar|h5|hdf5|keras|pb|tflite|engine|plan|tar|tar\.gz|tgz|tar\.bz2|tar\.xz|zip|npz|npy|joblib)(\?[^\s]*)?$/i;
const CHECKSUM_TOOLS = new Set(['sha256sum', 'sha512sum', 'sha384sum', 'shasum', 'b2sum', 'md5sum', 'gpg', 'cosign', 'minisign']);
/** Packages whose unpinned install pulls code that loads models (rules.md DK303). */
const ML_PACKAGES = new Set(['torch', 'transformers', 'vllm', 'diffusers', 'sentence-transformers', 'keras', 'tensorflow', 'tensorflow-cpu', 'tensorflow-gpu', 'llama-cpp-python',
  'mlflow', 'huggingface-hub', 'accelerate', 'peft', 'safetensors', 'optimum', 'onnxruntime', 'onnxruntime-gpu', 'text-generation', 'torchserve', 'torch-model-archiver',
  'tritonclient', 'bitsandbytes', 'xformers', 'flash-attn', 'timm', 'open-clip-torch', 'datasets', 'tokenizers', 'trl', 'auto-gptq', 'autoawq']);

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function isPipeToInterpreter(inv: Invocation): boolean {
  if (!INTERPRETERS.has(basename(inv.program.value))) return false;
  // `sh`, `sh -s -- args`, `bash -`, `python3 -`: the script comes from standard input.
  const firstOperand = inv.args.find((a) => !a.value.startsWith('-') || a.value === '-');
  return !firstOperand || firstOperand.value === '-' || inv.args.some((a) => a.value === '-s');
}

function span(a: Range, b: Range): Range {
  return { start: a.start, end: b.end };
}

function urlArgs(inv: Invocation): ArgItem[] {
  return inv.args.filter((a) => /^(https?|ftp):\/\//i.test(a.value));
}

interface PipInstall {
  requirements: ArgItem[];
  constrained: boolean;
}

/** `pip install …`, `pip3 install`, `python -m pip install`, `uv pip install`: the requirement arguments. */
function pipInstall(inv: Invocation): PipInstall | undefined {
  const words = [inv.program, ...inv.args];
  let k = 0;
  const prog = basename(words[0].value);
  if (/^pip(\d+(\.\d+)?)?$/.test(prog)) k = 1;
  else if (/^python(\d+(\.\d+)?)?$/.test(prog)) {
    const m = words.findIndex((w) => w.value === '-m');
    if (m < 0 || words[m + 1]?.value !== 'pip') return undefined;
    k = m + 2;
  } else if (prog === 'uv' && words[1]?.value === 'pip') k = 2;
  else return undefined;
  while (k < words.length && words[k].value.startsWith('-')) k++;
  if (words[k]?.value !== 'install') return undefined;
  const rest = words.slice(k + 1);
  const values = rest.map((w) => w.value);
  const hashes = values.includes('--require-hashes');
  // A constraints file pins the versions; a requirements file alone does not pin extra arguments.
  const constrained = hashes || values.some((v) => v === '-c' || v === '--constraint' || v.startsWith('--constraint='));
  const requirements: ArgItem[] = [];
  for (let i = 0; i < rest.length; i++) {
    const v = rest[i].value;
    if (v.startsWith('-')) {
      if (/^(-[rcietf]|--(requirement|constraint|editable|index-url|extra-index-url|find-links|target|prefix|root|src|upgrade-strategy|platform|python-version|implementation|abi|trusted-host|cache-dir|log|timeout|retries|proxy|cert|client-cert|exists-action|only-binary|no-binary|progress-bar|config-settings|global-option|index|default-index|index-strategy|python|extra|group))$/.test(v)) i++;
      continue;
    }
    requirements.push(rest[i]);
  }
  return { requirements, constrained };
}

function checkPip(inv: Invocation, out: Finding[]): void {
  const pip = pipInstall(inv);
  if (!pip) return;
  for (const req of pip.requirements) {
    const v = req.value.trim();
    if (!req.resolved) continue;
    const vcs = /^(?:[\w.-]+\s*@\s*)?git\+(https?|ssh|git):\/\/[^@\s]+(?:@([^#\s]+))?/.exec(v);
    if (vcs) {
      if (!/^[0-9a-f]{40}$/.test(vcs[2] ?? '')) {
        out.push(finding(meta, req.range, CATALOG_SEVERITY.medium,
          `\`pip install ${v}\` installs whatever the repository's ${vcs[2] ? `\`${vcs[2]}\`` : 'default branch'} points to when the image is built; pin the install to a 40-hex commit (\`@<sha>\`).`));
      }
      continue;
    }
    if (pip.constrained) continue;
    // Local paths, archives, wheels and URLs are not registry packages.
    if (/^[./~]|\.(whl|tar\.gz|zip)$|:\/\//.test(v)) continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$/.exec(v);
    if (!m || !ML_PACKAGES.has(normalize(m[1]))) continue;
    const spec = m[3];
    if (/(^|,)\s*===?\s*[^,*]+$/.test(spec) && !spec.includes('*')) continue;
    out.push(finding(meta, req.range, CATALOG_SEVERITY.low,
      `\`${m[1]}\` is installed ${spec ? `with \`${spec}\`` : 'without a version'}, so each build may pull a different release of code that loads models; pin it with \`==\` (or install from a hashed requirements/constraints file).`));
  }
}

function checkCommands(facts: ServingFacts, out: Finding[]): void {
  const fromDockerfile = facts.fileKind === 'dockerfile';
  const pipelines = new Map<number, Invocation[]>();
  const blocks = new Map<number, Invocation[]>();
  for (const inv of facts.invocations) {
    if (fromDockerfile && inv.context.source !== 'dockerfile-run') continue;
    if (inv.pipeline) {
      const list = pipelines.get(inv.pipeline.id) ?? [];
      list.push(inv);
      pipelines.set(inv.pipeline.id, list);
    }
    const b = inv.context.block ?? 0;
    const list = blocks.get(b) ?? [];
    list.push(inv);
    blocks.set(b, list);
  }
  const reported = new Set<Invocation>();
  // curl … | sh
  for (const members of pipelines.values()) {
    members.sort((a, b) => a.pipeline!.index - b.pipeline!.index);
    for (const dl of members) {
      if (!DOWNLOADERS.has(basename(dl.program.value))) continue;
      const sink = members.find((m) => m.pipeline!.index > dl.pipeline!.index && (isPipeToInterpreter(m) || (basename(m.program.value) === 'sudo' && m.args.some((a) => INTERPRETERS.has(basename(a.value))))));
      if (!sink) continue;
      reported.add(dl);
      out.push(finding(meta, span(dl.program.range, sink.program.range), CATALOG_SEVERITY.high,
        `\`${basename(dl.program.value)} … | ${basename(sink.program.value)}\` runs a script straight from the network: a compromised or intercepted download runs with ${fromDockerfile ? "the build's" : "this script's"} privileges. Download it to a file, verify its SHA-256 (\`sha256sum -c\`), then run it.`));
    }
  }
  for (const inv of facts.invocations) {
    if (fromDockerfile && inv.context.source !== 'dockerfile-run') continue;
    const prog = basename(inv.program.value);
    // bash <(curl …), sh -c "$(curl …)"
    if (INTERPRETERS.has(prog)) {
      const piped = inv.args.find((a) => /^<\(\s*(curl|wget)\b/.test(a.value) || /\$\(\s*(curl|wget)\b|`\s*(curl|wget)\b/.test(a.value));
      if (piped) {
        out.push(finding(meta, span(inv.program.range, piped.range), CATALOG_SEVERITY.high,
          `\`${prog}\` runs a script fetched with ${/wget/.test(piped.value) ? 'wget' : 'curl'}${fromDockerfile ? ' at build time' : ''} without any integrity check. Download it to a file, verify its SHA-256, then run it.`));
      }
    }
    if (!fromDockerfile) continue;
    checkPip(inv, out);
    if (!DOWNLOADERS.has(prog) || reported.has(inv)) continue;
    const models = urlArgs(inv).filter((a) => MODEL_FILE.test(a.value.replace(/[?#].*$/, '')) || MODEL_FILE.test(a.value));
    if (models.length === 0) continue;
    const siblings = blocks.get(inv.context.block ?? 0) ?? [];
    const verified = siblings.some((s) => CHECKSUM_TOOLS.has(basename(s.program.value)) && (s.args.some((a) => a.value === '-c' || a.value === '--check' || a.value === '--verify') || basename(s.program.value) === 'gpg' || basename(s.program.value) === 'cosign' || basename(s.program.value) === 'minisign'));
    if (verified) continue;
    for (const url of models) {
      out.push(finding(meta, url.range, CATALOG_SEVERITY.medium,
        `This ${prog} download of a model or archive file is not verified in the same RUN: a changed or tampered file (pickle weights run code when loaded) goes into the image unnoticed. Check it with \`echo "<sha256>  <file>" | sha256sum -c -\` in the same RUN.`));
    }
  }
}

export const dockerUnverifiedDownload = defineRule({
  meta,
  check: {
    dockerfile(facts: DockerfileFacts) {
      const out: Finding[] = [];
      for (const stage of facts.stages) {
        for (const copy of stage.copies) {
          if (copy.keyword !== 'ADD' || copy.checksum) continue;
          for (const src of copy.sources) {
            if (!/^(https?:\/\/|git@|git:\/\/)/i.test(src.value)) continue;
            const git = /^git@|\.git(#.*)?$|^git:\/\//i.test(src.value);
            const addEnd = { line: copy.range.start.line, character: copy.range.start.character + 3 };
            out.push(finding(meta, src.range, CATALOG_SEVERITY.medium,
              git
                ? `\`ADD ${src.value}\` fetches a Git repository at whatever the reference points to when the image is built; pin it to a commit (\`#<sha>\`) and add \`--checksum\`.`
                : `\`ADD ${src.value}\` downloads a file without \`--checksum=sha256:…\`, so a changed or tampered file goes into the image unnoticed.`,
              git ? [] : [{ title: 'Add --checksum (fill in the SHA-256)', edits: [{ range: { start: addEnd, end: addEnd }, newText: ' --checksum=sha256:${1:<64-hex sha256>}' }], safe: false, preferred: true, snippet: true }]));
          }
        }
      }
      return out;
    },
    serving(facts: ServingFacts) {
      if (facts.fileKind !== 'dockerfile' && facts.fileKind !== 'shell') return [];
      const out: Finding[] = [];
      checkCommands(facts, out);
      return out;
    },
  },
});
