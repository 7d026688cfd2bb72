/**
 * What a `tritonserver` command line says about its endpoints: which protocols are on, where they
 * listen, which API categories each protocol restricts, and whether each is published.
 * Defaults from Triton's `src/command_line_parser.cc` (rules.md B1).
 */
import type { Range } from '../../engine/types';
import type { PublishedPort } from '../../invocations/types';
import { boolValue, flag, flagsNamed, isAnyAddress, isLoopback, type FlagUse, type ServingCommand } from './command';

export const RESTRICTED_CATEGORIES = ['health', 'metadata', 'inference', 'shared-memory', 'model-config', 'model-repository', 'statistics', 'trace', 'logging'] as const;

export interface TritonEndpoint {
  protocol: 'http' | 'grpc';
  enabled: boolean;
  /** `--allow-http` / `--allow-grpc` when given. */
  allowFlag?: FlagUse;
  address: string;
  addressFlag?: FlagUse;
  port: number;
  /** Categories restricted by a well-formed `--http-restricted-api` / `--grpc-restricted-protocol`, with the flag. */
  restricted: Map<string, FlagUse>;
  restrictFlags: FlagUse[];
  /** Published ports of the owner that reach this endpoint from outside. */
  published: PublishedPort[];
}

export interface TritonCommand {
  cmd: ServingCommand;
  http: TritonEndpoint;
  grpc: TritonEndpoint;
  /** `--model-control-mode` and its value (lower-cased). */
  mode?: { value: string; use: FlagUse };
}

/** `<apis>:<key>=<value>` split into its parts; undefined when malformed. */
export function parseRestriction(value: string): { categories: string[]; key: string; headerValue: string } | undefined {
  const m = /^([a-z-]+(?:,[a-z-]+)*):([^=]+)=(.+)$/.exec(value);
  if (!m) return undefined;
  return { categories: m[1].split(','), key: m[2], headerValue: m[3] };
}

function toPort(value: string | undefined, fallback: number): number {
  const n = value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

function endpoint(cmd: ServingCommand, protocol: 'http' | 'grpc'): TritonEndpoint {
  const allowFlag = flag(cmd, `allow-${protocol}`);
  const enabled = boolValue(allowFlag?.value) !== false;
  const addressFlag = flag(cmd, `${protocol}-address`);
  const address = addressFlag?.value ?? '0.0.0.0';
  const port = toPort(flag(cmd, `${protocol}-port`)?.value, protocol === 'http' ? 8000 : 8001);
  const restrictFlags = flagsNamed(cmd, protocol === 'http' ? 'http-restricted-api' : 'grpc-restricted-protocol');
  const restricted = new Map<string, FlagUse>();
  for (const use of restrictFlags) {
    const r = use.value !== undefined ? parseRestriction(use.value) : undefined;
    if (r) for (const c of r.categories) if (!restricted.has(c)) restricted.set(c, use);
  }
  const published = (cmd.invocation.context.publishedPorts ?? []).filter((p) => p.port === port && p.external);
  return { protocol, enabled, ...(allowFlag ? { allowFlag } : {}), address, ...(addressFlag ? { addressFlag } : {}), port, restricted, restrictFlags, published };
}

export function tritonCommand(cmd: ServingCommand): TritonCommand | undefined {
  if (cmd.program !== 'tritonserver') return undefined;
  const modeUse = flag(cmd, 'model-control-mode');
  return {
    cmd,
    http: endpoint(cmd, 'http'),
    grpc: endpoint(cmd, 'grpc'),
    ...(modeUse?.value !== undefined ? { mode: { value: modeUse.value.toLowerCase(), use: modeUse } } : {}),
  };
}

/** Reachable from other hosts: enabled, not bound to loopback, and either published or bound to every interface. */
export function reachable(e: TritonEndpoint): boolean {
  if (!e.enabled || isLoopback(e.address)) return false;
  return e.published.length > 0 || isAnyAddress(e.address);
}

export function describeEndpoint(e: TritonEndpoint): string {
  const where = e.published.length ? `published on port ${e.published[0].exposedPort ?? e.port}` : `listening on ${e.address}:${e.port}`;
  return `${e.protocol === 'http' ? 'HTTP' : 'gRPC'} (${where})`;
}

export function relatedPorts(t: TritonCommand): { range: Range; uri?: string; message: string }[] {
  return [t.http, t.grpc].flatMap((e) => e.published.filter((p) => p.range).map((p) => ({ range: p.range!, ...(p.uri ? { uri: p.uri } : {}), message: `${e.protocol === 'http' ? 'HTTP' : 'gRPC'} port ${e.port} is published here` })));
}
