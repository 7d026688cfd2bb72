import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import { stringValue } from '../../languages/python/values';
import { argument, CATALOG_SEVERITY, finding } from './call-matching';

/** Deserializers of the pickle family (and marshal), by qualified name. */
const PICKLE_LOADERS = new Set([
  ...['pickle', '_pickle', 'cPickle', 'dill', 'pickle5'].flatMap((m) => [`${m}.load`, `${m}.loads`, `${m}.Unpickler`]),
  'cloudpickle.load', 'cloudpickle.loads',
  'shelve.open', 'shelve.DbfilenameShelf', 'shelve.Shelf',
  'jsonpickle.decode', 'jsonpickle.unpickler.decode', 'jsonpickle.unpickler.Unpickler',
  'pandas.read_pickle', 'pandas.io.pickle.read_pickle',
  'marshal.load', 'marshal.loads',
  'torch.package.PackageImporter.load_pickle', 'torch.package.package_importer.PackageImporter.load_pickle',
]);

/** torch.distributed object collectives unpickle what other ranks send. */
const DISTRIBUTED = new Set(['broadcast_object_list', 'all_gather_object', 'gather_object', 'scatter_object_list', 'recv_object_list'].map((f) => `torch.distributed.${f}`));

const MLFLOW_LOADERS = /^mlflow\.(pyfunc|sklearn|pytorch|keras|tensorflow|xgboost|lightgbm|catboost|statsmodels|spacy|transformers|langchain|onnx|h2o|fastai|pmdarima|prophet|diviner|paddle|johnsnowlabs|spark|llama_index|dspy)\.load_model$|^mlflow\.pyfunc\.spark_udf$/;

const meta: RuleMeta = {
  id: 'pickle-load',
  title: 'Pickle-family deserialization',
  summary: 'pickle, dill, cloudpickle, shelve, jsonpickle, marshal, pandas.read_pickle, torch.package, torch.distributed object APIs and MLflow model loads can run arbitrary code from the data they read.',
  group: 'python',
  defaultSeverity: 'warning',
  fixable: 'none',
  catalog: ['PY110', 'PY115', 'PY116'],
  references: [
    { title: 'Python pickle: security warning', url: 'https://docs.python.org/3/library/pickle.html' },
    { title: 'CWE-502: Deserialization of Untrusted Data', url: 'https://cwe.mitre.org/data/definitions/502.html' },
  ],
};

export const pickleLoad = defineRule({
  meta,
  triggers: ['pickle', 'Pickle', 'dill', 'shelve', 'marshal', 'load_pickle', '_object', 'object_list', 'mlflow', 'Unpickler'],
  check: {
    python(facts) {
      const out: Finding[] = [];
      for (const call of facts.calls) {
        const q = call.qname;
        if (!q) continue;
        if (PICKLE_LOADERS.has(q)) {
          const first = call.positional[0];
          if ((q.endsWith('.loads')) && first && /^[rR]?[bB][rR]?['"]/.test(first.text)) continue; // a bytes literal in the source is not untrusted input
          out.push(finding(meta, call.range, CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` deserializes with pickle, which runs code embedded in the data; load only data you produced, or switch to safetensors, JSON or Parquet.`));
        } else if (DISTRIBUTED.has(q)) {
          out.push(finding(meta, call.range, CATALOG_SEVERITY.low,
            `\`${call.calleeText}\` unpickles objects sent by other ranks; use tensor collectives when peers are not fully trusted.`));
        } else if (MLFLOW_LOADERS.test(q)) {
          const uriArg = argument(call, 'model_uri', 0);
          const uri = uriArg ? stringValue(uriArg.value) : undefined;
          if (uri !== undefined && /^(\/|\.\.?\/|file:)/.test(uri)) continue; // a local model of the project
          out.push(finding(meta, call.range, CATALOG_SEVERITY.medium,
            `\`${call.calleeText}\` loads an MLflow model whose flavour is (cloud)pickled and runs code on load; load only models from a registry you control.`));
        }
      }
      return out;
    },
  },
});
