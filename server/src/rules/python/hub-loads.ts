import type { RuleContext } from '../../engine/rule';
import type { Range } from '../../engine/types';
import type { ArgFact, CallFact, PythonFacts } from '../../languages/python/facts';
import { isTrue, stringValue, type PyValue } from '../../languages/python/values';
import { argument, isCommitHash, isEcosystemMethod, isLocalPathLiteral, isShortHex, looksLikeHubId } from './call-matching';

/**
 * Calls that fetch a model, dataset or file from the Hugging Face Hub, with what is known
 * about the repository they name and the revision they ask for. Shared by the rules that
 * care about pinning (hf-unpinned-revision), remote code (trust-remote-code) and weight formats.
 */
export interface HubLoad {
  call: CallFact;
  repoType: 'model' | 'dataset' | 'space';
  /** The argument naming the repository (may be unknown). */
  repoArg?: ArgFact;
  /** The repository id when statically known and not a local path. */
  repoId?: string;
  /** The repository is a local directory or path object (nothing is downloaded). */
  local: boolean;
  /** `local_files_only=True`: only the local cache is used. */
  offline: boolean;
  revisionArg?: ArgFact;
  pin: 'commit' | 'short-hex' | 'ref' | 'absent' | 'unknown';
  /** The revision is spelled inside the id (`timm.create_model("hf-hub:org/name@<rev>")`), not as `revision=`. */
  revisionInId?: boolean;
  /** The revision string when known. */
  revision?: string;
}

const DOWNLOAD_FUNCTIONS: Record<string, { repoKw: string; repoType?: 'model' | 'dataset' }> = {
  'huggingface_hub.hf_hub_download': { repoKw: 'repo_id' },
  'huggingface_hub.snapshot_download': { repoKw: 'repo_id' },
  'huggingface_hub.file_download.hf_hub_download': { repoKw: 'repo_id' },
  'huggingface_hub._snapshot_download.snapshot_download': { repoKw: 'repo_id' },
  'huggingface_hub.HfApi.hf_hub_download': { repoKw: 'repo_id' },
  'huggingface_hub.HfApi.snapshot_download': { repoKw: 'repo_id' },
  'huggingface_hub.hf_api.HfApi.hf_hub_download': { repoKw: 'repo_id' },
  'huggingface_hub.hf_api.HfApi.snapshot_download': { repoKw: 'repo_id' },
  'huggingface_hub.from_pretrained_keras': { repoKw: 'pretrained_model_name_or_path' },
  'huggingface_hub.keras_mixin.from_pretrained_keras': { repoKw: 'pretrained_model_name_or_path' },
  'datasets.load_dataset': { repoKw: 'path', repoType: 'dataset' },
  'datasets.load_dataset_builder': { repoKw: 'path', repoType: 'dataset' },
  'sentence_transformers.SentenceTransformer': { repoKw: 'model_name_or_path' },
  'sentence_transformers.CrossEncoder': { repoKw: 'model_name' },
  'sentence_transformers.cross_encoder.CrossEncoder': { repoKw: 'model_name' },
};

const PRETRAINED_REPO_KWS = ['pretrained_model_name_or_path', 'pretrained_model_or_path', 'model_id', 'repo_id', 'model_name'];

/**
 * `datasets` packaged builders: `load_dataset("json", data_files=...)` reads local (or explicitly
 * named) files with library code and downloads no repository.
 */
const PACKAGED_BUILDERS = new Set(['json', 'csv', 'parquet', 'text', 'arrow', 'pandas', 'sql', 'generator', 'spark', 'xml', 'webdataset', 'imagefolder', 'audiofolder', 'videofolder', 'pdffolder', 'niftifolder', 'cache']);

/** Methods of diffusers pipelines/models and transformers models that fetch adapter weights from the Hub (first argument, `revision=` kwarg). */
const ADAPTER_LOADERS = new Set(['load_lora_weights', 'load_attn_procs', 'load_textual_inversion', 'load_ip_adapter', 'load_lora_adapter', 'load_adapter']);

/** `peft.PeftModel.from_pretrained(model, model_id, ...)`: the repository is the second argument. */
function isPeftModelClass(types: string[]): boolean {
  return types.some((t) => /^peft\.(peft_model\.)?PeftModel(For\w+)?$|^peft\.(mixed_model\.)?PeftMixedModel$/.test(t));
}

/** huggingface_hub's `_is_true`: "1", "ON", "YES", "TRUE" in any case. */
function isHubTrue(v: PyValue): boolean {
  const s = stringValue(v);
  return s !== undefined ? /^(1|on|yes|true)$/i.test(s.trim()) : isTrue(v) || (v.kind === 'number' && v.value === 1);
}

/**
 * Environment variables the file sets: `os.environ[K] = v` (front-end facts) plus
 * `os.environ.setdefault(K, v)`, `os.putenv(K, v)`, `os.environ.update({K: v})` / `update(K=v)`
 * and pytest's `monkeypatch.setenv(K, v)`.
 */
export function envSettings(facts: PythonFacts): { name: string; value: PyValue; range: Range }[] {
  const out: { name: string; value: PyValue; range: Range }[] = facts.envAssignments.map((e) => ({ name: e.name, value: e.value, range: e.range }));
  for (const call of facts.calls) {
    const q = call.qname;
    if (q === 'os.environ.setdefault' || q === 'os.putenv' || (call.methodName === 'setenv' && !q?.startsWith('os.'))) {
      const [k, v] = call.positional;
      const name = stringValue(k?.value);
      if (name && v) out.push({ name, value: v.value, range: call.range });
    } else if (q === 'os.environ.update') {
      const d = call.positional[0]?.value;
      if (d?.kind === 'dict') for (const [name, value] of d.entries) out.push({ name, value, range: call.range });
      for (const [name, arg] of call.keywords) if (!arg.fromSplat) out.push({ name, value: arg.value, range: call.range });
    }
  }
  return out;
}

/** timm model factories: `create_model("hf-hub:org/name[@revision]")` fetches config and weights from the Hub. */
const TIMM_CREATE = new Set(['timm.create_model', 'timm.models.create_model', 'timm.models._factory.create_model', 'timm.models.factory.create_model']);

function classifyRevision(revision: string): HubLoad['pin'] {
  return isCommitHash(revision) ? 'commit' : isShortHex(revision) ? 'short-hex' : 'ref';
}

/** Environment switches that stop huggingface_hub (and transformers/datasets) from downloading anything. */
const OFFLINE_ENV = new Set(['HF_HUB_OFFLINE', 'TRANSFORMERS_OFFLINE']);

const hubLoadsCache = new WeakMap<PythonFacts, HubLoad[]>();

/**
 * Three rules (hf-unpinned-revision, trust-remote-code, safetensors-disabled) read the same Hub
 * loads of a file; they are worked out once per analysis (the facts object) and shared.
 */
export function hubLoads(facts: PythonFacts, ctx: RuleContext): HubLoad[] {
  let loads = hubLoadsCache.get(facts);
  if (!loads) {
    loads = findHubLoads(facts, ctx);
    hubLoadsCache.set(facts, loads);
  }
  return loads;
}

function findHubLoads(facts: PythonFacts, ctx: RuleContext): HubLoad[] {
  const out: HubLoad[] = [];
  // `os.environ["HF_HUB_OFFLINE"] = "1"` in the file: every load reads the local cache only.
  const fileOffline = envSettings(facts).some((e) => OFFLINE_ENV.has(e.name) && isHubTrue(e.value));
  for (const call of facts.calls) {
    let repoArg: ArgFact | undefined;
    let repoType: HubLoad['repoType'] = 'model';
    const spec = call.qname ? DOWNLOAD_FUNCTIONS[call.qname] : undefined;
    if (spec) {
      repoArg = argument(call, spec.repoKw, 0);
      repoType = spec.repoType ?? 'model';
      if (repoType === 'dataset' && PACKAGED_BUILDERS.has(stringValue(repoArg?.value) ?? '')) continue;
      const rt = stringValue(argument(call, 'repo_type')?.value);
      if (rt === 'dataset' || rt === 'space') repoType = rt;
      else if (argument(call, 'repo_type') && rt === undefined) continue;
    } else if (call.methodName === 'from_pretrained' && isEcosystemMethod(facts, call, 'from_pretrained')) {
      repoArg = PRETRAINED_REPO_KWS.map((k) => call.keywords.get(k)).find(Boolean) ?? call.positional[isPeftModelClass(call.receiverTypes) ? 1 : 0];
    } else if (call.methodName && ADAPTER_LOADERS.has(call.methodName) && isEcosystemMethod(facts, call, call.methodName, ['diffusers', 'transformers', 'peft'])) {
      repoArg = ['pretrained_model_name_or_path_or_dict', 'pretrained_model_name_or_path', 'peft_model_id', 'model_id'].map((k) => call.keywords.get(k)).find(Boolean) ?? call.positional[0];
    } else if (call.qname === 'transformers.pipeline' || call.qname === 'transformers.pipelines.pipeline') {
      repoArg = argument(call, 'model', 1);
    } else if (call.qname && TIMM_CREATE.has(call.qname)) {
      const arg = argument(call, 'model_name', 0);
      const m = /^hf[-_]hub:([^@]+)(?:@(.*))?$/.exec(stringValue(arg?.value) ?? '');
      if (!arg || !m) continue;
      out.push({
        call, repoType: 'model', repoArg: arg, repoId: looksLikeHubId(m[1]) ? m[1] : undefined, local: false, offline: fileOffline,
        pin: m[2] ? classifyRevision(m[2]) : 'absent', revision: m[2] || undefined, revisionInId: true,
      });
      continue;
    } else {
      continue;
    }
    if (!repoArg) continue;
    const local = isLocal(repoArg, ctx);
    const repoId = !local ? stringValue(repoArg.value) : undefined;
    const offline = fileOffline || isTrue(argument(call, 'local_files_only')?.value);
    const revisionArg = argument(call, 'revision');
    let pin: HubLoad['pin'] = 'absent';
    let revision: string | undefined;
    if (revisionArg) {
      revision = stringValue(revisionArg.value);
      // A `None` that is only the default of a parameter or CLI option is a pinning knob the caller fills in (Part D.4).
      const knob = revisionArg.value.origin?.kind === 'parameter-default' || revisionArg.value.origin?.kind === 'argparse-default';
      if (revision === undefined) pin = revisionArg.value.kind === 'none' && !knob ? 'absent' : 'unknown';
      else if (revision === '') revision = undefined; // treated like an omitted revision
      else pin = classifyRevision(revision);
    } else if (call.hasOpaqueSplat) {
      pin = 'unknown';
    }
    out.push({ call, repoType, repoArg, repoId: repoId !== undefined && looksLikeHubId(repoId) ? repoId : undefined, local, offline, revisionArg, pin, revision });
  }
  return out;
}

function isLocal(arg: ArgFact, ctx: RuleContext): boolean {
  const v = arg.value;
  if (v.kind === 'path') return true;
  if (v.kind === 'fstring') return isLocalPathLiteral(v.prefix);
  const s = stringValue(v);
  if (s === undefined) return false;
  if (isLocalPathLiteral(s) || looksLikeOutputDir(s)) return true;
  return ctx.workspace.isDirectory(s, ctx.uri);
}

/**
 * Relative paths that training scripts write and later reload (`outputs/run1`, `checkpoints/best`,
 * `models/bert-finetuned`, `…/checkpoint-500`), which need not exist in the checkout (Part D.5).
 */
const OUTPUT_DIRS = /^(outputs?|checkpoints?|ckpts?|runs|results|saved_models?|exports?|artifacts|experiments|models|trained_models|finetuned(_models)?|tmp)\//i;
function looksLikeOutputDir(s: string): boolean {
  return OUTPUT_DIRS.test(s) || /(^|\/)checkpoint-\d+$/.test(s);
}
