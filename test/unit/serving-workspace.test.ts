import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeDocument } from '../../server/src/engine/analyze';
import { hostPathsOf } from '../../server/src/invocations/paths';
import { buildServingFacts } from '../../server/src/languages/serving';
import { initParsers } from '../../server/src/languages/tree-sitter';
import { allRules } from '../../server/src/rules/index';
import { FsWorkspace } from '../../server/src/workspace/fs-workspace';
import { makeTree, removeTree, writeTree } from '../helpers/temp-tree';

/** Workspace facts for the serving rules: Services in other files, Triton model repositories. */

before(() => initParsers());

const DEPLOYMENT = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: triton, namespace: ml}',
  'spec:',
  '  template:',
  '    metadata:',
  '      labels: {app: triton}',
  '    spec:',
  '      containers:',
  '        - name: triton',
  '          image: nvcr.io/nvidia/tritonserver:24.08-py3',
  '          args: [tritonserver, --model-repository=/models]',
  '          ports: [{containerPort: 8000}, {containerPort: 8002}]',
].join('\n');

const SERVICE = [
  'apiVersion: v1',
  'kind: Service',
  'metadata: {name: triton, namespace: ml}',
  'spec:',
  '  selector: {app: triton}',
  '  ports:',
  '    - {name: http, port: 80, targetPort: 8000}',
].join('\n');

const INGRESS = [
  'apiVersion: networking.k8s.io/v1',
  'kind: Ingress',
  'metadata: {name: triton, namespace: ml}',
  'spec:',
  '  rules:',
  '    - http:',
  '        paths:',
  '          - path: /',
  '            pathType: Prefix',
  '            backend: {service: {name: triton, port: {number: 80}}}',
].join('\n');

describe('kubernetesNetwork: Services published from other files', () => {
  let root: string;
  before(() => {
    root = makeTree({
      'deploy/triton/deployment.yaml': DEPLOYMENT,
      'deploy/triton/service.yaml': SERVICE,
      'deploy/other/service.yaml': SERVICE.replace('namespace: ml', 'namespace: other').replace('app: triton', 'app: other'),
      'node_modules/pkg/service.yaml': SERVICE,
      '.github/workflows/ci.yml': 'on: push\njobs: {}\n',
    });
  });
  after(() => removeTree(root));

  const ports = (ws: FsWorkspace) => {
    const file = path.join(root, 'deploy/triton/deployment.yaml');
    const facts = buildServingFacts('kubernetes-yaml', { uri: pathToFileURL(file).href, languageId: '', text: fs.readFileSync(file, 'utf8') }, ws);
    return facts.invocations[0].context.publishedPorts ?? [];
  };

  test('a Deployment learns its published ports from a Service in another file', () => {
    const ws = new FsWorkspace({ roots: [root], env: {} });
    const uri = pathToFileURL(path.join(root, 'deploy/triton/deployment.yaml')).href;
    const network = ws.kubernetesNetwork(uri);
    assert.deepEqual(network.services.map((s) => [s.name, s.namespace, path.relative(root, new URL(s.uri).pathname)]).sort(), [['triton', 'ml', 'deploy/triton/service.yaml'], ['triton', 'other', 'deploy/other/service.yaml']], 'node_modules is skipped');
    const p = ports(ws);
    assert.deepEqual(p.map((x) => [x.port, x.exposedPort, x.serviceType, x.external]), [[8000, 80, 'ClusterIP', false]]);
    assert.match(p[0].uri ?? '', /service\.yaml$/);
  });

  test('an Ingress added later makes the ClusterIP Service external, after invalidation', () => {
    const ws = new FsWorkspace({ roots: [root], env: {} });
    assert.equal(ports(ws)[0].external, false);
    const ingress = path.join(root, 'deploy/triton/ingress.yaml');
    writeTree(root, { 'deploy/triton/ingress.yaml': INGRESS });
    assert.equal(ports(ws)[0].external, false, 'cached until invalidated');
    ws.invalidate(pathToFileURL(ingress).href);
    assert.equal(ports(ws)[0].external, true);
    fs.rmSync(ingress);
    ws.invalidate(ingress);
    assert.equal(ports(ws)[0].external, false, 'a deleted file is forgotten');
  });
});

describe('listModelConfigs: Triton model repositories', () => {
  let root: string;
  before(() => {
    root = makeTree({
      'serving/model_repository/ensemble/config.pbtxt': 'platform: "ensemble"\n',
      'serving/model_repository/preprocess/config.pbtxt': 'backend: "python"\n',
      'serving/model_repository/preprocess/1/model.py': 'print()\n',
      'serving/model_repository/README.md': '# models\n',
      'serving/Dockerfile': 'FROM nvcr.io/nvidia/tritonserver:24.08-py3\nCOPY model_repository /models\nCMD ["tritonserver", "--model-repository=/models"]\n',
      'k8s/models/resnet/config.pbtxt': 'platform: "onnxruntime_onnx"\n',
      'k8s/deploy.yaml': DEPLOYMENT,
    });
  });
  after(() => removeTree(root));

  test('relative to the document, through a COPY mapping, or by folder name', () => {
    const ws = new FsWorkspace({ roots: [root], env: {} });
    const dockerfile = pathToFileURL(path.join(root, 'serving/Dockerfile')).href;
    const models = (list: { model: string }[]) => list.map((c) => c.model).sort();
    assert.deepEqual(models(ws.listModelConfigs('model_repository', dockerfile)), ['ensemble', 'preprocess']);
    // The command's /models is a container path: the Dockerfile's COPY says where it comes from.
    const facts = buildServingFacts('dockerfile', { uri: dockerfile, languageId: '', text: fs.readFileSync(path.join(root, 'serving/Dockerfile'), 'utf8') }, ws);
    const inv = facts.invocations.find((i) => i.program.value === 'tritonserver')!;
    assert.deepEqual(hostPathsOf(inv.context, '/models'), ['model_repository']);
    assert.deepEqual(hostPathsOf(inv.context, '/models/preprocess'), ['model_repository/preprocess']);
    // No mapping: folders of the workspace named like the path's last segment.
    const deploy = pathToFileURL(path.join(root, 'k8s/deploy.yaml')).href;
    assert.deepEqual(models(ws.listModelConfigs('/models', deploy)), ['resnet']);
    assert.deepEqual(ws.listModelConfigs('/opt/nothing', deploy), []);
    assert.deepEqual(ws.listModelConfigs('s3://bucket/models', deploy), []);
    const c = ws.listModelConfigs('/models', deploy)[0];
    assert.equal(c.path, path.join(root, 'k8s/models/resnet/config.pbtxt'));
    assert.equal(c.uri, pathToFileURL(c.path).href);
  });

  test('a new model is found after invalidation', () => {
    const ws = new FsWorkspace({ roots: [root], env: {} });
    const deploy = pathToFileURL(path.join(root, 'k8s/deploy.yaml')).href;
    assert.equal(ws.listModelConfigs('/models', deploy).length, 1);
    writeTree(root, { 'k8s/models/bert/config.pbtxt': 'backend: "onnxruntime"\n' });
    ws.invalidate(path.join(root, 'k8s/models/bert/config.pbtxt'));
    assert.equal(ws.listModelConfigs('/models', deploy).length, 2);
  });
});

describe('analysis with the file-system workspace', () => {
  test('a Service in another file turns a ClusterIP-only setup into a published one for the serving rules', () => {
    const root = makeTree({ 'k8s/deployment.yaml': DEPLOYMENT, 'k8s/service.yaml': SERVICE.replace('spec:', 'spec:\n  type: LoadBalancer') });
    try {
      const ws = new FsWorkspace({ roots: [root], env: {} });
      const file = path.join(root, 'k8s/deployment.yaml');
      const result = analyzeDocument({ uri: pathToFileURL(file).href, languageId: '', text: fs.readFileSync(file, 'utf8') }, { rules: allRules, workspace: ws, selection: {}, options: { trustedRepos: [] } });
      assert.deepEqual(result.errors, []);
      assert.ok(result.findings.some((f) => f.ruleId === 'k8s-runs-as-root'));
    } finally {
      removeTree(root);
    }
  });
});
