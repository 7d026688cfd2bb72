/**
 * What counts as a secret written into configuration (secret-in-config): variable and flag names
 * that hold credentials, token formats recognizable by their value, and the placeholders and
 * references that are not secrets.
 */

/** Well-known credential variables. */
const KNOWN_NAMES = new Set([
  'HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HUGGINGFACE_HUB_TOKEN', 'HUGGINGFACE_TOKEN', 'HF_API_TOKEN', 'HF_HUB_TOKEN',
  'VLLM_API_KEY', 'API_KEY', 'LLAMA_API_KEY', 'NGROK_AUTHTOKEN', 'NGROK_AUTH_TOKEN', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY',
  'WANDB_API_KEY', 'COHERE_API_KEY', 'MISTRAL_API_KEY', 'GROQ_API_KEY', 'TOGETHER_API_KEY', 'REPLICATE_API_TOKEN',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN', 'GITLAB_TOKEN', 'KAGGLE_KEY', 'NGC_API_KEY',
  'AZURE_OPENAI_API_KEY', 'GOOGLE_API_KEY', 'GEMINI_API_KEY', 'MLFLOW_TRACKING_TOKEN', 'MLFLOW_TRACKING_PASSWORD',
]);

/** Names ending in a credential word (`*_API_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD`). */
const SECRET_SUFFIX = /(^|_)(API_?KEY|ACCESS_?KEY|SECRET_?KEY|SECRET|AUTH_?TOKEN|ACCESS_?TOKEN|TOKEN|PASSWORD|PASSWD)$/i;
/** Tokenizer special tokens and counters are not credentials. */
const NOT_SECRET_NAME = /^(BOS|EOS|PAD|UNK|SEP|CLS|MASK|START|END|STOP|EOT|IMAGE|AUDIO|VIDEO|SPECIAL|DEFAULT)_TOKEN$|TOKENIZER|_TOKENS?_(ID|COUNT|LIMIT)$|^MAX_|^NUM_|_FILE$|_PATH$|_DIR$/i;

export function isSecretName(name: string): boolean {
  if (KNOWN_NAMES.has(name.toUpperCase())) return true;
  return SECRET_SUFFIX.test(name) && !NOT_SECRET_NAME.test(name);
}

/** Flags that take a credential (`--api-key`, `--token`, `--hf-token`, `-hft`, `--ngrok-authtoken`). */
const SECRET_FLAG = /^-{1,2}(api[-_]?keys?|token|hf[-_]token|auth[-_]?token|ngrok[-_]authtoken|access[-_]token|password|secret|hft)$/i;

export function isSecretFlag(flag: string): boolean {
  return SECRET_FLAG.test(flag);
}

/** Values recognizable as tokens whatever they are called. */
const TOKEN_FORMATS: RegExp[] = [
  /^hf_[A-Za-z0-9]{30,}$/, // Hugging Face
  /^api_org_[A-Za-z0-9]{30,}$/, // Hugging Face organization
  /^sk-(proj-|ant-)?[A-Za-z0-9_-]{20,}$/, // OpenAI / Anthropic
  /^gh[pousr]_[A-Za-z0-9]{36,}$/, // GitHub
  /^github_pat_[A-Za-z0-9_]{40,}$/,
  /^glpat-[A-Za-z0-9_-]{20,}$/, // GitLab
  /^xox[abprs]-[A-Za-z0-9-]{10,}$/, // Slack
  /^AKIA[0-9A-Z]{16}$/, // AWS access key id
  /^nvapi-[A-Za-z0-9_-]{20,}$/, // NVIDIA NGC
  /^r8_[A-Za-z0-9]{30,}$/, // Replicate
];

export function looksLikeToken(value: string): boolean {
  return TOKEN_FORMATS.some((r) => r.test(value.trim()));
}

/**
 * Not a secret: empty, a reference to another variable or a file, or an obvious placeholder
 * (`<your-token>`, `changeme`, `xxx`, `your_api_key_here`, `dummy`, `EMPTY`, `none`).
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length < 4) return true;
  if (/\$\{?[A-Za-z_]|\$\(|`/.test(v)) return true;
  if (/^<.*>$|^\[.*\]$|^\{\{.*\}\}$|^%.*%$/.test(v)) return true;
  if (/^(x+|\*+|\.+|-+|_+|0+|1234\d*|12345678|abcd?e?f?)$/i.test(v)) return true;
  if (/^(change[-_ ]?me|changeit|placeholder|dummy|empty|none|null|nil|undefined|test|testing|example|sample|secret|password|token|api[-_]?key|default|redacted|todo|fixme|fill[-_ ]?me|insert[-_ ].*|replace[-_ ]?me|not[-_ ]?set|unset|your[-_ ].*|my[-_ ]?(token|key|secret|api[-_]?key)|\.\.\.)$/i.test(v)) return true;
  if (/^(your|my|enter|insert|replace|put|add)[-_ ]?(hf[-_ ]?|hugging[-_ ]?face[-_ ]?|openai[-_ ]?|api[-_ ]?)?(token|key|api[-_ ]?key|secret|password)([-_ ]?here)?$/i.test(v)) return true;
  if (/^(hf|sk|ghp)[-_]?x{4,}$/i.test(v) || /x{6,}/i.test(v)) return true;
  if (/^(\/|\.\/|~\/|file:)/.test(v)) return true; // a path to a secret file
  return false;
}
