import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Range } from '../../server/src/engine/types';
import type { InputKind } from '../../server/src/languages/detect';
import { parseRequirementsFacts } from '../../server/src/workspace/requirements';
import { parseCondaMatchSpec } from '../../server/src/workspace/dependency-files/conda-env';
import { parseRequirement } from '../../server/src/workspace/dependency-files/pep508';
import { splitShellCommands } from '../../server/src/workspace/dependency-files/shell-words';
import type { PackageConstraint } from '../../server/src/workspace/workspace-facts';

const URI = 'file:///project/deps';

/** The source text a range covers (LSP positions; lines split like LSP). */
function textAt(text: string, range: Range): string {
  const lines = text.split(/\r\n|\r|\n/);
  const starts: number[] = [];
  let offset = 0;
  const breaks = text.match(/\r\n|\r|\n/g) ?? [];
  lines.forEach((line, i) => {
    starts.push(offset);
    offset += line.length + (breaks[i]?.length ?? 0);
  });
  return text.slice(starts[range.start.line] + range.start.character, starts[range.end.line] + range.end.character);
}

function r(startLine: number, startChar: number, endLine: number, endChar: number): Range {
  return { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } };
}

function bounds(c: PackageConstraint): string {
  const lo = c.min ? `${c.min.inclusive ? '[' : '('}${c.min.version}` : '(*';
  const hi = c.max ? `${c.max.version}${c.max.inclusive ? ']' : ')'}` : '*)';
  return `${lo}, ${hi}`;
}

/** name, specifier, interval and covered text of every requirement. */
function summary(kind: InputKind, text: string): string[] {
  const facts = parseRequirementsFacts(kind, text, URI);
  return facts.requirements.map((c) => `${c.name} | ${c.specifier} | ${bounds(c)} | ${textAt(text, c.range)}`);
}

function find(kind: InputKind, text: string, name: string): PackageConstraint {
  const c = parseRequirementsFacts(kind, text, URI).requirements.find((x) => x.name === name);
  assert.ok(c, `${name} not found`);
  return c;
}

describe('pep508 requirement strings', () => {
  it('splits name, extras, specifier and marker with offsets', () => {
    const req = parseRequirement('  torch[cuda, extra] >=2.4,<2.6 ; python_version >= "3.10"')!;
    assert.equal(req.name, 'torch');
    assert.equal(req.nameStart, 2);
    assert.deepEqual(req.extras, ['cuda', 'extra']);
    assert.equal(req.specifier, '>=2.4,<2.6');
    assert.equal(req.specifierStart, 21);
    assert.equal(req.end, 31);
    assert.equal(req.marker, 'python_version >= "3.10"');
  });

  it('reads parenthesized specifiers and direct references', () => {
    const paren = parseRequirement('torch (>=2.6)')!;
    assert.equal(paren.specifier, '>=2.6');
    assert.equal(paren.end, 13);
    const url = parseRequirement('torch @ https://download.pytorch.org/whl/torch-2.5.1-cp311-none-linux_x86_64.whl ; sys_platform == "linux"')!;
    assert.equal(url.url, 'https://download.pytorch.org/whl/torch-2.5.1-cp311-none-linux_x86_64.whl');
    assert.equal(url.marker, 'sys_platform == "linux"');
  });

  it('refuses text without a name', () => {
    assert.equal(parseRequirement('>=2.5'), undefined);
    assert.equal(parseRequirement('torch[cuda'), undefined);
  });
});

describe('requirements.txt', () => {
  const text = [
    '# Training stack',
    '--index-url https://pypi.org/simple',
    '--extra-index-url https://download.pytorch.org/whl/cu121',
    '-r base.txt',
    '-c constraints.txt',
    '-e git+https://github.com/org/lib.git#egg=lib',
    'torch[cuda]==2.5.1  # pinned for the cluster',
    'Torch_Vision >=0.20,<0.21 ; python_version >= "3.10"',
    'transformers==4.44.0 \\',
    '    --hash=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    'numpy\\',
    '>=1.26',
    'safetensors',
    'git+https://github.com/huggingface/peft.git',
    './local/package',
    'https://download.pytorch.org/whl/cu121/torchaudio-2.5.1%2Bcu121-cp311-cp311-linux_x86_64.whl',
    'keras @ https://example.com/keras-3.5.0-py3-none-any.whl',
    'accelerate>=${ACCELERATE_VERSION}',
    '',
  ].join('\n');

  it('reads requirements, skipping options, URLs and comments', () => {
    assert.deepEqual(summary('requirements', text), [
      'torch | ==2.5.1 | [2.5.1, 2.5.1] | torch[cuda]==2.5.1',
      'torch-vision | >=0.20,<0.21 | [0.20, 0.21) | Torch_Vision >=0.20,<0.21',
      'transformers | ==4.44.0 | [4.44.0, 4.44.0] | transformers==4.44.0',
      'numpy | >=1.26 | [1.26, *) | numpy\\\n>=1.26',
      'safetensors |  | (*, *) | safetensors',
      'torchaudio | https://download.pytorch.org/whl/cu121/torchaudio-2.5.1%2Bcu121-cp311-cp311-linux_x86_64.whl | [2.5.1, 2.5.1] | https://download.pytorch.org/whl/cu121/torchaudio-2.5.1%2Bcu121-cp311-cp311-linux_x86_64.whl',
      'keras | @ https://example.com/keras-3.5.0-py3-none-any.whl | [3.5.0, 3.5.0] | keras @ https://example.com/keras-3.5.0-py3-none-any.whl',
      'accelerate | >=${ACCELERATE_VERSION} | (*, *) | accelerate>=${ACCELERATE_VERSION}',
    ]);
  });

  it('gives exact LSP ranges, across continuations too', () => {
    assert.deepEqual(find('requirements', text, 'torch').range, r(6, 0, 6, 18));
    assert.deepEqual(find('requirements', text, 'torch-vision').range, r(7, 0, 7, 25));
    assert.deepEqual(find('requirements', text, 'numpy').range, r(10, 0, 11, 6));
    assert.equal(find('requirements', text, 'torch').uri, URI);
  });

  it('handles CRLF line endings', () => {
    const crlf = 'numpy==1.26.4\r\ntorch>=2.6.0 \\\r\n  ; sys_platform == "linux"\r\n';
    assert.deepEqual(find('requirements', crlf, 'torch').range, r(1, 0, 1, 12));
    assert.deepEqual(bounds(find('requirements', crlf, 'torch')), '[2.6.0, *)');
  });

  it('reports unreadable lines and bad specifiers as problems, keeping the rest', () => {
    const facts = parseRequirementsFacts('requirements', 'torch==two\n[broken\nnumpy==1.26\n', URI);
    assert.deepEqual(facts.requirements.map((c) => `${c.name} ${bounds(c)}`), ['torch (*, *)', 'numpy [1.26, 1.26]']);
    assert.equal(facts.problems.length, 2);
    assert.deepEqual(facts.problems[0].range, r(0, 0, 0, 10));
    assert.deepEqual(facts.problems[1].range, r(1, 0, 1, 7));
  });

  it('treats a comment line as the end of a continuation, like pip', () => {
    assert.deepEqual(summary('requirements', 'torch==2.5.1 \\\n# note\nnumpy\n'), [
      'torch | ==2.5.1 | [2.5.1, 2.5.1] | torch==2.5.1',
      'numpy |  | (*, *) | numpy',
    ]);
  });
});

describe('pyproject.toml', () => {
  const pep621 = `[build-system]
requires = ["setuptools>=68", "wheel"]

[project]
name = "trainer"
dependencies = [
    "torch>=2.4,<2.6",  # CUDA 12.1 wheels
    'transformers==4.44.0',
    "numpy",
    "safetensors ; python_version >= '3.10'",
]

[project.optional-dependencies]
serve = ["torch==2.5.1", "vllm>=0.6"]
dev = [
  "pytest",
]

[dependency-groups]
test = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff"]

[tool.uv]
constraint-dependencies = ["torch<2.6"]
`;

  it('reads PEP 621, PEP 735 and uv lists with exact ranges', () => {
    assert.deepEqual(summary('pyproject', pep621), [
      'torch | >=2.4,<2.6 | [2.4, 2.6) | torch>=2.4,<2.6',
      'transformers | ==4.44.0 | [4.44.0, 4.44.0] | transformers==4.44.0',
      'numpy |  | (*, *) | numpy',
      'safetensors |  | (*, *) | safetensors',
      'torch | ==2.5.1 | [2.5.1, 2.5.1] | torch==2.5.1',
      'vllm | >=0.6 | [0.6, *) | vllm>=0.6',
      'pytest |  | (*, *) | pytest',
      'pytest | >=8 | [8, *) | pytest>=8',
      'ruff |  | (*, *) | ruff',
      'torch | <2.6 | (*, 2.6) | torch<2.6',
    ]);
    const facts = parseRequirementsFacts('pyproject', pep621, URI);
    assert.deepEqual(facts.requirements[0].range, r(6, 5, 6, 20));
    assert.deepEqual(facts.requirements[4].range, r(13, 10, 13, 22));
    assert.deepEqual(facts.problems, []);
  });

  const poetry = `[tool.poetry]
name = "svc"

[tool.poetry.dependencies]
python = "^3.10"
torch = "^2.5"
"Transformers" = { version = "~4.44", extras = ["torch"] }
peft = { git = "https://github.com/huggingface/peft.git" }
numpy = [
    { version = "^1.26", python = "<3.13" },
    { version = "^2.0", python = ">=3.13" },
]
accelerate = "*"

[tool.poetry.group.gpu.dependencies]
keras = "3.4.1"

[tool.poetry.dependencies.safetensors]
version = ">=0.4 <0.5"
`;

  it('reads Poetry tables: strings, inline tables, multiple constraints, sub-tables, groups', () => {
    assert.deepEqual(summary('pyproject', poetry), [
      'torch | ^2.5 | [2.5, 3) | ^2.5',
      'transformers | ~4.44 | [4.44, 4.45) | ~4.44',
      'numpy | ^1.26 | [1.26, 2) | ^1.26',
      'numpy | ^2.0 | [2.0, 3) | ^2.0',
      'accelerate | * | (*, *) | *',
      'safetensors | >=0.4 <0.5 | [0.4, 0.5) | >=0.4 <0.5',
      'keras | 3.4.1 | [3.4.1, 3.4.1] | 3.4.1',
    ]);
    assert.deepEqual(find('pyproject', poetry, 'torch').range, r(5, 9, 5, 13));
    assert.deepEqual(find('pyproject', poetry, 'transformers').range, r(6, 30, 6, 35));
  });

  it('locates the right literal when the same text appears twice', () => {
    const text = '[project]\ndependencies = ["torch==2.5.1"]\n[project.optional-dependencies]\ncpu = ["torch==2.5.1"]\n';
    const [a, b] = parseRequirementsFacts('pyproject', text, URI).requirements;
    assert.deepEqual(a.range, r(1, 17, 1, 29));
    assert.deepEqual(b.range, r(3, 8, 3, 20));
  });

  it('falls back to the whole literal when escapes make offsets ambiguous', () => {
    const text = '[project]\ndependencies = ["torch\\u003e=2.6"]\n';
    const [c] = parseRequirementsFacts('pyproject', text, URI).requirements;
    assert.equal(c.specifier, '>=2.6');
    assert.deepEqual(c.range, r(1, 16, 1, 33));
  });

  it('reports invalid TOML and still reads what it can', () => {
    const broken = `[project]
dependencies = [
    "torch==2.5.1",
    "numpy>=1.26"
    "oops"
]
name = = "x"
`;
    const facts = parseRequirementsFacts('pyproject', broken, URI);
    assert.equal(facts.problems.length, 1);
    assert.match(facts.problems[0].message, /^Invalid TOML/);
    assert.equal(facts.problems[0].range.start.line, 4);
    assert.deepEqual(facts.requirements.map((c) => c.name), ['torch', 'numpy']);
    assert.deepEqual(facts.requirements[0].range, r(2, 5, 2, 17));
  });
});

describe('setup.cfg', () => {
  const text = `[metadata]
name = trainer

[options]
packages = find:
install_requires =
    torch>=2.4,<2.6  # GPU nodes
    numpy
    ; a comment line
    safetensors; python_version >= "3.10"
python_requires = >=3.9

[options.extras_require]
serve = vllm>=0.6
dev =
    pytest
    Keras==3.5.0

[tool:pytest]
addopts = -q
`;

  it('reads install_requires and extras_require with exact ranges', () => {
    assert.deepEqual(summary('setup-cfg', text), [
      'torch | >=2.4,<2.6 | [2.4, 2.6) | torch>=2.4,<2.6',
      'numpy |  | (*, *) | numpy',
      'safetensors |  | (*, *) | safetensors',
      'vllm | >=0.6 | [0.6, *) | vllm>=0.6',
      'pytest |  | (*, *) | pytest',
      'keras | ==3.5.0 | [3.5.0, 3.5.0] | Keras==3.5.0',
    ]);
    assert.deepEqual(find('setup-cfg', text, 'torch').range, r(6, 4, 6, 19));
    assert.deepEqual(find('setup-cfg', text, 'vllm').range, r(13, 8, 13, 17));
  });
});

describe('environment.yml', () => {
  const text = `name: train
channels:
  - pytorch
  - nvidia
  - conda-forge
dependencies:
  - python=3.11
  - pytorch=2.5.1
  - "pytorch-cuda==12.1"
  - conda-forge::numpy >=1.26,<2
  - torchvision==0.20.1=py311_cu121
  - pip
  - pip:
      - -r requirements.txt
      - transformers==4.44.0  # tokenizers pinned below
      - 'keras>=3.8'
      - git+https://github.com/org/lib.git
`;

  it('reads conda specs (pytorch → torch) and the pip list', () => {
    assert.deepEqual(summary('conda-env', text), [
      'python | =3.11 | [3.11, 3.12) | python=3.11',
      'torch | =2.5.1 | [2.5.1, 2.5.2) | pytorch=2.5.1',
      'pytorch-cuda | ==12.1 | [12.1, 12.1] | pytorch-cuda==12.1',
      'numpy | >=1.26,<2 | [1.26, 2) | conda-forge::numpy >=1.26,<2',
      'torchvision | ==0.20.1 | [0.20.1, 0.20.1] | torchvision==0.20.1=py311_cu121',
      'pip |  | (*, *) | pip',
      'transformers | ==4.44.0 | [4.44.0, 4.44.0] | transformers==4.44.0',
      'keras | >=3.8 | [3.8, *) | keras>=3.8',
    ]);
    assert.deepEqual(find('conda-env', text, 'torch').range, r(7, 4, 7, 17));
    assert.deepEqual(find('conda-env', text, 'keras').range, r(15, 9, 15, 19));
  });

  it('reads conda match specs', () => {
    const spec = parseCondaMatchSpec('pytorch==2.5.1=py3.11_cuda12.1_cudnn9.1.0_0')!;
    assert.equal(spec.version, '==2.5.1');
    assert.equal(spec.pep440, '==2.5.1');
    assert.equal(parseCondaMatchSpec('numpy 1.26.*')!.pep440, '==1.26.*');
    assert.equal(parseCondaMatchSpec('numpy 1.26.4 py311h_0')!.pep440, '==1.26.4');
    assert.equal(parseCondaMatchSpec('numpy >=1.26|<1.20')!.pep440, '>=1.26||<1.20');
    assert.equal(parseCondaMatchSpec("pytorch[version='>=2.6']")!.pep440, '>=2.6');
    assert.equal(parseCondaMatchSpec('pytorch=2.5*')!.pep440, '==2.5.*');
  });

  it('reports invalid YAML and keeps what was read', () => {
    const broken = 'dependencies:\n  - pytorch=2.5.1\n  - {bad\n';
    const facts = parseRequirementsFacts('conda-env', broken, URI);
    assert.ok(facts.problems.length >= 1);
    assert.match(facts.problems[0].message, /^Invalid YAML/);
    assert.deepEqual(facts.requirements.map((c) => c.name), ['torch']);
  });
});

describe('Dockerfile pip installs', () => {
  const text = `# syntax=docker/dockerfile:1
FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04
ARG TORCH_VERSION=2.5.1
ARG KERAS_VERSION
RUN apt-get update && apt-get install -y python3-pip \\
 && pip3 install --no-cache-dir \\
      "torch==\${TORCH_VERSION}" \\
      'transformers>=4.44,<5' \\
    # vision extras
      torchvision==0.20.1 \\
 && rm -rf /var/lib/apt/lists/*
RUN python3 -m pip install -r requirements.txt --index-url https://download.pytorch.org/whl/cu121 safetensors
RUN --mount=type=cache,target=/root/.cache uv pip install --system "numpy>=1.26" keras==\${KERAS_VERSION}
RUN ["pip", "install", "accelerate==0.34.2"]
RUN pip install vllm==0.6.3 > /dev/null 2>&1; echo torch==9.9 && pip install -e . && conda install -y -c pytorch pytorch=2.4.0
RUN <<EOF
pip install peft==0.12.0
EOF
CMD ["python3", "serve.py"]
`;

  it('finds specs in shell and exec forms, across continuations and chains', () => {
    assert.deepEqual(summary('dockerfile', text), [
      'torch | ==2.5.1 | [2.5.1, 2.5.1] | torch==${TORCH_VERSION}',
      'transformers | >=4.44,<5 | [4.44, 5) | transformers>=4.44,<5',
      'torchvision | ==0.20.1 | [0.20.1, 0.20.1] | torchvision==0.20.1',
      'safetensors |  | (*, *) | safetensors',
      'numpy | >=1.26 | [1.26, *) | numpy>=1.26',
      'keras | ==${KERAS_VERSION} | (*, *) | keras==${KERAS_VERSION}',
      'accelerate | ==0.34.2 | [0.34.2, 0.34.2] | accelerate==0.34.2',
      'vllm | ==0.6.3 | [0.6.3, 0.6.3] | vllm==0.6.3',
      'torch | =2.4.0 | [2.4.0, 2.4.1) | pytorch=2.4.0',
      'peft | ==0.12.0 | [0.12.0, 0.12.0] | peft==0.12.0',
    ]);
    const facts = parseRequirementsFacts('dockerfile', text, URI);
    assert.deepEqual(facts.problems, []);
    assert.deepEqual(facts.requirements[0].range, r(6, 7, 6, 30));
    assert.equal(facts.requirements[0].specifier, '==2.5.1');
    assert.deepEqual(facts.requirements[1].range, r(7, 7, 7, 28));
    assert.deepEqual(facts.requirements[2].range, r(9, 6, 9, 25));
    assert.deepEqual(facts.requirements[6].range, r(13, 24, 13, 42));
  });

  it('lexes shell words with offsets', () => {
    const commands = splitShellCommands(`pip install "a==1" b\\\n  c && X=1 d 'e f' 2>&1 | g # h`);
    assert.deepEqual(commands.map((c) => c.map((w) => w.value)), [['pip', 'install', 'a==1', 'b', 'c'], ['X=1', 'd', 'e f', '>&', '1'], ['g']]);
    const quoted = commands[0][2];
    assert.deepEqual([quoted.start, quoted.end, quoted.verbatimStart], [12, 18, 13]);
  });
});

describe('malformed input', () => {
  it('never throws, and reports binary or huge files', () => {
    const binary = 'PK\u0003\u0004\u0000\u0000torch==2.5.1\u0000\uFFFD';
    for (const kind of ['requirements', 'pyproject', 'setup-cfg', 'conda-env', 'dockerfile'] as InputKind[]) {
      const facts = parseRequirementsFacts(kind, binary, URI);
      assert.deepEqual(facts.requirements, [], kind);
      assert.equal(facts.problems.length, 1, kind);
    }
    const huge = parseRequirementsFacts('requirements', 'x'.repeat(5 * 1024 * 1024), URI);
    assert.equal(huge.problems.length, 1);
  });

  it('survives random junk in every format', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = 'torch=<>~^*.,;:[]{}()"\'\\#@$- \n\t\r0123456789abcpip install RUN ENV';
    for (let round = 0; round < 150; round++) {
      let junk = '';
      const length = Math.floor(random() * 400);
      for (let i = 0; i < length; i++) junk += alphabet[Math.floor(random() * alphabet.length)];
      for (const kind of ['requirements', 'pyproject', 'setup-cfg', 'conda-env', 'dockerfile', 'python'] as InputKind[]) {
        const facts = parseRequirementsFacts(kind, junk, URI);
        assert.ok(Array.isArray(facts.requirements) && Array.isArray(facts.problems));
      }
    }
  });

  it('returns empty facts for Python and notebooks', () => {
    assert.deepEqual(parseRequirementsFacts('python', 'import torch\n', URI), { requirements: [], problems: [] });
    assert.deepEqual(parseRequirementsFacts('notebook', '{}', URI), { requirements: [], problems: [] });
  });

  it('does not hang on pathological nesting', () => {
    const started = Date.now();
    parseRequirementsFacts('pyproject', `[project]\ndependencies = ${'['.repeat(50_000)}`, URI);
    parseRequirementsFacts('conda-env', `dependencies: ${'['.repeat(2_000)}`, URI);
    parseRequirementsFacts('requirements', `torch${' '.repeat(100_000)}x`, URI);
    assert.ok(Date.now() - started < 5000);
  });
});
