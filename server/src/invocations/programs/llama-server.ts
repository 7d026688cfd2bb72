import type { FlagSpec, ProgramGrammar } from './argv';

/**
 * llama.cpp `llama-server` (rules.md B6, `tools/server/README.md`): short and long options; most
 * also read an `LLAMA_ARG_*` environment variable.
 */
const BOOLEAN: [string, string[]?][] = [
  ['--jinja'], ['--no-jinja'], ['--metrics'], ['--slots'], ['--no-slots'], ['--props'], ['--embedding', ['--embeddings']], ['--reranking', ['--rerank']],
  ['--no-webui'], ['--webui'], ['--no-mmap'], ['--mlock'], ['--offline'], ['--log-disable'], ['--cont-batching', ['-cb']], ['--no-cont-batching', ['-nocb']],
  ['--verbose', ['-v', '--log-verbose']], ['--escape', ['-e']], ['--special', ['-sp']], ['--lora-init-without-apply'], ['--no-warmup'], ['--spm-infill'],
  ['--no-context-shift'], ['--context-shift'], ['--no-perf'], ['--check-tensors'], ['--no-kv-offload', ['-nkvo']], ['--help', ['-h', '--usage']], ['--version'],
  ['--log-colors'], ['--no-prefill-assistant'], ['--swa-full'], ['--kv-unified', ['-kvu']], ['--no-op-offload'], ['--mmproj-offload'], ['--no-mmproj-offload'],
];

const VALUE: [string, string[]?][] = [
  ['--model', ['-m']], ['--hf-repo', ['-hf', '-hfr']], ['--hf-file', ['-hff']], ['--hf-repo-draft', ['-hfd', '-hfrd']], ['--hf-token', ['-hft']], ['--model-url', ['-mu']],
  ['--alias', ['-a']], ['--ctx-size', ['-c']], ['--n-predict', ['-n', '--predict']], ['--batch-size', ['-b']], ['--ubatch-size', ['-ub']], ['--threads', ['-t']],
  ['--threads-batch', ['-tb']], ['--gpu-layers', ['-ngl', '--n-gpu-layers']], ['--parallel', ['-np']], ['--flash-attn', ['-fa']], ['--timeout', ['-to']],
  ['--split-mode', ['-sm']], ['--tensor-split', ['-ts']], ['--main-gpu', ['-mg']], ['--cache-type-k', ['-ctk']], ['--cache-type-v', ['-ctv']],
  ['--defrag-thold', ['-dt']], ['--seed', ['-s']], ['--verbosity', ['-lv', '--log-verbosity']], ['--host'], ['--port'], ['--path'], ['--api-prefix'],
  ['--api-key'], ['--api-key-file'], ['--ssl-key-file'], ['--ssl-cert-file'], ['--chat-template'], ['--chat-template-file'], ['--reasoning-format'],
  ['--reasoning-budget'], ['--mmproj', ['-mm']], ['--mmproj-url', ['-mmu']], ['--lora'], ['--lora-scaled'], ['--control-vector'], ['--numa'], ['--device', ['-dev']],
  ['--log-file'], ['--threads-http'], ['--cache-reuse'], ['--slot-save-path'], ['--slot-prompt-similarity', ['-sps']], ['--model-draft', ['-md']],
  ['--draft-max', ['--draft', '--draft-n']], ['--draft-min'], ['--rope-scaling'], ['--rope-scale'], ['--rope-freq-base'], ['--override-kv'], ['--override-tensor', ['-ot']],
  ['--grammar'], ['--grammar-file'], ['--json-schema', ['-j']], ['--temp'], ['--top-k'], ['--top-p'], ['--keep'], ['--n-cpu-moe', ['-ncmoe']],
  ['--ctx-size-draft', ['-cd']], ['--gpu-layers-draft', ['-ngld']], ['--media-path'], ['--models-dir'], ['--models-max'], ['--sleep-idle-seconds'],
];

const ENV: Record<string, string[]> = {
  '--host': ['LLAMA_ARG_HOST'],
  '--port': ['LLAMA_ARG_PORT'],
  '--api-key': ['LLAMA_API_KEY'],
  '--api-key-file': ['LLAMA_ARG_API_KEY_FILE'],
  '--model': ['LLAMA_ARG_MODEL'],
  '--hf-repo': ['LLAMA_ARG_HF_REPO'],
  '--jinja': ['LLAMA_ARG_JINJA'],
  '--chat-template-file': ['LLAMA_ARG_CHAT_TEMPLATE_FILE'],
};

const flags: FlagSpec[] = [
  ...BOOLEAN.map(([name, aliases]) => ({ name, kind: 'boolean' as const, ...(aliases ? { aliases } : {}), ...(ENV[name] ? { env: ENV[name] } : {}) })),
  ...VALUE.map(([name, aliases]) => ({ name, kind: 'value' as const, ...(aliases ? { aliases } : {}), ...(ENV[name] ? { env: ENV[name] } : {}) })),
];

export const llamaServerGrammar: ProgramGrammar = { program: 'llama-server', flags, unknownTakesValue: true };
