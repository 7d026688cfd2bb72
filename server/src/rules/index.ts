import type { Rule } from '../engine/rule';
import { torchVersionVulnerable } from './dependencies/torch-version-vulnerable';
import { hfUnpinnedRevision } from './python/hf-unpinned-revision';
import { joblibLoad } from './python/joblib-load';
import { kerasUnsafeLoad } from './python/keras-unsafe-load';
import { langchainDangerousDeserialization } from './python/langchain-dangerous-deserialization';
import { numpyAllowPickle } from './python/numpy-allow-pickle';
import { pickleLoad } from './python/pickle-load';
import { safetensorsDisabled } from './python/safetensors-disabled';
import { torchHubRemoteCode } from './python/torch-hub-remote-code';
import { torchLoadUnsafe } from './python/torch-load-unsafe';
import { torchWeightsOnlyDisabled } from './python/torch-weights-only-disabled';
import { trustRemoteCode } from './python/trust-remote-code';
import { yamlUnsafeLoad } from './python/yaml-unsafe-load';
import { tritonConfigInvalid } from './triton/triton-config-invalid';
import { tritonPythonBackend } from './triton/triton-python-backend';
import { tritonExecutionEnvPath } from './triton/triton-execution-env-path';
import { tritonChecksumAgentInvalid } from './triton/triton-checksum-agent-invalid';
import { tritonUnboundedQueue } from './triton/triton-unbounded-queue';
import { tritonModelControlEnabled } from './serving/triton-model-control-enabled';
import { tritonMetricsExposed } from './serving/triton-metrics-exposed';
import { tritonRestrictedApiInvalid } from './serving/triton-restricted-api-invalid';
import { tritonAdminApiUnrestricted } from './serving/triton-admin-api-unrestricted';
import { torchserveTokenAuthDisabled } from './serving/torchserve-token-auth-disabled';
import { torchserveModelApiEnabled } from './serving/torchserve-model-api-enabled';
import { torchserveBindAll } from './serving/torchserve-bind-all';
import { servingTrustRemoteCode } from './serving/serving-trust-remote-code';
import { servingExposedWithoutAuth } from './serving/serving-exposed-without-auth';
import { servingDangerousEnv } from './serving/serving-dangerous-env';
import { dockerBaseImageUnpinned } from './dockerfile/docker-base-image-unpinned';
import { dockerRunsAsRoot } from './dockerfile/docker-runs-as-root';
import { dockerUnverifiedDownload } from './dockerfile/docker-unverified-download';
import { secretInConfig } from './serving/secret-in-config';
import { hfCliUnpinnedDownload } from './serving/hf-cli-unpinned-download';
import { k8sModelVolumeWritable } from './kubernetes/k8s-model-volume-writable';
import { k8sRunsAsRoot } from './kubernetes/k8s-runs-as-root';
import { k8sImageUnpinned } from './kubernetes/k8s-image-unpinned';
import { modelFileUnsafePickle } from './model-file/model-file-unsafe-pickle';
import { modelFileSuspiciousPickle } from './model-file/model-file-suspicious-pickle';
import { modelFileMalformed } from './model-file/model-file-malformed';
import { modelFileKerasLambda } from './model-file/model-file-keras-lambda';
import { modelFileTemplateInjection } from './model-file/model-file-template-injection';
import { modelFileExternalDataTraversal } from './model-file/model-file-external-data-traversal';
import { unusedSuppression } from './meta/unused-suppression';
import { invalidConfig } from './meta/invalid-config';

/** The registry: the single list of rules. A test checks that each has docs and fixtures. */
export const allRules: readonly Rule[] = [
  torchLoadUnsafe,
  torchWeightsOnlyDisabled,
  torchVersionVulnerable,
  torchHubRemoteCode,
  trustRemoteCode,
  hfUnpinnedRevision,
  pickleLoad,
  joblibLoad,
  numpyAllowPickle,
  kerasUnsafeLoad,
  yamlUnsafeLoad,
  safetensorsDisabled,
  langchainDangerousDeserialization,
  tritonModelControlEnabled,
  tritonMetricsExposed,
  tritonRestrictedApiInvalid,
  tritonAdminApiUnrestricted,
  torchserveTokenAuthDisabled,
  torchserveModelApiEnabled,
  torchserveBindAll,
  servingTrustRemoteCode,
  servingExposedWithoutAuth,
  servingDangerousEnv,
  tritonPythonBackend,
  tritonExecutionEnvPath,
  tritonChecksumAgentInvalid,
  tritonUnboundedQueue,
  tritonConfigInvalid,
  dockerBaseImageUnpinned,
  dockerRunsAsRoot,
  dockerUnverifiedDownload,
  secretInConfig,
  hfCliUnpinnedDownload,
  k8sModelVolumeWritable,
  k8sRunsAsRoot,
  k8sImageUnpinned,
  // Reported by the model-file scanner (lsp/model-files.ts, modellint inspect); metadata only.
  modelFileUnsafePickle,
  modelFileSuspiciousPickle,
  modelFileMalformed,
  modelFileKerasLambda,
  modelFileTemplateInjection,
  modelFileExternalDataTraversal,
  unusedSuppression,
  invalidConfig,
];

export function ruleById(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
