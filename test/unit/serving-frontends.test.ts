import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Range } from '../../server/src/engine/types';
import type { Invocation, ServingFacts } from '../../server/src/invocations/types';
import { parseServingCommand } from '../../server/src/invocations/programs/index';
import { detectInputKind } from '../../server/src/languages/detect';
import { buildDockerfileFacts } from '../../server/src/languages/dockerfile/facts';
import { buildServingFacts } from '../../server/src/languages/serving';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { buildKubernetesFacts } from '../../server/src/languages/yaml/facts';
import { emptyWorkspace, type WorkspaceFacts } from '../../server/src/workspace/workspace-facts';

/**
 * The command-context front-ends (Dockerfile, shell, Kubernetes/compose YAML, Python subprocess):
 * the Invocations they produce, with exact ranges of every argument, the environment each command
 * sees, and the published ports and mounts of its container.
 */

before(() => initParsers());

function serving(name: string, text: string, workspace: WorkspaceFacts = emptyWorkspace): ServingFacts {
  const kind = detectInputKind(name, '', text);
  assert.ok(kind, `${name} has a kind`);
  return buildServingFacts(kind, { uri: `file:///p/${name}`, languageId: '', text }, workspace);
}

/** The text a range covers. */
function at(text: string, r: Range): string {
  const lines = text.split('\n');
  if (r.start.line === r.end.line) return lines[r.start.line].slice(r.start.character, r.end.character);
  return [lines[r.start.line].slice(r.start.character), ...lines.slice(r.start.line + 1, r.end.line), lines[r.end.line].slice(0, r.end.character)].join('\n');
}

function program(facts: ServingFacts, name: string): Invocation {
  const inv = facts.invocations.find((i) => i.program.value.endsWith(name));
  assert.ok(inv, `an invocation of ${name}: ${facts.invocations.map((i) => i.program.value).join(', ')}`);
  return inv;
}

function argv(inv: Invocation): string[] {
  return [inv.program.value, ...inv.args.map((a) => a.value)];
}

describe('Dockerfile front-end', () => {
  test('exec-form CMD over a continuation: values and ranges without the quotes', () => {
    const text = [
      'FROM nvcr.io/nvidia/tritonserver:24.08-py3',
      'CMD ["tritonserver", "--model-repository=/models", \\',
      '     "--model-control-mode=explicit", "--log-verbose", "1"]',
    ].join('\n');
    const inv = program(serving('Dockerfile', text), 'tritonserver');
    assert.deepEqual(argv(inv), ['tritonserver', '--model-repository=/models', '--model-control-mode=explicit', '--log-verbose', '1']);
    assert.equal(inv.context.source, 'dockerfile-cmd');
    assert.deepEqual(inv.program.range, { start: { line: 1, character: 6 }, end: { line: 1, character: 18 } });
    assert.deepEqual(inv.args[1].range, { start: { line: 2, character: 6 }, end: { line: 2, character: 35 } });
    for (const a of [inv.program, ...inv.args]) assert.equal(at(text, a.range), a.value);
    const cmd = parseServingCommand(inv)!;
    assert.equal(cmd.value('model-control-mode'), 'explicit');
    assert.equal(at(text, cmd.flag('model-control-mode')!.valueRange!), 'explicit');
    assert.equal(cmd.value('log-verbose'), '1');
  });

  test('JSON escapes: the value is decoded, the range still covers it', () => {
    const text = 'FROM python:3.11\nCMD ["sh", "-c", "tritonserver --model-repository=\\"/models\\" --model-control-mode=poll"]';
    const facts = serving('Dockerfile', text);
    const inv = program(facts, 'tritonserver');
    assert.deepEqual(argv(inv), ['tritonserver', '--model-repository=/models', '--model-control-mode=poll']);
    assert.equal(at(text, inv.args[1].range), '--model-control-mode=poll');
    assert.equal(at(text, inv.args[0].range), '--model-repository=\\"/models\\"');
  });

  test('FROM ${BASE} with nested ARG defaults; stages, aliases and COPY --from', () => {
    const text = [
      'ARG TRITON_VERSION=24.08',
      'ARG BASE=nvcr.io/nvidia/tritonserver:${TRITON_VERSION}-py3',
      'FROM python:3.11-slim AS builder',
      'RUN pip wheel -w /wheels .',
      'FROM ubuntu:22.04 AS docs',
      'FROM ${BASE} AS serve',
      'COPY --from=builder /wheels /wheels',
      'FROM serve AS final',
      'USER triton-server',
    ].join('\n');
    const df = buildDockerfileFacts(text);
    assert.equal(df.stages.length, 4);
    const serve = df.stages[2];
    assert.equal(serve.name, 'serve');
    assert.equal(serve.from.image, 'nvcr.io/nvidia/tritonserver:24.08-py3');
    assert.equal(serve.from.ref?.tag, '24.08-py3');
    assert.equal(serve.from.viaArg?.name, 'BASE');
    assert.equal(at(text, serve.from.viaArg!.valueRange), 'nvcr.io/nvidia/tritonserver:${TRITON_VERSION}-py3');
    assert.equal(at(text, serve.from.range), '${BASE}');
    assert.equal(df.stages[3].from.stage, 2, 'FROM serve refers to the stage');
    assert.equal(df.finalStage?.name, 'final');
    assert.deepEqual(df.stagesInFinalImage().map((s) => s.name), ['builder', 'serve', 'final'], 'docs never reaches the final image');
    assert.equal(serve.copies[0].from?.stage, 0);
  });

  test('ENV in both forms and several per line, ARG scoping, USER, EXPOSE, comment lines inside continuations', () => {
    const text = [
      'FROM python:3.11-slim',
      'ARG MODEL_DIR=/models',
      'ENV A=b C="d e" \\',
      '    F=${MODEL_DIR}/x',
      'ENV LEGACY some value here',
      'USER ${APP_USER:-1000}',
      'EXPOSE 8000 8001/tcp',
      'RUN pip install x && \\',
      '    # a comment Docker drops',
      '    hf download org/model --local-dir ${MODEL_DIR}',
    ].join('\n');
    const df = buildDockerfileFacts(text);
    const stage = df.stages[0];
    assert.deepEqual(stage.env.map((e) => [e.name, e.value]), [['A', 'b'], ['C', 'd e'], ['F', '/models/x'], ['LEGACY', 'some value here']]);
    assert.equal(at(text, stage.env[1].valueRange!), 'd e');
    assert.equal(at(text, stage.env[2].nameRange!), 'F');
    assert.deepEqual(stage.users.map((u) => [u.value, u.resolved]), [['1000', true]]);
    assert.deepEqual(stage.expose.map((e) => [e.port, e.protocol]), [[8000, 'tcp'], [8001, 'tcp']]);
    const hf = program(serving('Dockerfile', text), 'hf');
    assert.deepEqual(argv(hf), ['hf', 'download', 'org/model', '--local-dir', '/models']);
    assert.deepEqual(hf.program.range, { start: { line: 9, character: 4 }, end: { line: 9, character: 6 } });
    assert.equal(at(text, hf.args[3].range), '${MODEL_DIR}', 'a substituted variable keeps the range of the reference');
    assert.ok(hf.env.some((e) => e.name === 'MODEL_DIR' && e.origin === 'dockerfile-arg'), 'ARGs are in the environment of RUN');
  });

  test('here-document RUN: a shell body is parsed as a script; `python3 <<EOF` is not', () => {
    const text = [
      'FROM python:3.11-slim',
      'RUN <<EOF',
      'set -e',
      'curl -L https://example.com/model.bin -o /models/model.bin',
      'EOF',
      'RUN python3 <<EOF',
      'import subprocess',
      'EOF',
    ].join('\n');
    const facts = serving('Dockerfile', text);
    const curl = program(facts, 'curl');
    assert.deepEqual(curl.program.range, { start: { line: 3, character: 0 }, end: { line: 3, character: 4 } });
    assert.ok(facts.invocations.some((i) => i.program.value === 'python3'));
    assert.ok(!facts.invocations.some((i) => i.program.value === 'import'), 'the Python body is not shell');
  });

  test('ENTRYPOINT and CMD combine; a stage inherits them; a CMD on a serving image runs its entrypoint', () => {
    const text = [
      'FROM vllm/vllm-openai:v0.6.3 AS base',
      'ENTRYPOINT ["python3", "-m", "vllm.entrypoints.openai.api_server"]',
      'CMD ["--model", "x"]',
      'FROM base AS final',
      'CMD ["--model", "org/llama", "--trust-remote-code"]',
    ].join('\n');
    const final = serving('Dockerfile', text).invocations.filter((i) => i.context.finalStage);
    assert.equal(final.length, 1);
    assert.deepEqual(argv(final[0]), ['python3', '-m', 'vllm.entrypoints.openai.api_server', '--model', 'org/llama', '--trust-remote-code']);
    const cmd = parseServingCommand(final[0])!;
    assert.equal(cmd.program, 'vllm');
    assert.equal(cmd.enabled('trust-remote-code'), true);

    const implied = serving('Dockerfile', 'FROM ghcr.io/huggingface/text-generation-inference:2.4.0\nENV HOSTNAME=127.0.0.1\nCMD ["--model-id", "bigscience/bloom-560m"]');
    const tgi = implied.invocations[0];
    assert.equal(tgi.implicitProgram, true);
    assert.equal(parseServingCommand(tgi)?.program, 'tgi');
    assert.equal(parseServingCommand(tgi)?.envValue('HOSTNAME'), '127.0.0.1');
    assert.deepEqual(tgi.context.publishedPorts, undefined);
  });
});

describe('shell front-end', () => {
  test('tritonserver inside bash -c "…": positions mapped into the outer string, escapes included', () => {
    const text = 'bash -c "tritonserver --model-repository=/models --model-control-mode=\'explicit\' --http-port=\\"8000\\""\n';
    const facts = serving('run.sh', text);
    const inv = program(facts, 'tritonserver');
    assert.deepEqual(argv(inv), ['tritonserver', '--model-repository=/models', '--model-control-mode=explicit', '--http-port=8000']);
    assert.equal(at(text, inv.program.range), 'tritonserver');
    assert.equal(at(text, inv.args[1].range), "--model-control-mode='explicit'");
    const cmd = parseServingCommand(inv)!;
    // The value's range skips the quotes and escapes around it.
    assert.equal(at(text, cmd.flag('model-control-mode')!.valueRange!), 'explicit');
    assert.equal(at(text, cmd.flag('http-port')!.valueRange!), '8000');
  });

  test('variables: exports, prefixes, ${VAR:-default}, command substitution stays unresolved', () => {
    const text = [
      '#!/bin/bash',
      'export HF_HOME=/cache/hf',
      'MODEL=${MODEL:-meta-llama/Llama-3.1-8B-Instruct}',
      'CUDA_VISIBLE_DEVICES=0 exec vllm serve "$MODEL" --port ${PORT:-8000} \\',
      '  --api-key "$(cat /run/secrets/key)"',
    ].join('\n');
    const inv = program(serving('serve.sh', text), 'vllm');
    assert.deepEqual(argv(inv).slice(0, 5), ['vllm', 'serve', 'meta-llama/Llama-3.1-8B-Instruct', '--port', '8000']);
    assert.equal(inv.args[1].resolved, true);
    assert.equal(at(text, inv.args[1].range), '$MODEL');
    assert.equal(inv.args[5].resolved, false, 'a command substitution is not resolved');
    assert.deepEqual(inv.env.map((e) => e.name).sort(), ['CUDA_VISIBLE_DEVICES', 'HF_HOME'], 'MODEL is not exported');
    assert.equal(at(text, inv.args[5].range), '$(cat /run/secrets/key)');
  });

  test('pipelines, substitutions and lists; an assignment line is not joined with the next command', () => {
    const text = 'A=1 B=2\ncurl -fsSL https://x.sh | sudo bash && echo "$(date)" || true\nbash <(curl -s https://y)\n';
    const facts = serving('setup.sh', text);
    const curl = facts.invocations.filter((i) => i.program.value === 'curl');
    assert.equal(curl.length, 2);
    assert.deepEqual(curl[0].pipeline && { index: curl[0].pipeline.index, length: curl[0].pipeline.length }, { index: 0, length: 2 });
    // `sudo bash` runs bash: wrappers are looked through.
    const sink = facts.invocations.find((i) => i.program.value === 'bash' && i.pipeline)!;
    assert.equal(sink.pipeline?.id, curl[0].pipeline?.id);
    assert.equal(sink.pipeline?.index, 1);
    assert.equal(curl[1].substitution, 'process');
    assert.equal(program(facts, 'date').substitution, 'command');
    assert.ok(!facts.invocations.some((i) => i.program.value === 'A=1'));
    assert.deepEqual(facts.environments[0].env.map((e) => [e.name, e.origin]), [['A', 'shell-assignment'], ['B', 'shell-assignment']]);
  });

  test('wrappers are looked through: env, nohup, sudo -u, tini --', () => {
    const facts = serving('start.sh', 'nohup env HF_HUB_OFFLINE=1 sudo -u svc /usr/bin/tini -- /opt/tritonserver/bin/tritonserver --model-repository=/m &\n');
    const inv = program(facts, 'tritonserver');
    assert.equal(inv.program.value, '/opt/tritonserver/bin/tritonserver');
    assert.ok(inv.env.some((e) => e.name === 'HF_HUB_OFFLINE' && e.value === '1'));
    assert.equal(parseServingCommand(inv)?.program, 'tritonserver');
  });
});

describe('Kubernetes and compose front-end', () => {
  const deployment = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: triton}',
    'spec:',
    '  template:',
    '    metadata:',
    '      labels: {app: triton}',
    '    spec:',
    '      securityContext: {runAsUser: 1000}',
    '      containers:',
    '        - name: triton',
    '          image: nvcr.io/nvidia/tritonserver:24.08-py3',
    '          args: [tritonserver, "--model-repository=$(REPO)", --model-control-mode=poll]',
    '          env:',
    '            - {name: REPO, value: /models}',
    '          ports:',
    '            - {name: http, containerPort: 8000}',
    '            - containerPort: 8002',
    '          volumeMounts:',
    '            - {name: models, mountPath: /models}',
    '          securityContext:',
    '            runAsNonRoot: true',
    '      volumes:',
    '        - name: models',
    '          hostPath: {path: /srv/models}',
  ].join('\n');

  test('flow sequence args: exact ranges; $(VAR) references expanded from env', () => {
    const facts = serving('deploy.yaml', deployment);
    const inv = program(facts, 'tritonserver');
    assert.deepEqual(argv(inv), ['tritonserver', '--model-repository=/models', '--model-control-mode=poll']);
    assert.deepEqual(inv.program.range, { start: { line: 12, character: 17 }, end: { line: 12, character: 29 } });
    assert.equal(at(deployment, inv.args[0].range), '--model-repository=$(REPO)');
    assert.equal(at(deployment, inv.args[1].range), '--model-control-mode=poll');
    const cmd = parseServingCommand(inv)!;
    assert.equal(at(deployment, cmd.flag('model-control-mode')!.valueRange!), 'poll');
    assert.equal(at(deployment, cmd.flag('model-repository')!.valueRange!), '$(REPO)', 'a substituted value covers the reference');
    assert.deepEqual(inv.context.mounts, [{ mountPath: '/models', readOnly: false, source: 'models', range: inv.context.mounts![0].range, volumeType: 'hostPath', hostPath: '/srv/models' }]);
  });

  test('security context merged pod + container, with the level each value comes from', () => {
    const k = buildKubernetesFacts(deployment, 'kubernetes');
    const c = k.containers[0];
    assert.equal(c.effective.runAsUser?.value, 1000);
    assert.equal(c.effective.runAsUser?.level, 'pod');
    assert.equal(c.effective.runAsNonRoot?.value, true);
    assert.equal(c.effective.runAsNonRoot?.level, 'container');
    assert.equal(at(deployment, c.image!.range), 'nvcr.io/nvidia/tritonserver:24.08-py3');
  });

  test('a Service in the same file publishes the container port it targets (by name or number)', () => {
    const text = `${deployment}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: triton}\nspec:\n  type: LoadBalancer\n  selector: {app: triton}\n  ports:\n    - {port: 80, targetPort: http}\n    - {port: 8002}\n`;
    const inv = program(serving('deploy.yaml', text), 'tritonserver');
    assert.deepEqual(inv.context.publishedPorts?.map((p) => [p.port, p.exposedPort, p.via, p.serviceType, p.external]), [[8000, 80, 'k8s-service', 'LoadBalancer', true], [8002, 8002, 'k8s-service', 'LoadBalancer', true]]);
  });

  test('a Service from another file (through the workspace), routed by an Ingress', () => {
    const workspace: WorkspaceFacts = {
      ...emptyWorkspace,
      kubernetesNetwork: () => ({
        services: [{ uri: 'file:///p/svc.yaml', name: 'triton', type: 'ClusterIP', selector: { app: 'triton' }, ports: [{ port: 8000, targetPort: 8000, range: { start: { line: 3, character: 4 }, end: { line: 3, character: 20 } } }], range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, routed: false }],
        routes: ['/triton'],
      }),
    };
    const inv = program(serving('deploy.yaml', deployment, workspace), 'tritonserver');
    assert.deepEqual(inv.context.publishedPorts?.map((p) => [p.port, p.uri, p.external]), [[8000, 'file:///p/svc.yaml', true]]);
  });

  test('sh -c with a block scalar script: each line maps back to the document', () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: vllm}',
      'spec:',
      '  containers:',
      '    - name: vllm',
      '      image: python:3.11',
      '      command: ["/bin/sh", "-c"]',
      '      args:',
      '        - |',
      '          pip install vllm==0.6.3',
      '          exec vllm serve $MODEL \\',
      '            --trust-remote-code',
      '      env:',
      '        - {name: MODEL, value: org/model}',
    ].join('\n');
    const inv = program(serving('pod.yaml', text), 'vllm');
    assert.deepEqual(argv(inv), ['vllm', 'serve', 'org/model', '--trust-remote-code']);
    assert.deepEqual(inv.program.range, { start: { line: 11, character: 15 }, end: { line: 11, character: 19 } });
    assert.deepEqual(inv.args[2].range, { start: { line: 12, character: 12 }, end: { line: 12, character: 31 } });
  });

  test('KServe InferenceService predictor and ServingRuntime containers', () => {
    const text = [
      'apiVersion: serving.kserve.io/v1beta1',
      'kind: InferenceService',
      'metadata: {name: llama}',
      'spec:',
      '  predictor:',
      '    model:',
      '      modelFormat: {name: huggingface}',
      '      args: ["--model_name=llama", "--trust_remote_code"]',
      '---',
      'apiVersion: serving.kserve.io/v1alpha1',
      'kind: ServingRuntime',
      'metadata: {name: triton-rt}',
      'spec:',
      '  containers:',
      '    - name: kserve-container',
      '      image: nvcr.io/nvidia/tritonserver:24.08-py3',
      '      args: [tritonserver, --model-store=/mnt/models]',
    ].join('\n');
    const k = buildKubernetesFacts(text, 'kubernetes');
    assert.deepEqual(k.workloads.map((w) => w.kind), ['InferenceService', 'ServingRuntime']);
    assert.deepEqual(k.containers.map((c) => c.name), ['kserve-container', 'kserve-container']);
    const inv = program(serving('isvc.yaml', text), 'tritonserver');
    assert.equal(parseServingCommand(inv)?.value('model-repository'), '/mnt/models', '--model-store is an alias');
  });

  test('compose: string and list commands, implied entrypoint, environment forms, ports, volumes', () => {
    const text = [
      'services:',
      '  vllm:',
      '    image: vllm/vllm-openai:v0.6.3',
      '    command: --model "mistralai/Mistral-7B-Instruct-v0.3" --host ${HOST:-0.0.0.0}',
      '    environment:',
      '      - VLLM_API_KEY=${VLLM_API_KEY}',
      '      - HF_HUB_OFFLINE=1',
      '    ports: ["8000:8000", "127.0.0.1:9000:9000", {target: 8080, published: "8081", host_ip: 0.0.0.0}]',
      '    volumes:',
      '      - ./models:/models:ro',
      '      - hf-cache:/root/.cache/huggingface',
      '    read_only: true',
      '  tgi:',
      '    image: ghcr.io/huggingface/text-generation-inference:2.4.0',
      '    environment: {TRUST_REMOTE_CODE: "true", MODEL_ID: bigscience/bloom-560m}',
    ].join('\n');
    const facts = serving('docker-compose.yml', text);
    const vllm = facts.invocations.find((i) => i.context.owner === 'vllm')!;
    assert.equal(vllm.implicitProgram, true);
    assert.deepEqual(argv(vllm).slice(3), ['--model', 'mistralai/Mistral-7B-Instruct-v0.3', '--host', '0.0.0.0']);
    assert.equal(at(text, vllm.args[3].range), 'mistralai/Mistral-7B-Instruct-v0.3');
    assert.equal(at(text, vllm.args[5].range), '0.0.0.0', 'the default of ${HOST:-…} stands for the value');
    assert.deepEqual(vllm.env.map((e) => [e.name, e.value, e.reference ?? false]), [['VLLM_API_KEY', undefined, true], ['HF_HUB_OFFLINE', '1', false]]);
    assert.deepEqual(vllm.context.publishedPorts?.map((p) => [p.port, p.exposedPort, p.hostAddress, p.external]), [[8000, 8000, undefined, true], [9000, 9000, '127.0.0.1', false], [8080, 8081, '0.0.0.0', true]]);
    assert.deepEqual(vllm.context.mounts?.map((m) => [m.mountPath, m.readOnly, m.volumeType]), [['/models', true, 'bind'], ['/root/.cache/huggingface', false, 'volume']]);
    assert.equal(buildKubernetesFacts(text, 'compose').containers[0].readOnlyRootFilesystem?.value, true);
    const tgi = facts.invocations.find((i) => i.context.owner === 'tgi')!;
    assert.equal(parseServingCommand(tgi)?.program, 'tgi', 'an image with a known entrypoint runs even without a command');
    assert.equal(parseServingCommand(tgi)?.setting('trust-remote-code')?.env?.value, 'true');
  });

  test('ConfigMap config.properties: the embedded text with a position for each of its lines', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: ts-config}',
      'data:',
      '  config.properties: |',
      '    inference_address=http://0.0.0.0:8080',
      '',
      '    enable_model_api=true',
    ].join('\n');
    const facts = serving('ts.yaml', text);
    const props = facts.configProperties![0];
    assert.equal(props.text, 'inference_address=http://0.0.0.0:8080\n\nenable_model_api=true\n');
    assert.deepEqual(props.lines.slice(0, 3).map((p) => p.line), [5, 6, 7]);
    assert.deepEqual(props.lines[2], { line: 7, character: 4 });
    assert.equal(props.owner, 'ConfigMap/ts-config');
  });

  test('Helm templates and other YAML are skipped: no facts, no error', () => {
    const helm = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "chart.fullname" . }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: x\n          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n';
    const k = buildKubernetesFacts(helm, 'kubernetes');
    assert.equal(k.containers.length, 0);
    assert.match(k.skipped ?? '', /template/);
    assert.equal(detectInputKind('ci.yml', '', 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n'), 'yaml');
    assert.equal(detectInputKind('values.yaml', '', 'image:\n  repository: vllm/vllm-openai\n'), 'yaml');
  });
});

describe('Python subprocess front-end', () => {
  test('list literals and constants keep each element\'s range; shell strings are parsed as shell', () => {
    const text = [
      'import os, subprocess',
      'MODEL = "Qwen/Qwen2-7B-Instruct"',
      'CMD = ["vllm", "serve", MODEL,',
      '       "--trust-remote-code"]',
      'subprocess.Popen(CMD, env={**os.environ, "VLLM_API_KEY": "k"})',
      'os.system("tritonserver --model-repository=/m --model-control-mode=explicit")',
      'os.execvp("llama-server", ["llama-server", "-m", "/m/x.gguf"])',
    ].join('\n');
    const facts = serving('launch.py', text);
    const vllm = program(facts, 'vllm');
    assert.deepEqual(argv(vllm), ['vllm', 'serve', 'Qwen/Qwen2-7B-Instruct', '--trust-remote-code']);
    assert.equal(at(text, vllm.args[1].range), 'MODEL');
    assert.equal(at(text, vllm.args[2].range), '--trust-remote-code');
    assert.ok(vllm.env.some((e) => e.name === 'VLLM_API_KEY' && e.value === 'k'));
    const triton = program(facts, 'tritonserver');
    assert.equal(at(text, triton.args[1].range), '--model-control-mode=explicit');
    assert.equal(parseServingCommand(program(facts, 'llama-server'))?.value('-m'), '/m/x.gguf');
  });
});

describe('argv grammars', () => {
  function cmd(line: string) {
    const inv = program(serving('x.sh', `${line}\n`), line.split(' ').find((w) => !w.includes('='))!.split('/').pop()!);
    return parseServingCommand(inv)!;
  }

  test('boolean flags do not swallow the next flag; positionals; --no-… switches off', () => {
    const c = cmd('vllm serve --trust-remote-code --model x --no-enable-lora --served-model-name a b --host=0.0.0.0 org/model');
    assert.equal(c.enabled('trust-remote-code'), true);
    assert.equal(c.value('model'), 'x');
    assert.equal(c.enabled('enable-lora'), false);
    assert.deepEqual(c.flag('served-model-name')?.values, ['a', 'b']);
    assert.equal(c.value('host'), '0.0.0.0');
    assert.deepEqual(c.positionals.map((p) => p.value), ['org/model']);
    assert.equal(cmd('vllm serve m --trust_remote_code').enabled('trust-remote-code'), true, 'argparse spells it with underscores too');
  });

  test('repeated flags, --flag=false, value-taking booleans of tritonserver', () => {
    const c = cmd('tritonserver --model-repository /a --model-repository=/b --allow-http false --strict-readiness=true --disable-auto-complete-config --log-verbose 1');
    assert.deepEqual(c.all('model-repository').map((u) => u.value), ['/a', '/b']);
    assert.equal(c.enabled('allow-http'), false);
    assert.equal(c.enabled('strict-readiness'), true);
    assert.equal(c.enabled('disable-auto-complete-config'), true);
    assert.equal(c.value('log-verbose'), '1');
  });

  test('llama-server short flags; OVMS underscores; python -m launchers; hf download', () => {
    const l = cmd('llama-server -m /models/x.gguf -hf org/repo -ngl 99 --jinja --host 0.0.0.0');
    assert.equal(l.value('model'), '/models/x.gguf');
    assert.equal(l.value('--hf-repo'), 'org/repo');
    assert.equal(l.enabled('jinja'), true);
    const o = cmd('/ovms/bin/ovms --model_path /m --rest-port 8000 --file_system_poll_wait_seconds=0');
    assert.equal(o.program, 'ovms');
    assert.equal(o.value('rest_port'), '8000');
    assert.equal(o.value('file-system-poll-wait-seconds'), '0');
    const v = cmd('uv run --with vllm python3 -u -m vllm.entrypoints.openai.api_server --model m');
    assert.equal(v.program, 'vllm');
    assert.equal(v.value('model'), 'm');
    const h = cmd('huggingface-cli download org/repo config.json --revision main --include *.safetensors *.json --local-dir .');
    assert.equal(h.program, 'hf-download');
    assert.deepEqual(h.positionals.map((p) => p.value), ['org/repo', 'config.json']);
    assert.deepEqual(h.flag('include')?.values, ['*.safetensors', '*.json']);
    assert.equal(cmd('vllm bench --model m'), undefined);
  });
});
