import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPythonFacts, type CallFact, type PythonFacts } from '../../server/src/languages/python/facts';
import { ParseCache } from '../../server/src/languages/python/parse-cache';
import type { PyValue } from '../../server/src/languages/python/values';
import { initParsers } from '../../server/src/languages/tree-sitter';

/**
 * Unit tests of the Python front-end (facts.ts / values.ts): what callees resolve to, what
 * argument values are known to be, and that pathological input stays bounded.
 * Keep tests grouped in one `describe` per topic; other topics may be appended below.
 */

before(() => initParsers());

/** Build facts for `source`, run `fn`, and always release the tree. */
function withFacts<T>(source: string, fn: (facts: PythonFacts) => T): T {
  const facts = buildPythonFacts(source);
  try {
    return fn(facts);
  } finally {
    facts.dispose();
  }
}

/** Qualified names of all calls, in document order (unresolved callees as `?calleeText`). */
function qnames(source: string): string[] {
  return withFacts(source, (f) => f.calls.map((c) => c.qname ?? `?${c.calleeText}`));
}

/** The calls that resolve to `qname`. */
function callsTo(facts: PythonFacts, qname: string): CallFact[] {
  return facts.calls.filter((c) => c.qname === qname);
}

/** The single call to `qname` in `source`. */
function onlyCall<T>(source: string, qname: string, fn: (call: CallFact, facts: PythonFacts) => T): T {
  return withFacts(source, (f) => {
    const calls = callsTo(f, qname);
    assert.equal(calls.length, 1, `expected exactly one call to ${qname}, got ${calls.length} (${f.calls.map((c) => c.qname ?? c.calleeText).join(', ')})`);
    return fn(calls[0], f);
  });
}

/** The value of keyword `kw` on the single call to `qname`. */
function kwValue(source: string, qname: string, kw: string): PyValue | undefined {
  return onlyCall(source, qname, (c) => c.keywords.get(kw)?.value);
}

/** Compact form of a value for assertions: `bool:true`, `string:x`, `unknown`, … */
function show(v: PyValue | undefined): string {
  if (!v) return 'absent';
  switch (v.kind) {
    case 'bool':
    case 'number':
    case 'string':
      return `${v.kind}:${String(v.value)}`;
    case 'qname':
      return `qname:${v.qname}`;
    case 'call':
      return `call:${v.callee}`;
    default:
      return v.kind;
  }
}

describe('python facts: import aliases', () => {
  test('import x as y, from x import y, from x import y as z', () => {
    const src = [
      'import torch as T',
      'import numpy as np',
      'import joblib as jl',
      'from torch import load',
      'from torch.serialization import load as L',
      'from pickle import loads',
      'from pickle import loads as unpickle',
      'T.load(p)',
      'np.load(p)',
      'jl.load(p)',
      'load(p)',
      'L(p)',
      'loads(b)',
      'unpickle(b)',
    ].join('\n');
    assert.deepEqual(qnames(src), ['torch.load', 'numpy.load', 'joblib.load', 'torch.load', 'torch.serialization.load', 'pickle.loads', 'pickle.loads']);
  });

  test('dotted imports bind the first name; attribute chains spell the rest', () => {
    const src = 'import torch.serialization\nimport torch.distributed as dist\ntorch.serialization.load(p)\ntorch.load(p)\ndist.all_gather_object(out, obj)\n';
    assert.deepEqual(qnames(src), ['torch.serialization.load', 'torch.load', 'torch.distributed.all_gather_object']);
  });

  test('module aliases inside functions and the import of a submodule as a name', () => {
    const src = [
      'from torch import hub',
      'from torch.utils import model_zoo as zoo',
      'def f():',
      '    return hub.load("a/b", "m"), zoo.load_url(u)',
    ].join('\n');
    assert.deepEqual(qnames(src), ['torch.hub.load', 'torch.utils.model_zoo.load_url']);
  });

  test('relative imports and local definitions are project code, not libraries', () => {
    const src = [
      'import torch',
      'from .registry import load',
      'def save(x):',
      '    return x',
      'load(p)',
      'save(p)',
      'print(p)',
    ].join('\n');
    assert.deepEqual(qnames(src), ['?load', '?save', 'print']);
  });

  test('a local function shadowing an import inside a function', () => {
    const src = ['from torch import load', 'def read(p):', '    def load(q):', '        return open(q)', '    return load(p)', 'load(x)'].join('\n');
    assert.deepEqual(qnames(src), ['open', '?load', 'torch.load']);
  });

  test('instances of imported classes give method calls a qualified receiver', () => {
    const src = 'from torch.package import PackageImporter\nimp = PackageImporter(path)\nimp.load_pickle("model", "model.pkl")\n';
    withFacts(src, (f) => {
      const call = f.calls.find((c) => c.methodName === 'load_pickle');
      assert.equal(call?.qname, 'torch.package.PackageImporter.load_pickle');
      assert.deepEqual(call?.receiverTypes, ['torch.package.PackageImporter']);
    });
  });
});

describe('python facts: __import__ and importlib', () => {
  test('torch = __import__("torch") resolves like an import', () => {
    assert.deepEqual(qnames('torch = __import__("torch")\ntorch.load(p)\n'), ['__import__', 'torch.load']);
  });

  test('in a function scope, and through importlib.import_module', () => {
    const src = [
      'import importlib',
      'def lazy(p):',
      '    torch = __import__("torch")',
      '    np = importlib.import_module("numpy")',
      '    return torch.load(p), np.load(p)',
    ].join('\n');
    assert.deepEqual(qnames(src).filter((q) => !q.startsWith('__') && !q.startsWith('importlib')), ['torch.load', 'numpy.load']);
  });

  test('a module name that is not a literal stays unresolved', () => {
    const src = 'def lazy(name, p):\n    mod = __import__(name)\n    return mod.load(p)\n';
    assert.deepEqual(qnames(src), ['__import__', '?mod.load']);
  });
});

describe('python facts: argparse defaults', () => {
  const parser = [
    'import argparse',
    'import torch',
    'parser = argparse.ArgumentParser()',
    'parser.add_argument("--full-pickle", action="store_true")',
    'parser.add_argument("--no-weights-only", dest="weights_only", action="store_false")',
    'parser.add_argument("--strict", type=int, default=0)',
    'parser.add_argument("--mode", default="github")',
    'parser.add_argument("--plain")',
    'parser.add_argument("--toggle", action=argparse.BooleanOptionalAction)',
    'parser.add_argument("--dup", default=True)',
    'parser.add_argument("--dup", default=False)',
  ].join('\n');

  const cases: [string, string][] = [
    ['args.full_pickle', 'bool:false'],
    ['not args.full_pickle', 'bool:true'],
    ['args.weights_only', 'bool:true'],
    ['args.strict', 'number:0'],
    ['args.mode', 'string:github'],
    ['args.plain', 'none'],
    ['args.toggle', 'unknown'],
    ['args.dup', 'unknown'],
    ['args.undefined_option', 'unknown'],
  ];
  for (const [expr, expected] of cases) {
    test(`args = parser.parse_args(): ${expr} → ${expected}`, () => {
      const src = `${parser}\nargs = parser.parse_args()\ntorch.load(p, weights_only=${expr})\n`;
      assert.equal(show(kwValue(src, 'torch.load', 'weights_only')), expected);
    });
  }

  test('the origin names the option', () => {
    const src = `${parser}\nargs = parser.parse_args()\ntorch.load(p, weights_only=args.full_pickle)\n`;
    const v = kwValue(src, 'torch.load', 'weights_only');
    assert.equal(v?.origin?.kind, 'argparse-default');
    assert.equal(v?.origin?.name, '--full-pickle');
  });

  test('args returned by the file\'s own parse_args() function', () => {
    const src = [
      'import argparse',
      'import torch',
      'def parse_args():',
      '    p = argparse.ArgumentParser()',
      '    p.add_argument("--unsafe", action="store_true")',
      '    return p.parse_args()',
      'def main():',
      '    args = parse_args()',
      '    return torch.load(x, weights_only=not args.unsafe)',
    ].join('\n');
    assert.equal(show(kwValue(src, 'torch.load', 'weights_only')), 'bool:true');
  });

  test('args as an undefaulted parameter of a conventional name, and parse_known_args', () => {
    const viaParam = `${parser}\ndef run(args):\n    return torch.load(p, weights_only=args.weights_only)\n`;
    assert.equal(show(kwValue(viaParam, 'torch.load', 'weights_only')), 'bool:true');
    const known = `${parser}\nopts, _ = parser.parse_known_args()\ntorch.load(p, weights_only=opts.full_pickle)\n`;
    // Tuple unpacking of parse_known_args is not traced: unknown rather than guessed.
    assert.equal(show(kwValue(known, 'torch.load', 'weights_only')), 'unknown');
  });

  test('an unrelated object named args is not read as argparse', () => {
    const src = `${parser}\ndef run(cfg_loader):\n    args = cfg_loader()\n    return torch.load(p, weights_only=args.full_pickle)\n`;
    assert.equal(show(kwValue(src, 'torch.load', 'weights_only')), 'unknown');
  });
});

describe('python facts: parameter defaults', () => {
  test('a default is the value, with its origin', () => {
    const src = 'import numpy as np\ndef f(p, allow_pickle=True):\n    return np.load(p, allow_pickle=allow_pickle)\n';
    const v = kwValue(src, 'numpy.load', 'allow_pickle');
    assert.equal(show(v), 'bool:true');
    assert.equal(v?.origin?.kind, 'parameter-default');
    assert.equal(v?.origin?.name, 'allow_pickle');
  });

  test('typed defaults, keyword-only defaults and defaults naming module constants', () => {
    const src = [
      'import torch',
      'SAFE = True',
      'def a(p, weights_only: bool = False):',
      '    return torch.load(p, weights_only=weights_only)',
      'def b(p, *, weights_only=SAFE):',
      '    return torch.load(p, weights_only=weights_only)',
    ].join('\n');
    withFacts(src, (f) => {
      assert.deepEqual(callsTo(f, 'torch.load').map((c) => show(c.keywords.get('weights_only')?.value)), ['bool:false', 'bool:true']);
    });
  });

  test('no default, *args/**kwargs, or a reassignment in the body → unknown', () => {
    const src = [
      'import torch',
      'def a(p, weights_only):',
      '    return torch.load(p, weights_only=weights_only)',
      'def b(p, weights_only=True):',
      '    if p.endswith(".ckpt"):',
      '        weights_only = False',
      '    return torch.load(p, weights_only=weights_only)',
      'def c(p, *weights_only):',
      '    return torch.load(p, weights_only=weights_only)',
    ].join('\n');
    withFacts(src, (f) => {
      assert.deepEqual(callsTo(f, 'torch.load').map((c) => show(c.keywords.get('weights_only')?.value)), ['unknown', 'unknown', 'unknown']);
    });
  });

  test('a default is evaluated in the enclosing scope, not the function body', () => {
    const src = ['import torch', 'FLAG = True', 'def f(p, weights_only=FLAG):', '    FLAG = False', '    return torch.load(p, weights_only=weights_only)'].join('\n');
    assert.equal(show(kwValue(src, 'torch.load', 'weights_only')), 'bool:true');
  });
});

describe('python facts: keyword dicts', () => {
  test('**{...} literal', () => {
    onlyCall('import torch\ntorch.load(p, **{"weights_only": True, "map_location": "cpu"})\n', 'torch.load', (c) => {
      assert.equal(show(c.keywords.get('weights_only')?.value), 'bool:true');
      assert.equal(c.keywords.get('weights_only')?.fromSplat, true);
      assert.equal(c.keywords.get('weights_only')?.value.origin?.kind, 'keyword-dict');
      assert.equal(c.hasOpaqueSplat, false);
    });
  });

  test('**dict(...) call and a module-level LOAD_KW = dict(...)', () => {
    const src = 'import torch\nLOAD_KW = dict(weights_only=False, map_location="cpu")\ntorch.load(p, **dict(weights_only=True))\ntorch.load(p, **LOAD_KW)\n';
    withFacts(src, (f) => {
      const [a, b] = callsTo(f, 'torch.load');
      assert.equal(show(a.keywords.get('weights_only')?.value), 'bool:true');
      assert.equal(show(b.keywords.get('weights_only')?.value), 'bool:false');
      assert.equal(show(b.keywords.get('map_location')?.value), 'string:cpu');
      assert.equal(b.hasOpaqueSplat, false);
    });
  });

  test('a function-level dict constant, and nested splats inside the dict', () => {
    const src = [
      'import numpy as np',
      'BASE = {"mmap_mode": "r"}',
      'def f(p):',
      '    kw = {**BASE, "allow_pickle": True}',
      '    return np.load(p, **kw)',
    ].join('\n');
    onlyCall(src, 'numpy.load', (c) => {
      assert.equal(show(c.keywords.get('allow_pickle')?.value), 'bool:true');
      assert.equal(show(c.keywords.get('mmap_mode')?.value), 'string:r');
      assert.equal(c.hasOpaqueSplat, false);
    });
  });

  test('an explicit keyword wins over the same key in a splat', () => {
    onlyCall('import torch\ntorch.load(p, weights_only=True, **{"weights_only": False})\n', 'torch.load', (c) => {
      assert.equal(show(c.keywords.get('weights_only')?.value), 'bool:true');
      assert.notEqual(c.keywords.get('weights_only')?.fromSplat, true);
    });
  });

  test('**kwargs, *args and a dict with unknown parts are opaque', () => {
    const src = [
      'import torch',
      'def f(p, *args, **kwargs):',
      '    torch.load(p, **kwargs)',
      '    torch.load(p, *args)',
      '    torch.load(p, **{**kwargs, "weights_only": True})',
    ].join('\n');
    withFacts(src, (f) => {
      const calls = callsTo(f, 'torch.load');
      assert.deepEqual(calls.map((c) => c.hasOpaqueSplat), [true, true, true]);
      assert.equal(show(calls[2].keywords.get('weights_only')?.value), 'bool:true');
    });
  });
});

describe('python facts: reaching definitions', () => {
  test('one assignment → its value; two different assignments → unknown', () => {
    const src = [
      'import torch',
      'ONE = False',
      'TWO = True',
      'if debug:',
      '    TWO = False',
      'torch.load(p, weights_only=ONE)',
      'torch.load(p, weights_only=TWO)',
    ].join('\n');
    withFacts(src, (f) => {
      const [a, b] = callsTo(f, 'torch.load');
      assert.equal(show(a.keywords.get('weights_only')?.value), 'bool:false');
      assert.equal(a.keywords.get('weights_only')?.value.origin?.kind, 'constant');
      assert.equal(a.keywords.get('weights_only')?.value.origin?.name, 'ONE');
      assert.equal(show(b.keywords.get('weights_only')?.value), 'unknown');
    });
  });

  test('the same value assigned twice is still known', () => {
    assert.equal(show(kwValue('import torch\nW = True\nW = True\ntorch.load(p, weights_only=W)\n', 'torch.load', 'weights_only')), 'bool:true');
  });

  test('augmented assignment, loop targets, walrus, tuple unpacking and global rebinding make a name unknown', () => {
    const src = [
      'import torch',
      'A = 1',
      'A += 1',
      'B = True',
      'for B in flags:',
      '    pass',
      'C = True',
      'if (C := compute()):',
      '    pass',
      'D = True',
      'D, E = compute()',
      'torch.load(p, weights_only=A)',
      'torch.load(p, weights_only=B)',
      'torch.load(p, weights_only=C)',
      'torch.load(p, weights_only=D)',
    ].join('\n');
    withFacts(src, (f) => {
      assert.deepEqual(callsTo(f, 'torch.load').map((c) => show(c.keywords.get('weights_only')?.value)), ['unknown', 'unknown', 'unknown', 'unknown']);
    });
  });

  test('a function-level assignment shadows the module constant', () => {
    const src = ['import torch', 'W = True', 'def f(p):', '    W = False', '    return torch.load(p, weights_only=W)', 'torch.load(p, weights_only=W)'].join('\n');
    withFacts(src, (f) => {
      assert.deepEqual(callsTo(f, 'torch.load').map((c) => show(c.keywords.get('weights_only')?.value)), ['bool:false', 'bool:true']);
    });
  });

  test('tuple assignment of literals, chained assignment and string concatenation', () => {
    const src = ['import torch', 'A, B = True, "x"', 'C = D = False', 'E = "owner/" + "repo"', 'torch.load(p, a=A, b=B, c=C, d=D, e=E)'].join('\n');
    onlyCall(src, 'torch.load', (c) => {
      assert.deepEqual(['a', 'b', 'c', 'd', 'e'].map((k) => show(c.keywords.get(k)?.value)), ['bool:true', 'string:x', 'bool:false', 'bool:false', 'string:owner/repo']);
    });
  });
});

describe('python facts: ranges in UTF-16 code units', () => {
  test('a line with é😀 before the call', () => {
    const line = 'x = "é😀"; ckpt = torch.load(p, weights_only=False)';
    onlyCall(`import torch\n${line}\n`, 'torch.load', (c) => {
      assert.equal(c.range.start.line, 1);
      assert.equal(c.range.start.character, line.indexOf('torch.load'));
      assert.equal(c.range.end.character, line.length);
      const wo = c.keywords.get('weights_only')!;
      assert.equal(wo.range.start.character, line.indexOf('False'));
      assert.equal(wo.itemRange.start.character, line.indexOf('weights_only'));
    });
  });

  test('astral characters in earlier lines and in string arguments', () => {
    const src = '# 😀😀😀 ünïcödé\nimport torch\nm = torch.load("😀/é.pt", map_location="cpu")\n';
    onlyCall(src, 'torch.load', (c, f) => {
      const line = src.split('\n')[2];
      assert.equal(c.range.start.character, line.indexOf('torch.load'));
      assert.equal(show(c.positional[0].value), 'string:😀/é.pt');
      assert.equal(c.keywords.get('map_location')?.range.start.character, line.indexOf('"cpu"'));
      // The insertion point of a fix is right after the last argument, in UTF-16 units.
      const edit = f.appendArgumentEdit(c, 'weights_only=True');
      assert.deepEqual(edit.range.start, { line: 2, character: line.lastIndexOf(')') });
    });
  });
});

describe('python facts: strings, comments and docstrings are never calls', () => {
  test('only real calls are reported', () => {
    const src = [
      '"""Module docstring: torch.load(path) and pickle.loads(data)."""',
      'import pickle',
      'import torch',
      '# torch.load(path, weights_only=False)',
      'HINT = "use torch.load(path, weights_only=True)"',
      "RAW = r'pickle.load(fh)'",
      'BYTES = b"torch.load(p)"',
      'MULTI = """',
      'torch.load(p)',
      '"""',
      'def f(p):',
      '    """torch.load(p) is not called here."""',
      '    return p  # pickle.load(p)',
      'class C:',
      '    """pickle.loads(x)"""',
    ].join('\n');
    assert.deepEqual(qnames(src), []);
  });

  test('an f-string interpolation is code and its call is found; the literal text is not', () => {
    const src = 'import torch\nmsg = f"torch.load(p) gives {torch.load(p, weights_only=True)}"\n';
    assert.deepEqual(qnames(src), ['torch.load']);
  });
});

describe('python facts: pathological input stays bounded', () => {
  test('10,000 nested parentheses', () => {
    const depth = 10_000;
    const src = `import torch\nx = ${'('.repeat(depth)}torch.load(p)${')'.repeat(depth)}\n`;
    const started = Date.now();
    withFacts(src, (f) => {
      assert.deepEqual(f.calls.map((c) => c.qname), ['torch.load']);
    });
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });

  test('10,000 nested calls and a deeply nested expression as an argument value', () => {
    const depth = 10_000;
    const src = `import torch\ntorch.load(p, weights_only=${'not '.repeat(depth)}True)\ny = ${'f('.repeat(depth)}0${')'.repeat(depth)}\n`;
    const started = Date.now();
    withFacts(src, (f) => {
      const call = callsTo(f, 'torch.load')[0];
      assert.ok(call);
      // Evaluation depth is capped: a value this deep is unknown, never a wrong guess.
      assert.equal(show(call.keywords.get('weights_only')?.value), 'unknown');
    });
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  });

  test('a 5 MB file finishes or is cancelled within a bounded time, without crashing', () => {
    const block = [
      'def load_shard_N(path, weights_only=True):',
      '    """Load shard N (docstring mentions torch.load(path))."""',
      '    state = torch.load(path, map_location="cpu", weights_only=weights_only)  # comment',
      '    return {k: v for k, v in state.items() if k.startswith("model.")}',
      '',
      '',
    ].join('\n');
    const parts = ['import torch\n'];
    let size = parts[0].length;
    for (let i = 0; size < 5 * 1024 * 1024; i++) {
      const b = block.replace(/N/g, String(i));
      parts.push(b);
      size += b.length;
    }
    const src = parts.join('');
    const started = Date.now();
    try {
      withFacts(src, (f) => assert.ok(f.calls.length > 0));
    } catch (e) {
      // The front-end cancels a parse that takes too long instead of blocking the server.
      assert.match((e as Error).message, /cancelled/);
    }
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    // The parser is still usable afterwards.
    assert.deepEqual(qnames('import torch\ntorch.load(p)\n'), ['torch.load']);
  });

  test('broken syntax still yields the calls that parsed', () => {
    const src = 'import torch\ndef f(:\n    pass\nx = torch.load(p, weights_only=False)\ny = (\n';
    withFacts(src, (f) => {
      assert.equal(f.hasSyntaxErrors, true);
      assert.ok(f.calls.some((c) => c.qname === 'torch.load'));
    });
  });
});

describe('python facts: incremental re-parse through ParseCache', () => {
  /** Everything rules read from calls, in a comparable form. */
  function snapshot(f: PythonFacts) {
    return {
      calls: f.calls.map((c) => ({
        qname: c.qname,
        callee: c.calleeText,
        range: c.range,
        args: c.argumentsRange,
        positional: c.positional.map((a) => [show(a.value), a.range]),
        keywords: [...c.keywords.entries()].map(([k, a]) => [k, show(a.value), a.range, a.itemRange, !!a.fromSplat]),
        opaque: c.hasOpaqueSplat,
        withs: c.enclosingWith,
        fn: c.enclosingFunction,
      })),
      env: f.envAssignments.map((e) => [e.name, show(e.value), e.range]),
      attrs: f.attributeAssignments,
      errors: f.hasSyntaxErrors,
    };
  }

  const v1 = [
    'import os',
    'import torch',
    '',
    'CKPT = "runs/last.pt"',
    '',
    'def load(p, weights_only=True):',
    '    return torch.load(p, weights_only=weights_only)',
    '',
    'with torch.serialization.safe_globals([dict]):',
    '    state = torch.load(CKPT)',
    '',
  ].join('\n');

  const edits: [string, (t: string) => string][] = [
    ['flip a keyword', (t) => t.replace('weights_only=True)', 'weights_only=False)')],
    ['non-ASCII text before a call', (t) => t.replace('CKPT = "runs/last.pt"', 'CKPT = "runs/é😀.pt"  # naïve 😀')],
    ['insert a header line', (t) => `# ünïcödé 😀 header\n${t}`],
    ['add calls at the end', (t) => `${t}os.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "1"\nimport numpy as np\nnp.load(CKPT, allow_pickle=True)\n`],
    ['introduce a syntax error', (t) => t.replace('def load(p, weights_only=True):', 'def load(p, weights_only=True:')],
    ['repair it', (t) => t.replace('def load(p, weights_only=True:', 'def load(p, weights_only=True):')],
    ['delete a span in the middle', (t) => t.slice(0, 20) + t.slice(45)],
    ['replace everything', () => 'import pickle\npickle.loads(data)\n'],
  ];

  test('each edit gives the same facts as a fresh parse', () => {
    const cache = new ParseCache();
    try {
      let text = v1;
      withFacts(text, () => undefined);
      buildPythonFacts(text, { cache, key: 'file:///doc.py' }).dispose();
      for (const [what, edit] of edits) {
        text = edit(text);
        const incremental = buildPythonFacts(text, { cache, key: 'file:///doc.py' });
        try {
          const fresh = withFacts(text, snapshot);
          assert.deepEqual(snapshot(incremental), fresh, what);
        } finally {
          incremental.dispose();
        }
      }
    } finally {
      cache.clear();
    }
  });

  test('an unchanged text reuses the cached tree and gives the same facts', () => {
    const cache = new ParseCache();
    try {
      const a = buildPythonFacts(v1, { cache, key: 'k' });
      const first = snapshot(a);
      a.dispose();
      const b = buildPythonFacts(v1, { cache, key: 'k' });
      assert.deepEqual(snapshot(b), first);
      b.dispose();
      assert.deepEqual(first.calls.find((c) => c.range.start.line === 9)?.withs, ['torch.serialization.safe_globals']);
    } finally {
      cache.clear();
    }
  });
});
