// Deterministic generator of a realistic, large Python module for the editor benchmarks
// (architecture.md §13: "diagnostics for a 10,000-line Python file"), and of the one-line
// edits applied to it (the same sequence for the in-process and the LSP measurements).

/** mulberry32: a small deterministic PRNG. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'batch', 'epoch', 'feature', 'label', 'token', 'vocab', 'embedding', 'layer', 'weight', 'bias',
  'sample', 'dataset', 'loader', 'metric', 'score', 'loss', 'optimizer', 'scheduler', 'window', 'stride',
  'shard', 'record', 'cache', 'buffer', 'config', 'option', 'prefix', 'suffix', 'offset', 'chunk',
];

/**
 * Risky (and a few safe) model-loading snippets, each a list of lines at function-body indentation
 * (4 spaces). ~20 of them are risky; the safe ones make the resolver do realistic work.
 */
const RISKY = [
  ['state = torch.load(checkpoint_path)', 'model.load_state_dict(state)'],
  ['with open(cache_file, "rb") as fh:', '    cached = pickle.load(fh)'],
  ['model = AutoModel.from_pretrained(model_name, trust_remote_code=True)'],
  ['ckpt = torch.load(path, map_location="cpu", weights_only=False)'],
  ['with open(config_file) as fh:', '    raw_config = yaml.load(fh, Loader=yaml.Loader)'],
  ['estimator = joblib.load(os.path.join(artifact_dir, "estimator.joblib"))'],
  ['arrays = np.load(npz_path, allow_pickle=True)'],
  ['tokenizer = AutoTokenizer.from_pretrained(model_name, trust_remote_code=True)'],
  ['hub_model = torch.hub.load("someuser/vision-models", "resnet_custom", trust_repo=True)'],
  ['payload = pickle.loads(blob)'],
  ['lm = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B")'],
  ['optimizer_state = torch.load(f"{run_dir}/optimizer.pt", map_location=device)'],
  ['frame = pd.read_pickle(frame_path)'],
  ['keras_model = keras.models.load_model(keras_path, safe_mode=False)'],
  ['with open(vocab_file, "rb") as fh:', '    vocab = pickle.Unpickler(fh).load()'],
  ['encoder = AutoModel.from_pretrained(encoder_name, revision="main", trust_remote_code=True)'],
  ['weights = torch.load(weights_path, weights_only=False, mmap=True)'],
  ['store = FAISS.load_local(index_dir, embeddings, allow_dangerous_deserialization=True)'],
  ['legacy = dill.load(open(legacy_path, "rb"))'],
  ['swa_state = torch.load(swa_path, map_location=lambda storage, loc: storage)'],
];
const SAFE = [
  ['state = torch.load(checkpoint_path, map_location="cpu", weights_only=True)'],
  ['with open(config_file) as fh:', '    raw_config = yaml.safe_load(fh)'],
  ['model = AutoModel.from_pretrained(model_name, revision="3f2c1e0b9d8a7c6b5a4f3e2d1c0b9a8f7e6d5c4b")'],
  ['arrays = np.load(npz_path)'],
  ['tensors = safetensors.torch.load_file(weights_path)'],
];

const HEADER = `"""Training, evaluation and serving utilities for the retrieval models.

This module is generated for the ModelLint benchmarks: it mixes classes, functions,
imports and an argparse entry point, with a few risky model-loading calls spread
through it, like a large real-world research code base.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import functools
import itertools
import json
import logging
import math
import os
import pickle
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import dill
import joblib
import keras
import numpy as np
import pandas as pd
import safetensors.torch
import torch
import torch.nn as nn
import torch.nn.functional as F
import yaml
from langchain_community.vectorstores import FAISS
from torch.utils.data import DataLoader, Dataset
from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

logger = logging.getLogger(__name__)

DEFAULT_SEED = 1234
DEFAULT_DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
CHECKPOINT_DIR = Path(os.environ.get("CHECKPOINT_DIR", "checkpoints"))
`;

/**
 * Generate the module: about `targetLines` lines, deterministic for a given seed.
 * Returns the text and the number of risky snippets inserted.
 */
export function generatePythonModule({ targetLines = 10000, seed = 42, riskyCount = 20 } = {}) {
  const rnd = prng(seed);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const name = () => `${pick(WORDS)}_${pick(WORDS)}`;
  const lines = HEADER.split('\n');
  let block = 0;
  const argparseReserve = 120;
  const bodyTarget = targetLines - argparseReserve;
  // Spread the risky snippets evenly over the file.
  const estBlocks = Math.round(bodyTarget / 34);
  const riskyEvery = Math.max(1, Math.floor(estBlocks / (riskyCount + 1)));
  let risky = 0;
  let safe = 0;

  const bodyStatements = (indent, n) => {
    const out = [];
    for (let i = 0; i < n; i++) {
      const v = `${pick(WORDS)}_${i}`;
      switch (int(0, 9)) {
        case 0: out.push(`${indent}${v} = ${int(1, 4096)}`); break;
        case 1: out.push(`${indent}${v} = ${(rnd() * 10).toFixed(3)} * scale`); break;
        case 2: out.push(`${indent}${v} = "${pick(WORDS)}-${int(0, 999)}"`); break;
        case 3: out.push(`${indent}${v} = [x * ${int(2, 9)} for x in range(${int(3, 64)}) if x % ${int(2, 5)}]`); break;
        case 4: out.push(`${indent}${v} = {k: len(k) for k in ("${pick(WORDS)}", "${pick(WORDS)}")}`); break;
        case 5: out.push(`${indent}logger.debug("%s: %d", "${pick(WORDS)}", ${int(0, 100)})`); break;
        case 6: out.push(`${indent}${v} = math.sqrt(abs(${(rnd() * 100).toFixed(2)} - ${int(1, 50)}))`); break;
        case 7: out.push(`${indent}${v} = f"{${pick(['prefix', 'name', 'split'])}}/${pick(WORDS)}_{${int(0, 9)}}.json"`); break;
        case 8: out.push(`${indent}${v} = os.path.join(str(CHECKPOINT_DIR), "${pick(WORDS)}", "${int(0, 99)}")`); break;
        default: out.push(`${indent}${v} = tuple(sorted(set([${int(1, 9)}, ${int(1, 9)}, ${int(1, 9)}])))`); break;
      }
    }
    return out;
  };

  const riskyOrSafe = (indent) => {
    block++;
    let snippet;
    if (risky < riskyCount && block % riskyEvery === 0) snippet = RISKY[risky++ % RISKY.length];
    else if (block % 7 === 3) snippet = SAFE[safe++ % SAFE.length];
    return snippet ? snippet.map((l) => indent + l) : [];
  };

  const functionBlock = () => {
    const fn = `${pick(['load', 'build', 'compute', 'prepare', 'collect', 'update', 'export'])}_${name()}_${block}`;
    const out = [
      '',
      '',
      `def ${fn}(path: str, scale: float = ${(rnd() * 2).toFixed(2)}, *, prefix: str = "${pick(WORDS)}", name: str = "x", split: str = "train") -> Dict[str, Any]:`,
      `    """${pick(['Load', 'Build', 'Compute', 'Prepare'])} the ${pick(WORDS)} ${pick(WORDS)} for ${pick(WORDS)} ${block}."""`,
      '    checkpoint_path = path',
      '    cache_file = path + ".cache"',
      '    config_file = os.path.join(os.path.dirname(path), "config.yaml")',
      '    model_name = os.environ.get("MODEL_NAME", "bert-base-uncased")',
      '    result: Dict[str, Any] = {}',
    ];
    out.push(...bodyStatements('    ', int(3, 8)));
    out.push(...riskyOrSafe('    '));
    out.push(`    for idx, item in enumerate(range(${int(4, 32)})):`);
    out.push(`        if idx % ${int(2, 7)} == 0:`);
    out.push(`            result[f"${pick(WORDS)}_{idx}"] = item * scale`);
    out.push('        else:');
    out.push(`            result.setdefault("${pick(WORDS)}", []).append(item)`);
    out.push('    try:');
    out.push(`        with open(path, "r", encoding="utf-8") as handle:`);
    out.push('            result["lines"] = sum(1 for _ in handle)');
    out.push('    except OSError as exc:');
    out.push(`        logger.warning("could not read %s: %s", path, exc)`);
    out.push(...bodyStatements('    ', int(1, 4)));
    out.push('    return result');
    return out;
  };

  const classBlock = () => {
    const cls = `${pick(WORDS)[0].toUpperCase()}${pick(WORDS).slice(1)}${pick(['Trainer', 'Processor', 'Module', 'Store', 'Pipeline'])}${block}`;
    const out = [
      '',
      '',
      '@dataclass',
      `class ${cls}Config:`,
      `    """Configuration of ${cls}."""`,
      `    hidden_size: int = ${pick([128, 256, 512, 768, 1024])}`,
      `    dropout: float = ${(rnd() * 0.5).toFixed(2)}`,
      `    name: str = "${pick(WORDS)}"`,
      `    tags: List[str] = field(default_factory=list)`,
      '',
      '',
      `class ${cls}(nn.Module):`,
      `    """A ${pick(WORDS)} ${pick(WORDS)} module."""`,
      '',
      `    def __init__(self, config: ${cls}Config) -> None:`,
      '        super().__init__()',
      '        self.config = config',
      `        self.proj = nn.Linear(config.hidden_size, config.hidden_size // ${pick([1, 2, 4])})`,
      '        self.dropout = nn.Dropout(config.dropout)',
      `        self.norm = nn.LayerNorm(config.hidden_size // ${pick([1, 2, 4])})`,
      '',
      '    def forward(self, inputs: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:',
      '        hidden = self.dropout(F.gelu(self.proj(inputs)))',
      '        if mask is not None:',
      '            hidden = hidden.masked_fill(~mask.unsqueeze(-1), 0.0)',
      '        return self.norm(hidden)',
      '',
      '    @classmethod',
      `    def restore(cls, path: str, device: str = DEFAULT_DEVICE) -> "${cls}":`,
      '        checkpoint_path = path',
      '        path_dir = os.path.dirname(path)',
      '        model_name = os.environ.get("MODEL_NAME", "bert-base-uncased")',
      `        model = cls(${cls}Config())`,
    ];
    out.push(...bodyStatements('        ', int(1, 4)));
    out.push(...riskyOrSafe('        '));
    out.push('        return model.to(device)');
    out.push('');
    out.push('    def summary(self) -> Dict[str, Any]:');
    out.push('        scale = 1.0');
    out.push(...bodyStatements('        ', int(2, 6)));
    out.push('        return {"params": sum(p.numel() for p in self.parameters()), "name": self.config.name}');
    return out;
  };

  while (lines.length < bodyTarget) {
    const chunk = rnd() < 0.45 ? classBlock() : functionBlock();
    lines.push(...chunk);
  }

  // The argparse entry point.
  lines.push('', '', 'def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:');
  lines.push('    parser = argparse.ArgumentParser(description="Train and evaluate the retrieval models")');
  const tail = [];
  tail.push('    parser.add_argument("--checkpoint", default="checkpoints/last.pt")');
  tail.push('    return parser.parse_args(argv)');
  tail.push('', '', 'def main(argv: Optional[Sequence[str]] = None) -> int:');
  tail.push('    args = parse_args(argv)');
  tail.push('    random.seed(DEFAULT_SEED)');
  tail.push('    torch.manual_seed(DEFAULT_SEED)');
  tail.push('    checkpoint = torch.load(args.checkpoint, map_location="cpu", weights_only=True)');
  tail.push('    logger.info("loaded %d tensors", len(checkpoint))');
  // Any risky snippet the body had no room for goes into main().
  while (risky < riskyCount) {
    tail.push('    checkpoint_path = cache_file = config_file = model_name = args.checkpoint');
    tail.push(...RISKY[risky++ % RISKY.length].map((l) => '    ' + l));
  }
  tail.push('    return 0');
  tail.push('', '', 'if __name__ == "__main__":', '    sys.exit(main())');
  let args = 0;
  while (lines.length + tail.length < targetLines) {
    const flag = `--${pick(WORDS)}-${pick(WORDS)}-${args++}`;
    switch (int(0, 3)) {
      case 0: lines.push(`    parser.add_argument("${flag}", type=int, default=${int(1, 512)})`); break;
      case 1: lines.push(`    parser.add_argument("${flag}", type=float, default=${(rnd()).toFixed(3)}, help="${pick(WORDS)} ${pick(WORDS)}")`); break;
      case 2: lines.push(`    parser.add_argument("${flag}", action="store_true")`); break;
      default: lines.push(`    parser.add_argument("${flag}", default="${pick(WORDS)}", choices=["${pick(WORDS)}", "${pick(WORDS)}"])`); break;
    }
  }
  lines.push(...tail);
  return { text: lines.join('\n') + '\n', risky };
}

/**
 * The lines an edit may touch: lines with a number or a string literal inside a function body.
 * Edits keep the module valid Python: change one digit, or insert a letter into a string.
 */
export function editableLines(lines) {
  const out = [];
  lines.forEach((l, i) => {
    if (/^\s+\w+(_\d+)? = .*\d/.test(l) || /^\s+\w+ = "[a-z]/.test(l)) out.push(i);
  });
  return out;
}

/**
 * The i-th one-line edit on `lines` (mutated in place). Returns the edit in LSP terms:
 * { line, character, deleteCount, text } (character offsets are UTF-16; the text is ASCII).
 */
export function nextEdit(lines, candidates, i) {
  const line = candidates[(i * 7919 + 13) % candidates.length];
  const l = lines[line];
  let edit;
  const quote = l.indexOf('"');
  if (i % 2 === 1 && quote >= 0) {
    edit = { line, character: quote + 1, deleteCount: 0, text: String.fromCharCode(97 + (i % 26)) };
  } else {
    // change the last digit of the line
    let c = -1;
    for (let k = l.length - 1; k >= 0; k--) if (l[k] >= '0' && l[k] <= '9') { c = k; break; }
    if (c < 0) edit = { line, character: l.length, deleteCount: 0, text: ' ' };
    else edit = { line, character: c, deleteCount: 1, text: String((Number(l[c]) + 1) % 10) };
  }
  lines[line] = l.slice(0, edit.character) + edit.text + l.slice(edit.character + edit.deleteCount);
  return edit;
}
