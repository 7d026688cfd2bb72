import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding, Range } from '../../engine/types';
import type { EnvVar, InvocationContext, ServingFacts } from '../../invocations/types';
import { parseServingCommand } from '../../invocations/programs/index';
import { SUBPROCESS_WORDS } from '../../languages/python/subprocess';

/**
 * Words one of which a command line must contain to matter to the serving rules. The `hf` program
 * is a word of its own in a string (`["hf", …]`, `"hf download …"`, `"/usr/bin/hf"`), not any "hf".
 */
const SERVING_PROGRAM_WORDS = ['tritonserver', 'vllm', 'text-generation-launcher', 'torchserve', 'ovms', 'llama-server', 'huggingface-cli',
  '"hf"', "'hf'", '"hf ', "'hf ", '/hf"', "/hf'", '/hf ', ' hf ', 'api-key', 'api_key', 'trust-remote-code', 'TOKEN'];
import { stringValue } from '../../languages/python/values';
import { finding } from '../python/call-matching';
import { CATALOG_SEVERITY } from '../severity';
import { isPlaceholder, isSecretFlag, isSecretName, looksLikeToken } from './secret-values';

const meta: RuleMeta = {
  id: 'secret-in-config',
  title: 'Literal token or API key in configuration',
  summary: 'A Hugging Face token, API key or Triton restricted-API key is written literally in a Dockerfile, manifest, compose file, script, command line or Python code, where everyone who can read the image, repository or process list can read it.',
  group: 'serving',
  defaultSeverity: 'error',
  fixable: 'none',
  catalog: ['DK306', 'K8507', 'PY207', 'SV702'],
  references: [
    { title: 'Docker: build secrets (RUN --mount=type=secret)', url: 'https://docs.docker.com/build/building/secrets/' },
    { title: 'Kubernetes: using Secrets as environment variables (secretKeyRef)', url: 'https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables' },
    { title: 'Hugging Face: user access tokens', url: 'https://huggingface.co/docs/hub/security-tokens' },
    { title: 'CWE-798: Use of Hard-coded Credentials', url: 'https://cwe.mitre.org/data/definitions/798.html' },
  ],
};

/** Keyword arguments of Python calls that take a credential. */
const PY_SECRET_KEYWORDS = new Set(['token', 'use_auth_token', 'api_key', 'hf_token', 'auth_token', 'access_token']);
const PY_SECRET_KEYWORD_TEXT = new RegExp(`\\b(?:${[...PY_SECRET_KEYWORDS].join('|')})\\s*=(?!=)`);

function where(context: InvocationContext, env?: EnvVar): string {
  switch (env?.origin) {
    case 'dockerfile-arg':
      return 'a Dockerfile ARG (build arguments stay in the image history)';
    case 'dockerfile-env':
      return 'a Dockerfile ENV (it is stored in the image for anyone who can pull it)';
    case 'k8s-env':
      return `the env of container \`${context.owner}\` (readable by anyone who can read the manifest or the pod spec)`;
    case 'compose-environment':
      return `the environment of compose service \`${context.owner}\``;
    case 'shell-export':
    case 'shell-assignment':
    case 'shell-prefix':
      return 'a shell script';
    case 'python-subprocess-env':
      return 'the environment passed to a subprocess';
    case 'python-environ':
      return 'os.environ in Python code';
    default:
      return 'configuration';
  }
}

function remedy(context: InvocationContext, env?: EnvVar): string {
  if (env?.origin === 'dockerfile-arg' || env?.origin === 'dockerfile-env') return 'Pass it at run time, or to build steps with `RUN --mount=type=secret,id=…`, and rotate the exposed value.';
  if (env?.origin === 'k8s-env' || context.source === 'k8s-container') return 'Store it in a Secret and use `valueFrom.secretKeyRef`, and rotate the exposed value.';
  if (env?.origin === 'compose-environment' || context.source === 'compose-service') return 'Use `${VAR}` from an uncommitted .env file or compose `secrets:`, and rotate the exposed value.';
  return 'Read it from the environment or a secret file at run time, and rotate the exposed value.';
}

/** The literal value of an env definition is a credential. */
function secretEnv(e: EnvVar): boolean {
  if (e.fromSecret || e.reference || e.value === undefined || isPlaceholder(e.value)) return false;
  return isSecretName(e.name) || looksLikeToken(e.value);
}

function envFinding(e: EnvVar, context: InvocationContext): Finding {
  const range: Range = e.valueRange ?? e.range;
  const token = looksLikeToken(e.value ?? '') ? ' (the value has the format of a real token)' : '';
  return finding(meta, range, CATALOG_SEVERITY.high,
    `\`${e.name}\` is set to a literal value in ${where(context, e)}${token}. ${remedy(context, e)}`);
}

export const secretInConfig = defineRule({
  meta,
  // The Python check reads `os.environ[…] = …` / `os.putenv(…)` of credential names or token values,
  // and credential keywords (`token=`, `api_key=`, `hf_token=`…).
  // Python files also feed the `serving` kind (subprocess command lines): the subprocess words keep them in the CLI's prefilter.
  // A Python file reaches the serving checks only through a subprocess call that starts a serving
  // program (or passes a key), so both words must occur; plain `subprocess` use is not enough.
  triggers: [
    ...['environ', 'putenv'].flatMap((w) => ['_TOKEN', 'API_KEY', 'hf_'].map((name) => [w, name])),
    'token=', 'api_key=',
    ...SUBPROCESS_WORDS.flatMap((w) => SERVING_PROGRAM_WORDS.map((p) => [w, p])),
  ],
  callWords: ['login', 'from_pretrained', 'snapshot_download', 'hf_hub_download', 'InferenceClient', 'HfApi', 'OpenAI', 'AsyncOpenAI', 'Anthropic', 'pipeline', 'load_dataset', 'notebook_login', 'interpreter_login'],
  check: {
    serving(facts: ServingFacts) {
      const out: Finding[] = [];
      const seen = new Set<string>();
      const key = (r: Range) => `${r.start.line}:${r.start.character}`;
      for (const scope of facts.environments) {
        for (const e of scope.env) {
          // Python's os.environ assignments are reported by the python checker.
          if (e.origin === 'python-environ' || !secretEnv(e)) continue;
          const f = envFinding(e, scope.context);
          if (seen.has(key(f.range))) continue;
          seen.add(key(f.range));
          out.push(f);
        }
      }
      for (const inv of facts.invocations) {
        const cmd = parseServingCommand(inv);
        const args = inv.args;
        for (let i = 0; i < args.length; i++) {
          const a = args[i];
          const eq = a.value.indexOf('=');
          const flagName = eq > 0 ? a.value.slice(0, eq) : a.value;
          let valueItem: { value: string; range: Range; resolved: boolean } | undefined;
          if (a.value.startsWith('-') && isSecretFlag(flagName)) {
            if (eq > 0) valueItem = { value: a.value.slice(eq + 1), range: a.subRange ? a.subRange(eq + 1, a.value.length) : a.range, resolved: a.resolved };
            else if (args[i + 1] && !args[i + 1].value.startsWith('-')) valueItem = args[i + 1];
          }
          if (valueItem && valueItem.resolved && !isPlaceholder(valueItem.value)) {
            if (seen.has(key(valueItem.range))) continue;
            seen.add(key(valueItem.range));
            out.push(finding(meta, valueItem.range, CATALOG_SEVERITY.high,
              `\`${flagName}\` is given a literal credential on the command line: it is visible in the ${inv.context.source.startsWith('dockerfile') ? 'image configuration' : 'file'} and in the process list. Pass the value from a secret (an environment variable set from a Secret, ${cmd?.program === 'llama-server' ? '`--api-key-file`' : 'a mounted file'}) instead, and rotate the exposed value.`));
            continue;
          }
          if (!a.resolved || a.value.startsWith('-') || !looksLikeToken(a.value) || seen.has(key(a.range))) continue;
          seen.add(key(a.range));
          out.push(finding(meta, a.range, CATALOG_SEVERITY.high, `A literal token is passed as a command-line argument; read it from the environment or a secret file instead, and rotate the exposed value.`));
        }
        // Triton restricted APIs: --http-restricted-api=<apis>:<key>=<value> with a literal value.
        if (cmd?.program === 'tritonserver') {
          for (const name of ['http-restricted-api', 'grpc-restricted-protocol']) {
            for (const use of cmd.all(name)) {
              const v = use.value;
              if (!v || !use.resolved || !use.valueItem) continue;
              const m = /^[^:]+:([^=]+)=(.+)$/.exec(v);
              if (!m || isPlaceholder(m[2])) continue;
              const start = v.length - m[2].length;
              const vi = use.valueItem;
              const range = vi.subRange ? vi.subRange(start, v.length) : vi.range;
              if (seen.has(key(range))) continue;
              seen.add(key(range));
              out.push(finding(meta, range, CATALOG_SEVERITY.medium,
                `The \`--${name}\` key value is written literally: whoever reads the ${inv.context.source.startsWith('dockerfile') ? 'image' : 'file'} can call the restricted Triton APIs with header \`${m[1]}\`. Take the value from an environment variable set from a secret.`));
            }
          }
        }
      }
      return out;
    },
    python(facts) {
      const out: Finding[] = [];
      for (const e of facts.envAssignments) {
        const v = stringValue(e.value);
        if (v === undefined || e.value.origin?.kind !== 'literal' && e.value.origin?.kind !== 'constant' || isPlaceholder(v)) continue;
        if (!isSecretName(e.name) && !looksLikeToken(v)) continue;
        out.push(finding(meta, e.valueRange, CATALOG_SEVERITY.high,
          `\`${e.name}\` is set to a literal value in os.environ: the credential is in the source code. Read it from the environment or a secret store at run time, and rotate the exposed value.`));
      }
      for (const call of facts.calls) {
        // Only written keywords count (not `**kwargs`): look at the text before evaluating any argument.
        if (!PY_SECRET_KEYWORD_TEXT.test(call.argumentsText)) continue;
        for (const [name, arg] of call.keywords) {
          if (!PY_SECRET_KEYWORDS.has(name) || arg.fromSplat) continue;
          const v = stringValue(arg.value);
          if (v === undefined || isPlaceholder(v)) continue;
          // A bare `token="…"` counts only when the value looks like a real token (it may be a tokenizer argument).
          if (!looksLikeToken(v) && (name === 'token' || name === 'auth_token')) continue;
          out.push(finding(meta, arg.range, CATALOG_SEVERITY.high,
            `\`${call.calleeText}(${name}=…)\` is given a literal credential: it is in the source code. Read it from the environment (e.g. HF_TOKEN) or a secret store, and rotate the exposed value.`));
        }
      }
      return out;
    },
  },
});
