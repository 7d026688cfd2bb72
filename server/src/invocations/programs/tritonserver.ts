import type { FlagSpec, ProgramGrammar } from './argv';

/**
 * `tritonserver` (rules.md B1, `src/command_line_parser.cc`): every option takes a value
 * (getopt `required_argument`, booleans written `--allow-http=false` or `--allow-http false`)
 * except the few below; there are no positional arguments.
 */
const NO_ARGUMENT = ['--disable-auto-complete-config', '--help', '--version'];

const VALUE = [
  '--model-repository', '--model-control-mode', '--repository-poll-secs', '--load-model', '--id',
  '--http-address', '--http-port', '--http-header-forward-pattern', '--http-thread-count', '--http-restricted-api', '--reuse-http-port', '--http-max-input-size',
  '--grpc-address', '--grpc-port', '--grpc-header-forward-pattern', '--grpc-restricted-protocol', '--reuse-grpc-port', '--grpc-use-ssl', '--grpc-use-ssl-mutual',
  '--grpc-server-cert', '--grpc-server-key', '--grpc-root-cert', '--grpc-infer-allocation-pool-size', '--grpc-max-response-pool-size', '--grpc-infer-response-compression-level',
  '--grpc-keepalive-time', '--grpc-keepalive-timeout', '--grpc-keepalive-permit-without-calls', '--grpc-http2-max-pings-without-data',
  '--grpc-http2-min-recv-ping-interval-without-data', '--grpc-http2-max-ping-strikes', '--grpc-max-connection-age', '--grpc-max-connection-age-grace', '--grpc-arg',
  '--allow-http', '--allow-grpc', '--allow-metrics', '--allow-gpu-metrics', '--allow-cpu-metrics', '--allow-sagemaker', '--allow-vertex-ai', '--allow-client-shm',
  '--metrics-address', '--metrics-port', '--metrics-interval-ms', '--metrics-config',
  '--sagemaker-port', '--sagemaker-safe-port-range', '--sagemaker-thread-count', '--vertex-ai-port', '--vertex-ai-thread-count', '--vertex-ai-default-model',
  '--strict-model-config', '--strict-readiness', '--exit-on-error', '--exit-timeout-secs', '--model-namespacing', '--model-load-thread-count', '--model-load-retry-count',
  '--rate-limit', '--rate-limit-resource', '--pinned-memory-pool-byte-size', '--cuda-memory-pool-byte-size', '--cuda-virtual-address-size', '--min-supported-compute-capability',
  '--buffer-manager-thread-count', '--backend-directory', '--repoagent-directory', '--cache-directory', '--backend-config', '--host-policy', '--model-load-gpu-limit',
  '--response-cache-byte-size', '--cache-config', '--trace-file', '--trace-level', '--trace-rate', '--trace-count', '--trace-log-frequency', '--trace-config',
  '--log-verbose', '--log-info', '--log-warning', '--log-error', '--log-format', '--log-file', '--strict-model-config',
];

const ALIASES: Record<string, string[]> = { '--model-repository': ['--model-store'] };

const flags: FlagSpec[] = [
  ...NO_ARGUMENT.map((name) => ({ name, kind: 'boolean' as const })),
  ...[...new Set(VALUE)].map((name) => ({ name, kind: 'value' as const, ...(ALIASES[name] ? { aliases: ALIASES[name] } : {}) })),
];

export const tritonserverGrammar: ProgramGrammar = { program: 'tritonserver', flags, unknownTakesValue: true };
