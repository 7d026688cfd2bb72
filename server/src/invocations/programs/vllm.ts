import type { FlagSpec, ProgramGrammar } from './argv';

/**
 * `vllm serve [model]` and `python -m vllm.entrypoints.openai.api_server` (rules.md B4): argparse,
 * so `--trust_remote_code` equals `--trust-remote-code`, boolean options may be switched off with
 * `--no-…`, and some options take several values.
 */
const BOOLEAN = [
  '--trust-remote-code', '--enable-lora', '--enable-lora-bias', '--enable-auto-tool-choice', '--enable-prefix-caching', '--enable-chunked-prefill',
  '--enforce-eager', '--disable-log-requests', '--enable-log-requests', '--disable-log-stats', '--disable-frontend-multiprocessing',
  '--enable-request-id-headers', '--disable-fastapi-docs', '--enable-prompt-tokens-details', '--enable-server-load-tracking',
  '--enable-force-include-usage', '--enable-tokenizer-info-endpoint', '--enable-log-outputs', '--disable-uvicorn-access-log', '--enable-sleep-mode',
  '--headless', '--skip-tokenizer-init', '--enable-expert-parallel', '--disable-custom-all-reduce', '--disable-sliding-window', '--disable-cascade-attn',
  '--enable-prompt-embeds', '--enable-reasoning', '--return-tokens-as-token-ids', '--disable-mm-preprocessor-cache', '--use-tqdm-on-load',
  '--disable-async-output-proc', '--async-scheduling', '--allow-credentials', '--enable-ssl-refresh', '--enable-eplb', '--enable-dbo',
  '--enable-multimodal-encoder-data-parallel', '--disable-chunked-mm-input', '--expand-tools-even-if-tool-choice-none',
  '--exclude-tools-when-tool-choice-none', '--enable-auto-tool-choice', '--enable-mfu-metrics', '--data-parallel-hybrid-lb', '--data-parallel-external-lb',
  '--kv-sharing-fast-prefill', '--fully-sharded-loras', '--enable-lora-bias', '--disable-hybrid-kv-cache-manager', '--help', '--version',
  '--ray-workers-use-nsight', '--calculate-kv-scales', '--enable-log-deltas', '--log-error-stack', '--tokens-only', '--enable-chunked-prefill',
];

const VALUE: [string, string[]?][] = [
  ['--model'], ['--host'], ['--port'], ['--uds'], ['--root-path'], ['--revision'], ['--code-revision'], ['--tokenizer'], ['--tokenizer-revision'], ['--tokenizer-mode'],
  ['--download-dir'], ['--load-format'], ['--dtype'], ['--kv-cache-dtype'], ['--max-model-len'], ['--tensor-parallel-size', ['-tp']], ['--pipeline-parallel-size', ['-pp']],
  ['--data-parallel-size', ['-dp']], ['--gpu-memory-utilization'], ['--quantization', ['-q']], ['--chat-template'], ['--chat-template-content-format'],
  ['--tool-call-parser'], ['--tool-parser-plugin'], ['--tool-server'], ['--allowed-local-media-path'], ['--max-num-seqs'], ['--max-num-batched-tokens'],
  ['--seed'], ['--swap-space'], ['--cpu-offload-gb'], ['--ssl-keyfile'], ['--ssl-certfile'], ['--ssl-ca-certs'], ['--ssl-cert-reqs'], ['--response-role'],
  ['--allowed-origins'], ['--allowed-methods'], ['--allowed-headers'], ['--hf-token'], ['--hf-overrides'], ['--config'], ['--generation-config'],
  ['--override-generation-config'], ['--profiler-config'], ['--kv-ip'], ['--kv-port'], ['--kv-transfer-config'], ['--reasoning-parser'], ['--max-lora-rank'],
  ['--max-loras'], ['--max-cpu-loras'], ['--lora-dtype'], ['--limit-mm-per-prompt'], ['--mm-processor-kwargs'], ['--block-size'], ['--distributed-executor-backend'],
  ['--speculative-config'], ['--compilation-config', ['-O']], ['--uvicorn-log-level'], ['--served-model-name-separator'], ['--worker-cls'],
  ['--max-log-len'], ['--api-server-count'], ['--data-parallel-address'], ['--data-parallel-rpc-port'], ['--data-parallel-size-local'], ['--enable-ssl-refresh'],
  ['--tokenizer-pool-size'], ['--max-seq-len-to-capture'], ['--model-impl'], ['--logits-processors'], ['--structured-outputs-config'], ['--media-io-kwargs'],
];

const MULTI: [string, string[]?][] = [['--served-model-name'], ['--lora-modules'], ['--api-key'], ['--allowed-media-domains'], ['--middleware'], ['--prompt-adapters']];

const ENV: Record<string, string[]> = { '--api-key': ['VLLM_API_KEY'], '--host': ['VLLM_HOST_IP'] };

const flags: FlagSpec[] = [
  ...[...new Set(BOOLEAN)].map((name) => ({ name, kind: 'boolean' as const })),
  ...VALUE.map(([name, aliases]) => ({ name, kind: 'value' as const, ...(aliases ? { aliases } : {}), ...(ENV[name] ? { env: ENV[name] } : {}) })),
  ...MULTI.map(([name, aliases]) => ({ name, kind: 'multi' as const, ...(aliases ? { aliases } : {}), ...(ENV[name] ? { env: ENV[name] } : {}) })),
];

export const vllmGrammar: ProgramGrammar = { program: 'vllm', flags, underscoreEquivalent: true, negation: true, unknownTakesValue: true };

/** Modules that start vLLM's API server with `python -m`. */
export const VLLM_SERVER_MODULES = new Set(['vllm.entrypoints.openai.api_server', 'vllm.entrypoints.api_server']);
