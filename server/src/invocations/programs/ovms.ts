import type { FlagSpec, ProgramGrammar } from './argv';

/**
 * OpenVINO Model Server `ovms` / `/ovms/bin/ovms` (rules.md B2, `docs/parameters.md`): options are
 * spelled with underscores (`--rest_port`); dashes are accepted as the same option here.
 */
const BOOLEAN = ['--pull', '--list_models', '--overwrite_models', '--metrics_enable', '--help', '--version', '--add_to_config', '--remove_from_config'];

const VALUE: [string, string[]?][] = [
  ['--config_path'], ['--model_name'], ['--model_path'], ['--model_repository_path'], ['--port'], ['--rest_port'], ['--grpc_bind_address'], ['--rest_bind_address'],
  ['--file_system_poll_wait_seconds'], ['--sequence_cleaner_poll_wait_minutes'], ['--api_key_file'], ['--allowed_local_media_path'], ['--allowed_media_domains'],
  ['--allowed_origins'], ['--allowed_methods'], ['--allowed_headers'], ['--source_model'], ['--task'], ['--target_device'], ['--log_level'], ['--log_path'],
  ['--nireq'], ['--batch_size'], ['--shape'], ['--layout'], ['--plugin_config'], ['--cache_dir'], ['--metrics_list'], ['--grpc_workers'], ['--rest_workers'],
  ['--grpc_channel_arguments'], ['--cpu_extension'], ['--resolution'], ['--tool_parser'], ['--reasoning_parser'], ['--pipeline_type'], ['--weight-format'],
  ['--max_num_seqs'], ['--enable_prefix_caching'], ['--cache_size'], ['--max_num_batched_tokens'], ['--dynamic_split_fuse'], ['--draft_source_model'],
  ['--extra_quantization_params'], ['--model_version_policy'], ['--stateful'], ['--idle_sequence_cleanup'], ['--low_latency_transformation'],
  ['--max_sequence_number'], ['--rest_port_rtp'], ['--enable_tool_guided_generation'], ['--num_streams'], ['--graph_path'],
];

const ENV: Record<string, string[]> = { '--api_key_file': ['API_KEY'] };

const flags: FlagSpec[] = [
  ...BOOLEAN.map((name) => ({ name, kind: 'boolean' as const })),
  ...VALUE.map(([name, aliases]) => ({ name, kind: 'value' as const, ...(aliases ? { aliases } : {}), ...(ENV[name] ? { env: ENV[name] } : {}) })),
];

export const ovmsGrammar: ProgramGrammar = { program: 'ovms', flags, underscoreEquivalent: true, unknownTakesValue: true };
