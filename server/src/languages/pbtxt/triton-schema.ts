/**
 * Triton's `ModelConfig` message (triton-inference-server/common `protobuf/model_config.proto`),
 * as far as a text-format reader needs it: field names, scalar kinds, enums, nested messages,
 * `repeated`, `map<…>` and `oneof` groups. Used to report unknown fields and wrong value shapes
 * before Triton refuses to load the model (TextFormat rejects both).
 */

export type ScalarKind = 'string' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'float' | 'double';

export type FieldType =
  | { kind: 'scalar'; scalar: ScalarKind }
  | { kind: 'enum'; name: string; values: readonly string[] }
  | { kind: 'message'; message: MessageSchema }
  | { kind: 'map'; key: ScalarKind; value: FieldType };

export interface FieldSchema {
  type: FieldType;
  repeated?: boolean;
  /** Name of the oneof group the field belongs to. */
  oneof?: string;
}

export interface MessageSchema {
  name: string;
  fields: Record<string, FieldSchema>;
}

const s = (scalar: ScalarKind): FieldType => ({ kind: 'scalar', scalar });
const e = (name: string, values: readonly string[]): FieldType => ({ kind: 'enum', name, values });
const m = (message: MessageSchema): FieldType => ({ kind: 'message', message });
const map = (key: ScalarKind, value: FieldType): FieldType => ({ kind: 'map', key, value });
const msg = (name: string, fields: Record<string, FieldType | FieldSchema>): MessageSchema => ({
  name,
  fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, 'type' in v && typeof v.type === 'object' ? (v as FieldSchema) : { type: v as FieldType }])),
});
const rep = (type: FieldType): FieldSchema => ({ type, repeated: true });
const oneof = (group: string, type: FieldType): FieldSchema => ({ type, oneof: group });

const DATA_TYPE = e('DataType', ['TYPE_INVALID', 'TYPE_BOOL', 'TYPE_UINT8', 'TYPE_UINT16', 'TYPE_UINT32', 'TYPE_UINT64', 'TYPE_INT8', 'TYPE_INT16', 'TYPE_INT32', 'TYPE_INT64', 'TYPE_FP16', 'TYPE_FP32', 'TYPE_FP64', 'TYPE_STRING', 'TYPE_BF16']);

const RATE_LIMITER = msg('ModelRateLimiter', {
  resources: rep(m(msg('ModelRateLimiter.Resource', { name: s('string'), global: s('bool'), count: s('uint32') }))),
  priority: s('uint32'),
});

const INSTANCE_GROUP = msg('ModelInstanceGroup', {
  name: s('string'),
  kind: e('ModelInstanceGroup.Kind', ['KIND_AUTO', 'KIND_GPU', 'KIND_CPU', 'KIND_MODEL']),
  count: s('int32'),
  rate_limiter: m(RATE_LIMITER),
  gpus: rep(s('int32')),
  secondary_devices: rep(m(msg('ModelInstanceGroup.SecondaryDevice', { kind: e('SecondaryDeviceKind', ['KIND_NVDLA']), device_id: s('int64') }))),
  profile: rep(s('string')),
  passive: s('bool'),
  host_policy: s('string'),
});

const RESHAPE = msg('ModelTensorReshape', { shape: rep(s('int64')) });

const INPUT = msg('ModelInput', {
  name: s('string'),
  data_type: DATA_TYPE,
  format: e('ModelInput.Format', ['FORMAT_NONE', 'FORMAT_NHWC', 'FORMAT_NCHW']),
  dims: rep(s('int64')),
  reshape: m(RESHAPE),
  is_shape_tensor: s('bool'),
  allow_ragged_batch: s('bool'),
  optional: s('bool'),
  is_non_linear_format_io: s('bool'),
});

const OUTPUT = msg('ModelOutput', {
  name: s('string'),
  data_type: DATA_TYPE,
  dims: rep(s('int64')),
  reshape: m(RESHAPE),
  label_filename: s('string'),
  is_shape_tensor: s('bool'),
  is_non_linear_format_io: s('bool'),
});

const BATCH_INPUT = msg('BatchInput', {
  kind: e('BatchInput.Kind', ['BATCH_ELEMENT_COUNT', 'BATCH_ACCUMULATED_ELEMENT_COUNT', 'BATCH_ACCUMULATED_ELEMENT_COUNT_WITH_ZERO', 'BATCH_MAX_ELEMENT_COUNT_AS_SHAPE', 'BATCH_ITEM_SHAPE', 'BATCH_ITEM_SHAPE_FLATTEN']),
  target_name: rep(s('string')),
  data_type: DATA_TYPE,
  source_input: rep(s('string')),
});

const BATCH_OUTPUT = msg('BatchOutput', {
  target_name: rep(s('string')),
  kind: e('BatchOutput.Kind', ['BATCH_SCATTER_WITH_INPUT_SHAPE']),
  source_input: rep(s('string')),
});

const VERSION_POLICY = msg('ModelVersionPolicy', {
  latest: oneof('policy_choice', m(msg('ModelVersionPolicy.Latest', { num_versions: s('uint32') }))),
  all: oneof('policy_choice', m(msg('ModelVersionPolicy.All', {}))),
  specific: oneof('policy_choice', m(msg('ModelVersionPolicy.Specific', { versions: rep(s('int64')) }))),
});

const SHAPE = msg('GraphSpec.Shape', { dim: rep(s('int64')) });
const GRAPH_SPEC = msg('ModelOptimizationPolicy.Cuda.GraphSpec', {
  batch_size: s('int32'),
  input: map('string', m(SHAPE)),
  graph_lower_bound: m(msg('GraphSpec.LowerBound', { batch_size: s('int32'), input: map('string', m(SHAPE)) })),
});
const ACCELERATOR = msg('ExecutionAccelerators.Accelerator', { name: s('string'), parameters: map('string', s('string')) });
const PINNED = msg('ModelOptimizationPolicy.PinnedMemoryBuffer', { enable: s('bool') });

const OPTIMIZATION = msg('ModelOptimizationPolicy', {
  graph: m(msg('ModelOptimizationPolicy.Graph', { level: s('int32') })),
  priority: e('ModelOptimizationPolicy.ModelPriority', ['PRIORITY_DEFAULT', 'PRIORITY_MAX', 'PRIORITY_MIN']),
  cuda: m(msg('ModelOptimizationPolicy.Cuda', { graphs: s('bool'), busy_wait_events: s('bool'), graph_spec: rep(m(GRAPH_SPEC)), output_copy_stream: s('bool') })),
  execution_accelerators: m(msg('ModelOptimizationPolicy.ExecutionAccelerators', { gpu_execution_accelerator: rep(m(ACCELERATOR)), cpu_execution_accelerator: rep(m(ACCELERATOR)) })),
  input_pinned_memory: m(PINNED),
  output_pinned_memory: m(PINNED),
  gather_kernel_buffer_threshold: s('uint32'),
  eager_batching: s('bool'),
});

export const QUEUE_POLICY = msg('ModelQueuePolicy', {
  timeout_action: e('ModelQueuePolicy.TimeoutAction', ['REJECT', 'DELAY']),
  default_timeout_microseconds: s('uint64'),
  allow_timeout_override: s('bool'),
  max_queue_size: s('uint32'),
});

const DYNAMIC_BATCHING = msg('ModelDynamicBatching', {
  preferred_batch_size: rep(s('int32')),
  max_queue_delay_microseconds: s('uint64'),
  preserve_ordering: s('bool'),
  priority_levels: s('uint64'),
  default_priority_level: s('uint64'),
  default_queue_policy: m(QUEUE_POLICY),
  priority_queue_policy: map('uint64', m(QUEUE_POLICY)),
});

const CONTROL = msg('ModelSequenceBatching.Control', {
  kind: e('ModelSequenceBatching.Control.Kind', ['CONTROL_SEQUENCE_START', 'CONTROL_SEQUENCE_READY', 'CONTROL_SEQUENCE_END', 'CONTROL_SEQUENCE_CORRID']),
  int32_false_true: rep(s('int32')),
  fp32_false_true: rep(s('float')),
  bool_false_true: rep(s('bool')),
  data_type: DATA_TYPE,
});
const INITIAL_STATE = msg('ModelSequenceBatching.InitialState', {
  data_type: DATA_TYPE,
  dims: rep(s('int64')),
  zero_data: oneof('state_data', s('bool')),
  data_file: oneof('state_data', s('string')),
  name: s('string'),
});
const SEQUENCE_BATCHING = msg('ModelSequenceBatching', {
  direct: oneof('strategy_choice', m(msg('ModelSequenceBatching.StrategyDirect', { max_queue_delay_microseconds: s('uint64'), minimum_slot_utilization: s('float') }))),
  oldest: oneof('strategy_choice', m(msg('ModelSequenceBatching.StrategyOldest', { max_candidate_sequences: s('int32'), preferred_batch_size: rep(s('int32')), max_queue_delay_microseconds: s('uint64'), preserve_ordering: s('bool') }))),
  max_sequence_idle_microseconds: s('uint64'),
  control_input: rep(m(msg('ModelSequenceBatching.ControlInput', { name: s('string'), control: rep(m(CONTROL)) }))),
  state: rep(m(msg('ModelSequenceBatching.State', {
    input_name: s('string'),
    output_name: s('string'),
    data_type: DATA_TYPE,
    dims: rep(s('int64')),
    initial_state: rep(m(INITIAL_STATE)),
    use_same_buffer_for_input_output: s('bool'),
    use_growable_memory: s('bool'),
  }))),
  iterative_sequence: s('bool'),
});

const ENSEMBLING = msg('ModelEnsembling', {
  step: rep(m(msg('ModelEnsembling.Step', {
    model_name: s('string'),
    model_version: s('int64'),
    input_map: map('string', s('string')),
    output_map: map('string', s('string')),
    model_namespace: s('string'),
  }))),
  max_inflight_requests: s('uint32'),
});

export const MODEL_PARAMETER = msg('ModelParameter', { string_value: s('string') });

const WARMUP = msg('ModelWarmup', {
  name: s('string'),
  batch_size: s('uint32'),
  inputs: map('string', m(msg('ModelWarmup.Input', {
    data_type: DATA_TYPE,
    dims: rep(s('int64')),
    zero_data: oneof('input_data_type', s('bool')),
    random_data: oneof('input_data_type', s('bool')),
    input_data_file: oneof('input_data_type', s('string')),
  }))),
  count: s('uint32'),
});

export const REPOSITORY_AGENTS = msg('ModelRepositoryAgents', {
  agents: rep(m(msg('ModelRepositoryAgents.Agent', { name: s('string'), parameters: map('string', s('string')) }))),
});

const METRICS = msg('ModelMetrics', {
  metric_control: rep(m(msg('ModelMetrics.MetricControl', {
    metric_identifier: m(msg('ModelMetrics.MetricControl.MetricIdentifier', { family: s('string') })),
    histogram_options: oneof('metric_options', m(msg('ModelMetrics.MetricControl.HistogramOptions', { buckets: rep(s('double')) }))),
  }))),
});

export const MODEL_CONFIG: MessageSchema = msg('ModelConfig', {
  name: s('string'),
  platform: s('string'),
  backend: s('string'),
  runtime: s('string'),
  version_policy: m(VERSION_POLICY),
  max_batch_size: s('int32'),
  input: rep(m(INPUT)),
  output: rep(m(OUTPUT)),
  batch_input: rep(m(BATCH_INPUT)),
  batch_output: rep(m(BATCH_OUTPUT)),
  optimization: m(OPTIMIZATION),
  dynamic_batching: oneof('scheduling_choice', m(DYNAMIC_BATCHING)),
  sequence_batching: oneof('scheduling_choice', m(SEQUENCE_BATCHING)),
  ensemble_scheduling: oneof('scheduling_choice', m(ENSEMBLING)),
  instance_group: rep(m(INSTANCE_GROUP)),
  default_model_filename: s('string'),
  cc_model_filenames: map('string', s('string')),
  metric_tags: map('string', s('string')),
  parameters: map('string', m(MODEL_PARAMETER)),
  model_warmup: rep(m(WARMUP)),
  model_operations: m(msg('ModelOperations', { op_library_filename: rep(s('string')) })),
  model_transaction_policy: m(msg('ModelTransactionPolicy', { decoupled: s('bool') })),
  model_repository_agents: m(REPOSITORY_AGENTS),
  response_cache: m(msg('ModelResponseCache', { enable: s('bool') })),
  model_metrics: m(METRICS),
});
