import { buildInvocations, invocationsOfCommands, invocationsOfScript, type SourceArg } from '../../invocations/build';
import { knownEntrypoint } from '../../invocations/images';
import type { CopyFact, EnvironmentScope, EnvVar, Invocation, InvocationContext, InvocationSource, PublishedPort, ServingFacts } from '../../invocations/types';
import { parseShell } from '../shell/commands';
import type { DockerCommandBody, DockerfileFacts, DockerStage } from './facts';

/**
 * Invocations of a Dockerfile: every RUN (exec, shell and here-document forms), and the command
 * each stage's container runs — ENTRYPOINT and CMD combined the way Docker combines them (an exec
 * ENTRYPOINT gets the exec CMD as arguments; a stage inherits both from the stage it is built
 * FROM; a CMD on top of a well-known serving image runs that image's entrypoint with it).
 */
export function buildDockerfileServingFacts(facts: DockerfileFacts): ServingFacts {
  const invocations: Invocation[] = [];
  const environments: EnvironmentScope[] = [];
  const ids = { next: 1 };
  let block = 0;
  const final = facts.finalStage;

  for (const stage of facts.stages) {
    const chain = facts.chainOf(stage);
    const root = chain[0];
    const base: InvocationContext = {
      source: 'dockerfile-run',
      owner: stage.name ?? `stage ${stage.index}`,
      finalStage: stage === final,
      ...(root.from.image && !root.from.scratch ? { image: root.from.image } : {}),
    };
    const exposed: PublishedPort[] = chain.flatMap((s) => s.expose.map((e) => ({ port: e.port, via: 'dockerfile-expose' as const, range: e.range, external: false })));
    if (exposed.length) base.publishedPorts = exposed;
    const copies: CopyFact[] = chain.flatMap((s) => s.copies.filter((c) => c.target !== undefined).map((c) => ({
      target: c.target!,
      sources: c.sources.map((x) => x.value),
      ...(c.from ? { from: c.from.value } : {}),
      range: c.range,
    })));
    if (copies.length) base.copies = copies;

    environments.push({ context: { ...base, source: 'dockerfile-cmd' }, env: [...stage.args, ...stage.env] });

    for (const run of stage.runs) {
      const context: InvocationContext = { ...base, source: 'dockerfile-run', block: ++block, blockRange: run.range };
      const env = [...run.vars.values()].map((b) => b.def).filter((d): d is EnvVar => !!d);
      invocations.push(...bodyInvocations(run, env, context, ids));
    }

    const own = !!(stage.entrypoint || stage.cmd);
    if (stage !== final && !own) continue;
    const eff = effectiveCommand(facts, stage);
    if (!eff.entrypoint && !eff.cmd) continue;
    const env = stage.runtimeEnv;
    const context = (source: InvocationSource, body: DockerCommandBody): InvocationContext => ({ ...base, source, block: ++block, blockRange: body.range });
    const entry = eff.entrypoint;
    const cmd = eff.cmd;
    if (entry) {
      if (entry.form === 'exec') {
        const argv = [...(entry.argv ?? []), ...(cmd?.form === 'exec' ? cmd.argv ?? [] : [])];
        invocations.push(...buildInvocations({ argv, env, context: context('dockerfile-entrypoint', entry), range: entry.range }, { ids }));
      } else {
        invocations.push(...bodyInvocations(entry, env, context('dockerfile-entrypoint', entry), ids));
      }
      continue;
    }
    if (!cmd) continue;
    const implied = root.from.ref && !root.from.scratch ? knownEntrypoint(root.from.ref) : undefined;
    if (implied && cmd.form === 'exec') {
      const programArgs: SourceArg[] = implied.map((value) => ({ value, range: root.from.range, resolved: true }));
      invocations.push(...buildInvocations({ argv: [...programArgs, ...(cmd.argv ?? [])], env, context: context('dockerfile-cmd', cmd), range: cmd.range, implicitProgram: true }, { ids }));
      continue;
    }
    invocations.push(...bodyInvocations(cmd, env, context('dockerfile-cmd', cmd), ids));
  }
  if (facts.globalArgs.length) environments.unshift({ context: { source: 'dockerfile-run', owner: 'global' }, env: facts.globalArgs });
  return { fileKind: 'dockerfile', invocations, environments };
}

function bodyInvocations(body: DockerCommandBody, env: EnvVar[], context: InvocationContext, ids: { next: number }): Invocation[] {
  switch (body.form) {
    case 'exec':
      return buildInvocations({ argv: body.argv ?? [], env, context, range: body.range }, { ids });
    case 'shell':
      return body.script ? invocationsOfScript(body.script, env, context, { ids }) : [];
    case 'heredoc': {
      const h = body.heredocs;
      if (!h) return [];
      const bindings = new Map(env.map((e) => [e.name, { value: e.value, exported: true, def: e }]));
      const line = parseShell(h.line, { env: bindings, ids });
      if (line.commands.length === 0) return h.bodies.flatMap((b) => invocationsOfScript(b, env, context, { ids }));
      const [first, ...rest] = line.commands;
      return invocationsOfCommands([{ ...first, heredoc: first.heredoc ?? h.bodies[0] }, ...rest], context, { ids });
    }
  }
}

/** ENTRYPOINT and CMD in force for a stage: its own, else inherited through `FROM <stage>` (an own ENTRYPOINT resets the inherited CMD). */
export function effectiveCommand(facts: DockerfileFacts, stage: DockerStage): { entrypoint?: DockerCommandBody; cmd?: DockerCommandBody } {
  const chain = facts.chainOf(stage);
  let entrypoint: DockerCommandBody | undefined;
  let cmd: DockerCommandBody | undefined;
  for (const s of chain) {
    if (s.entrypoint) {
      entrypoint = s.entrypoint;
      cmd = s.cmd;
    } else if (s.cmd) {
      cmd = s.cmd;
    }
  }
  return { entrypoint, cmd };
}
