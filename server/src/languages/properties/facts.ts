/**
 * Facts of TorchServe-style `.properties` configuration: one or more documents, each a
 * `config.properties` file or the `config.properties` text held by a Kubernetes ConfigMap.
 */
import type { Position } from '../../engine/types';
import type { EmbeddedText } from '../../invocations/types';
import { parseProperties, type PropertiesDocument } from './parser';

export interface PropertiesSource {
  doc: PropertiesDocument;
  /** Where the text lives: a file of its own, or a ConfigMap data entry inside a YAML file. */
  origin: 'file' | 'configmap';
  /** The data key (ConfigMaps) or file name. */
  name: string;
}

export interface PropertiesFacts {
  uri: string;
  sources: PropertiesSource[];
}

export function buildPropertiesFacts(uri: string, text: string): PropertiesFacts {
  const name = uri.replace(/\\/g, '/').split('/').pop() ?? 'config.properties';
  return { uri, sources: [{ doc: parseProperties(text), origin: 'file', name }] };
}

/** `config.properties` texts held in ConfigMaps, positioned in the YAML document that holds them. */
export function embeddedPropertiesSources(embedded: readonly EmbeddedText[]): PropertiesSource[] {
  return embedded.map((e) => ({ doc: parseProperties(e.text, embeddedPositionAt(e)), origin: 'configmap', name: e.owner ?? e.name }));
}

/** Map an offset of an embedded text to its document position (lines map to their start; characters 1:1). */
export function embeddedPositionAt(e: EmbeddedText): (offset: number) => Position {
  const starts = [0];
  for (let i = e.text.indexOf('\n'); i !== -1; i = e.text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    const o = Math.max(0, Math.min(offset, e.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    const base = e.lines[lo] ?? e.lines[e.lines.length - 1] ?? e.range.start;
    return { line: base.line, character: base.character + (o - starts[lo]) };
  };
}

/** Whether a properties text looks like TorchServe configuration (any of its distinctive keys). */
export function looksLikeTorchServeConfig(text: string): boolean {
  return /^[ \t]*(inference_address|management_address|metrics_address|model_store|load_models|enable_model_api|disable_token_authorization|allowed_urls|install_py_dep_per_model|grpc_inference_address|grpc_management_address|enable_envvars_config|number_of_netty_threads|job_queue_size)\s*[=:\s]/m.test(text);
}
