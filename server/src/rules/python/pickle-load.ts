import { defineRule, type RuleMeta } from '../../engine/rule';
import type { Finding } from '../../engine/types';
import { stringValue } from '../../languages/python/values';
import { argument, CATALOG_SEVERITY, finding } from './call-matching';

/** Deserializers of the pickle family (and marshal), by qualified name. */
const PICKLE_LOADERS = new Set([
  ...['pickle', '_pickle', 'cPickle', 'six.moves.cPickle', 'dill', 'pickle5'].flatMap((m) => [`${m}.load`, `${m}.loads`, `${m}.Unpickler`]),
  'cloudpickle.load', 'cloudpickle.loads',
  'shelve.open', 'shelve.DbfilenameShelf', 'shelve.Shelf',
  'jsonpickle.decode', 'jsonpickle.unpickler.decode', 'jsonpickle.unpickler.Unpickler',
  'pandas.read_pickle', 'pandas.io.pickle.read_pickle',
  'marshal.load', 'marshal.loads',
  'torch.package.PackageImporter.load_pickle', 'torch.package.package_importer.PackageImporter.load_pickle',
]);

/** Serializers whose output, passed straight back to a loader, is the program's own data. */
const PICKLE_DUMPS = /^(pickle|_pickle|cPickle|six\.moves\.cPickle|dill|cloudpickle|pickle5|marshal)\.dumps$/;

/** torch.distributed object collectives unpickle what other ranks send. */
const DISTRIBUTED = new Set(['broadcast_object_list', 'all_gather_object', 'gather_object', 'scatter_object_list', 'recv_object_list'].map((f) => `torch.distributed.${f}`));

const MLFLOW_LOADERS = /^mlflow\.(pyfunc|sklearn|pytorch|keras|tensorflow|xgboost|lightgbm|catboost|statsmodels|spacy|transformers|langchain|onnx|h2o|fastai|pmdarima|prophet|diviner|paddle|johnsnowlabs|spark|llama_index|dspy)\.load_model$|^mlflow\.pyfunc\.spark_udf$/;

/**
 * Untrusted sources visible in the argument expression itself: a network response, a web request
 * body or a Hub download (the catalog's "H if tainted"; values flowing through local names are not traced).
 */
const TAINT: [RegExp, string][] = [
  [/\b(requests|httpx|urllib3|session|client)\.(get|post|put|request)\s*\(|\burlopen\s*\(/, 'a network response'],
  [/\brequest\.(data|body|files|form|get_data|stream)\b|\bawait\s+[\w.]+\.(read|body)\s*\(/, 'a web request body'],
  [/\b(hf_hub_download|cached_download|snapshot_download)\s*\(/, 'a file downloaded from the Hugging Face Hub'],
];

function taintSource(argumentText: string): string | undefined {
  return TAINT.find(([re]) => re.test(argumentText))?.[1];
}

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
  // Every loader above is reached through a name that contains one of these (`load`, `loads`,
  // `Unpickler`, `read_pickle`, `load_pickle`, `decode`, `load_model`…) next to its module.
  triggers: [['pickle', 'load'], ['Pickle', 'load'], 'Unpickler', 'read_pickle', ['dill', 'load'], 'shelve', ['marshal', 'load'], ['jsonpickle', 'decode'],
    ['mlflow', 'load_model'], ['mlflow', 'spark_udf'], ['distributed', '_object']],
  check: {
    python(facts) {
      const out: Finding[] = [];
      for (const call of facts.calls) {
        const q = call.qname;
        if (!q) continue;
        if (PICKLE_LOADERS.has(q)) {
          const first = call.positional[0];
          if ((q.endsWith('.loads')) && first && /^[rR]?[bB][rR]?['"]/.test(first.text)) continue; // a bytes literal in the source is not untrusted input
          if (first?.value.kind === 'call' && PICKLE_DUMPS.test(first.value.callee)) continue; // `loads(dumps(obj))`: a deep copy of our own object
          const format = q.startsWith('marshal.') ? 'marshal' : 'pickle';
          const source = first ? taintSource(first.text) : undefined;
          out.push(source
            ? finding(meta, call.range, CATALOG_SEVERITY.high,
              `\`${call.calleeText}\` deserializes ${source} with ${format}, so whoever controls that data runs code in this process; exchange JSON, safetensors or Parquet instead.`)
            : finding(meta, call.range, CATALOG_SEVERITY.medium,
              `\`${call.calleeText}\` deserializes with ${format}, which runs code embedded in the data; load only data you produced, or switch to safetensors, JSON or Parquet.`));
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
