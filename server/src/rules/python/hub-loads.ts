import type { RuleContext } from '../../engine/rule';
import type { ArgFact, CallFact, PythonFacts } from '../../languages/python/facts';
import { isTrue, stringValue } from '../../languages/python/values';
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
  'datasets.load_dataset': { repoKw: 'path', repoType: 'dataset' },
  'datasets.load_dataset_builder': { repoKw: 'path', repoType: 'dataset' },
  'sentence_transformers.SentenceTransformer': { repoKw: 'model_name_or_path' },
  'sentence_transformers.CrossEncoder': { repoKw: 'model_name' },
  'sentence_transformers.cross_encoder.CrossEncoder': { repoKw: 'model_name' },
};

const PRETRAINED_REPO_KWS = ['pretrained_model_name_or_path', 'pretrained_model_or_path', 'model_id', 'repo_id'];

export function hubLoads(facts: PythonFacts, ctx: RuleContext): HubLoad[] {
  const out: HubLoad[] = [];
  for (const call of facts.calls) {
    let repoArg: ArgFact | undefined;
    let repoType: HubLoad['repoType'] = 'model';
    const spec = call.qname ? DOWNLOAD_FUNCTIONS[call.qname] : undefined;
    if (spec) {
      repoArg = argument(call, spec.repoKw, 0);
      repoType = spec.repoType ?? 'model';
      const rt = stringValue(argument(call, 'repo_type')?.value);
      if (rt === 'dataset' || rt === 'space') repoType = rt;
      else if (argument(call, 'repo_type') && rt === undefined) continue;
    } else if (call.methodName === 'from_pretrained' && isEcosystemMethod(facts, call, 'from_pretrained')) {
      repoArg = PRETRAINED_REPO_KWS.map((k) => call.keywords.get(k)).find(Boolean) ?? call.positional[0];
    } else if (call.qname === 'transformers.pipeline' || call.qname === 'transformers.pipelines.pipeline') {
      repoArg = argument(call, 'model', 1);
    } else {
      continue;
    }
    if (!repoArg) continue;
    const local = isLocal(repoArg, ctx);
    const repoId = !local ? stringValue(repoArg.value) : undefined;
    const offline = isTrue(argument(call, 'local_files_only')?.value);
    const revisionArg = argument(call, 'revision');
    let pin: HubLoad['pin'] = 'absent';
    let revision: string | undefined;
    if (revisionArg) {
      revision = stringValue(revisionArg.value);
      if (revision === undefined) pin = revisionArg.value.kind === 'none' ? 'absent' : 'unknown';
      else pin = isCommitHash(revision) ? 'commit' : isShortHex(revision) ? 'short-hex' : 'ref';
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
  if (isLocalPathLiteral(s)) return true;
  return ctx.workspace.isDirectory(s, ctx.uri);
}
