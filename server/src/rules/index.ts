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
  unusedSuppression,
  invalidConfig,
];

export function ruleById(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
