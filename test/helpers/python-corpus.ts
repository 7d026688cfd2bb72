/**
 * Generates realistic, mixed Python source of about `lines` lines: imports, dataclasses, classes with
 * methods and decorators, loops, comprehensions, f-strings, docstrings, try/except, argparse — with a
 * risky `torch.load(path)` every `riskEvery` lines. Returns the text and the 0-based lines of the risky calls.
 */
export function generatePythonModule(lines: number, riskEvery = 2000): { text: string; riskyLines: number[] } {
  const out: string[] = [
    '"""Training and evaluation utilities (generated for tests)."""',
    'from __future__ import annotations',
    '',
    'import argparse',
    'import json',
    'import logging',
    'import os',
    'from dataclasses import dataclass, field',
    'from pathlib import Path',
    'from typing import Any, Iterable',
    '',
    'import numpy as np',
    'import torch',
    'from torch import nn',
    '',
    'log = logging.getLogger(__name__)',
    '',
  ];
  const riskyLines: number[] = [];
  let block = 0;
  while (out.length < lines) {
    const n = block++;
    const chunk = [
      '',
      '@dataclass',
      `class Config${n}:`,
      `    """Hyper-parameters of experiment ${n}."""`,
      '    lr: float = 3e-4',
      '    epochs: int = 10',
      `    name: str = "exp-${n}"`,
      '    tags: list[str] = field(default_factory=list)',
      '',
      `class Block${n}(nn.Module):`,
      '    def __init__(self, dim: int = 128) -> None:',
      '        super().__init__()',
      '        self.proj = nn.Linear(dim, dim)',
      '        self.norm = nn.LayerNorm(dim)',
      '',
      '    def forward(self, x: torch.Tensor) -> torch.Tensor:',
      '        y = self.proj(x)',
      '        return self.norm(x + torch.relu(y))',
      '',
      `def summarize_${n}(values: Iterable[float], *, label: str = "loss") -> dict[str, Any]:`,
      '    data = [v for v in values if v == v]  # drop NaNs',
      '    if not data:',
      '        return {"label": label, "count": 0}',
      '    mean = sum(data) / len(data)',
      '    spread = {k: round(v, 4) for k, v in zip(("min", "max"), (min(data), max(data)))}',
      '    log.info(f"{label}: mean={mean:.3f} over {len(data)} steps")',
      '    return {"label": label, "mean": mean, **spread}',
      '',
      `def read_metrics_${n}(path: os.PathLike[str]) -> list[dict[str, Any]]:`,
      '    rows = []',
      '    try:',
      '        with open(path, encoding="utf-8") as fh:',
      '            for line in fh:',
      '                line = line.strip()',
      '                if line and not line.startswith("#"):',
      '                    rows.append(json.loads(line))',
      '    except FileNotFoundError:',
      '        log.warning("no metrics at %s", path)',
      '    return rows',
      '',
    ];
    out.push(...chunk);
    if (Math.floor(out.length / riskEvery) > riskyLines.length) {
      out.push(`def restore_${n}(path: str):`);
      riskyLines.push(out.length);
      out.push('    state = torch.load(path)');
      out.push('    return state');
      out.push('');
    }
  }
  out.push(
    '',
    'def main() -> None:',
    '    parser = argparse.ArgumentParser()',
    '    parser.add_argument("--out", default="runs")',
    '    args = parser.parse_args()',
    '    Path(args.out).mkdir(parents=True, exist_ok=True)',
    '',
    'if __name__ == "__main__":',
    '    main()',
    '',
  );
  return { text: out.join('\n'), riskyLines };
}
