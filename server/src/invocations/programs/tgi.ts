import type { FlagSpec, ProgramGrammar } from './argv';

/**
 * `text-generation-launcher` (rules.md B5, `docs/source/reference/launcher.md`): clap options;
 * every option also reads an environment variable of the same name in upper snake case.
 */
const BOOLEAN = ['--trust-remote-code', '--disable-custom-kernels', '--json-output', '--disable-grammar-support', '--env', '--enable-prefill-logprobs', '--disable-crash-reports', '--help', '--version'];

const VALUE = [
  '--model-id', '--revision', '--validation-workers', '--sharded', '--num-shard', '--quantize', '--speculate', '--dtype', '--kv-cache-dtype',
  '--max-concurrent-requests', '--max-best-of', '--max-stop-sequences', '--max-top-n-tokens', '--max-input-tokens', '--max-input-length',
  '--max-total-tokens', '--waiting-served-ratio', '--max-batch-prefill-tokens', '--max-batch-total-tokens', '--max-waiting-tokens', '--max-batch-size',
  '--cuda-graphs', '--hostname', '--port', '--prometheus-port', '--shard-uds-path', '--master-addr', '--master-port', '--huggingface-hub-cache',
  '--weights-cache-override', '--cuda-memory-fraction', '--rope-scaling', '--rope-factor', '--otlp-endpoint', '--otlp-service-name', '--cors-allow-origin',
  '--api-key', '--watermark-gamma', '--watermark-delta', '--ngrok-authtoken', '--ngrok-edge', '--tokenizer-config-path', '--lora-adapters',
  '--usage-stats', '--payload-limit', '--max-client-batch-size', '--graceful-termination-timeout', '--ngrok',
];

function envName(flag: string): string {
  return flag.slice(2).replace(/-/g, '_').toUpperCase();
}

const flags: FlagSpec[] = [
  ...BOOLEAN.map((name) => ({ name, kind: 'boolean' as const, env: [envName(name)] })),
  ...VALUE.map((name) => ({ name, kind: 'value' as const, env: name === '--hostname' ? ['HOSTNAME'] : name === '--huggingface-hub-cache' ? ['HUGGINGFACE_HUB_CACHE', 'HF_HUB_CACHE'] : [envName(name)] })),
];

export const tgiGrammar: ProgramGrammar = { program: 'tgi', flags, unknownTakesValue: true };
