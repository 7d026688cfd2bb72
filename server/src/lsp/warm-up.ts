import * as path from 'node:path';
import { analyzeDocument, type AnalyzeContext } from '../engine/analyze';
import { resolveDocumentSettings } from './document-settings';
import { DEFAULT_SETTINGS } from './settings';

/**
 * JIT warm-up at server start. The first analysis in a fresh process runs the parser's wasm and
 * the engine's JavaScript unoptimized: on a 10,000-line file that roughly doubles its time. So
 * while the client waits for `initialize`, the server analyzes a built-in sample of ordinary
 * model-loading code repeatedly (in memory, no workspace files, nothing reported), bounded in time.
 *
 * What counts is the time spent, not the sample's size: the first run (about 100 ms) is mostly
 * compilation, and V8 keeps optimizing for a few hundred ms after. Measured on the bench's
 * 10,000-line file (2-core VM, interleaved runs), the engine's first analysis took 82-117 ms
 * after 250 ms of warm-up and 60-86 ms after 500 ms; 800 ms gave nothing more.
 */
export function warmUpEngine(ctx: Pick<AnalyzeContext, 'rules' | 'selection' | 'options' | 'workspace'>, budgetMs = 500, maxRuns = 16): { runs: number; ms: number } {
  const started = performance.now();
  const text = sampleModule(16);
  let runs = 0;
  while (runs < maxRuns && performance.now() - started < budgetMs) {
    analyzeDocument({ uri: `untitled:modellint-warm-up-${runs}.py`, languageId: 'python', text }, { ...ctx, parseCache: undefined });
    runs++;
  }
  return { runs, ms: performance.now() - started };
}

/**
 * The settings every document's analysis starts with, resolved once for a file under `folder`:
 * this compiles the default exclude globs (kept for reuse), which costs about 5 ms the first time.
 */
export function warmUpSettings(folder: string): void {
  resolveDocumentSettings({ ...DEFAULT_SETTINGS, severity: {} }, undefined, { file: path.join(folder, 'src', 'warm_up.py'), folder, trusted: true });
}

/** `blocks` variations of a small training/serving module (about 30 lines each). */
export function sampleModule(blocks: number): string {
  const out = [
    '"""Checkpoint helpers."""',
    'import argparse',
    'import asyncio',
    'import os',
    'import pickle',
    'import sys',
    'from dataclasses import dataclass',
    'from pathlib import Path',
    '',
    'import joblib',
    'import numpy as np',
    'import torch',
    'import yaml',
    'from huggingface_hub import hf_hub_download, snapshot_download',
    'from transformers import AutoModel, AutoTokenizer',
    '',
    'MODEL_ID = "org/model"',
    'REVISION = "main"',
    '',
    'parser = argparse.ArgumentParser()',
    'parser.add_argument("--trust-remote-code", action="store_true")',
    'parser.add_argument("--ckpt", default="model.pt")',
  ];
  for (let n = 0; n < blocks; n++) {
    // Every few blocks, one that uses the rest of the syntax, so that every branch of the lexers
    // and of the value resolution has run before a real file arrives: code that has never run is
    // compiled without type feedback and thrown away (deoptimized) the first time it does.
    if (n % 8 === 3) out.push(...syntaxTour(n));
    out.push(
      '',
      `class Loader${n}:`,
      `    """Loads experiment ${n}."""`,
      '',
      '    def __init__(self, root: str = ".") -> None:',
      '        self.root = Path(root)',
      `        self.name = "exp-${n}"`,
      '',
      '    def config(self, path):',
      '        with open(path) as fh:',
      '            return yaml.safe_load(fh)',
      '',
      '    def weights(self, path, device="cpu"):',
      `        state = torch.load(path, map_location=device, weights_only=${n % 2 === 0 ? 'True' : 'False'})`,
      '        return {k: v for k, v in state.items() if not k.startswith("_")}',
      '',
      `def build_${n}(args):`,
      '    tok = AutoTokenizer.from_pretrained(MODEL_ID, revision=REVISION)',
      '    model = AutoModel.from_pretrained(MODEL_ID, trust_remote_code=args.trust_remote_code)',
      '    cache = os.path.join(os.environ.get("HOME", "."), "cache.pkl")',
      '    if os.path.exists(cache):',
      '        with open(cache, "rb") as fh:',
      '            extra = pickle.load(fh)  # our own cache',
      '    else:',
      '        extra = {}',
      '    return tok, model, extra',
    );
  }
  return out.join('\n') + '\n';
}

/** A block of ordinary Python that uses the syntax the sample above does not (numbers, f-strings, continuations, …). */
function syntaxTour(n: number): string[] {
  return [
    '',
    `BATCH_${n} = ${32 + n}`,
    `LR_${n} = 3e-4 * ${n + 1}.5`,
    `MASK_${n} = 0x0F; SHAPE_${n} = (224, 224, 3)`,
    `_cache_${n}: dict = {}`,
    '',
    '',
    '@dataclass(frozen=True)',
    `class Settings${n}(Base):`,
    '    """Settings',
    '',
    `    of run ${n}."""`,
    '',
    '    name:\tstr = "base"',
    `    layers:\tint = ${n + 12}`,
    '',
    '    @property',
    '    def width(self) -> int:',
    '        return self.layers * 64',
    '',
    '',
    `async def step_${n}(batch, total=0, *args, **kwargs):`,
    `    global _cache_${n}`,
    '    total += len(batch); total -= 1; total *= 2',
    '    if total >= 10 and total <= 100 or total != 3 or total == 5:',
    '        total //= 2',
    '        total **= 2',
    '        total >>= 1',
    '        total <<= 1',
    '    while (size := len(batch)) > 0:',
    '        batch = batch[1:]',
    '    squares = [x * x for x in range(10) if x % 2 == 0]',
    '    pairs = {k: v for k, v in zip("ab", (1, 2))}',
    `    msg = f"step {total:>8.3f} {[i for i in range(${n})]} {pairs!r}"`,
    '    path = r"C:\\models\\x" + b"\\x00".decode() + \'\\\'q\\\'\' + rb"\\d"',
    '    longer = total + \\',
    '        1',
    '    try:',
    `        arr = np.load("weights_${n}.npy", allow_pickle=False)`,
    '    except (OSError, ValueError) as err:',
    '        raise RuntimeError(msg) from err',
    '    finally:',
    '        await asyncio.sleep(0)',
    '    state = torch.load(f"{path}/step_{total}.pt", weights_only=True)',
    '    with open(path, "rb") as fh, open(path) as gh:',
    '        clf = joblib.load(fh)',
    '    match total:',
    '        case 0 | 1:',
    '            pass',
    '        case _:',
    '            pass',
    '    os.environ["HF_TRUST_REMOTE_CODE"] = "0"',
    '    settings.trust_remote_code = False',
    '    scale = lambda a, b=2: a + b',
    '    return [',
    '        total,',
    '        longer,  # the continued value',
    '    ]',
    '',
    '',
    `def outer_${n}():`,
    '    x = 1',
    '',
    '    def inner():',
    '        nonlocal x',
    '        x += 1',
    '',
    '    return inner',
    '',
    '',
    'if __name__ == "__main__":',
    '    for i, (a, b) in enumerate([(1, 2)]):',
    '        print(i, a, b); continue',
    '    else:',
    '        pass',
    `    p = hf_hub_download("org/model-${n}", "model.bin", revision="0123456789abcdef0123456789abcdef01234567")`,
    '    d = snapshot_download(repo_id="org/other", **{"revision": "v1"})',
    '    data = yaml.load(open("c.yaml"), Loader=yaml.SafeLoader)',
    '    del p, d',
    'elif sys.platform == "win32":\r',
    '    pass\r',
  ];
}
