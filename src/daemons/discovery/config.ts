// The discovery bridge's and registrants' settings from command-line flags: durations, owner ids,
// paths and ports checked once, with every problem reported together.
import { KuberatorError } from '../../errors.js';
import { DEFAULT_MAX_DOCUMENT_BYTES } from './document.js';
import type { Policy } from './bridge.js';
import { DEFAULT_MAPPING, type MappingOptions } from './services.js';
import { ownersPathFor } from './zookeeper-store.js';
import { parseDuration as parseCommonDuration } from '../common/duration.js';

export const DEFAULT_DOCUMENT_PATH = '/service-directory/services';

export interface ZkSettings {
  connect: string;
  sessionTimeoutMs: number;
  documentPath: string;
  ownersPath: string;
}

export interface BridgeConfig {
  zk: ZkSettings;
  owner: string;
  policy: Policy;
  intervalMs: number;
  minEventIntervalMs: number;
  mapping: MappingOptions;
  once: boolean;
  dryRun: boolean;
  /** /healthz and /metrics; undefined: no server. */
  port?: number;
  kubeconfig?: string;
  context?: string;
  maxBytes: number;
}

export class ConfigError extends KuberatorError {
  constructor(problems: string[]) {
    super('KBR-DISC040', problems.length === 1 ? problems[0]! : `${problems.length} problems:\n  ${problems.join('\n  ')}`);
  }
}

/** `500ms`, `5s`, `1m`, `1h`, `1m30s`; a bare number is seconds. */
export const parseDuration = (text: string): number | undefined => parseCommonDuration(text, { bareMs: 1000 });

const OWNER = /^[a-z0-9][a-z0-9-]*:[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** `defaultSession`: the daemon keeps its session through short outages; a one-shot command should give up sooner. */
export function zkSettings(flags: Record<string, unknown>, problems: string[], defaultSession = '30s'): ZkSettings {
  const connect = str(flags.zkConnect);
  if (!connect) problems.push('--zk-connect <host:port,...> is required');
  else if (!/^[^\s,/]+:\d+(,[^\s,/]+:\d+)*(\/\S*)?$/.test(connect)) problems.push(`--zk-connect expects host:port[,host:port...][/chroot], got '${connect}'`);
  const sessionTimeoutMs = duration(flags.zkSessionTimeout, defaultSession, '--zk-session-timeout', problems, 1000, 600_000);
  const documentPath = str(flags.docPath) ?? DEFAULT_DOCUMENT_PATH;
  if (!isZkPath(documentPath)) problems.push(`--doc-path expects an absolute ZooKeeper path such as ${DEFAULT_DOCUMENT_PATH}, got '${documentPath}'`);
  const ownersPath = str(flags.ownersPath) ?? ownersPathFor(documentPath);
  if (!isZkPath(ownersPath)) problems.push(`--owners-path expects an absolute ZooKeeper path, got '${ownersPath}'`);
  else if (ownersPath === documentPath) problems.push('--owners-path must differ from --doc-path');
  return { connect: connect ?? '', sessionTimeoutMs, documentPath, ownersPath };
}

export function bridgeConfig(flags: Record<string, unknown>): BridgeConfig {
  const problems: string[] = [];
  const zk = zkSettings(flags, problems);
  const ownerId = str(flags.ownerId);
  const clusterId = str(flags.clusterId);
  let owner: string;
  if (ownerId && clusterId) {
    problems.push('give --owner-id or --cluster-id, not both');
    owner = ownerId;
  } else owner = ownerId ?? `k8s:${clusterId ?? 'default'}`;
  if (!OWNER.test(owner)) problems.push(`the owner id must look like k8s:<cluster-id> (letters, digits, '.', '_', '-', '/'), got '${owner}'`);
  const policy = (str(flags.policy) ?? 'sync') as Policy;
  if (policy !== 'sync' && policy !== 'upsert-only') problems.push(`--policy expects sync or upsert-only, got '${String(policy)}'`);
  const intervalMs = duration(flags.interval, '60s', '--interval', problems, 1000, 86_400_000);
  const minEventIntervalMs = duration(flags.minEventSyncInterval, '5s', '--min-event-sync-interval', problems, 0, 3_600_000);
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) problems.push(`--port expects 0-65535, got '${String(flags.port)}'`);
  const maxBytes = flags.maxDocumentBytes === undefined ? DEFAULT_MAX_DOCUMENT_BYTES : Number(flags.maxDocumentBytes);
  if (!(Number.isInteger(maxBytes) && maxBytes >= 64 && maxBytes <= 1_048_000)) problems.push(`--max-document-bytes expects 64-1048000, got '${String(flags.maxDocumentBytes)}'`);
  const mapping: MappingOptions = {
    nameAnnotation: str(flags.nameAnnotation) ?? DEFAULT_MAPPING.nameAnnotation,
    descriptionAnnotation: str(flags.descriptionAnnotation) ?? DEFAULT_MAPPING.descriptionAnnotation,
    optOutAnnotation: str(flags.optOutAnnotation) ?? DEFAULT_MAPPING.optOutAnnotation,
  };
  if (problems.length) throw new ConfigError(problems);
  return {
    zk,
    owner,
    policy,
    intervalMs,
    minEventIntervalMs,
    mapping,
    once: Boolean(flags.once),
    dryRun: Boolean(flags.dryRun),
    ...(port !== undefined ? { port } : {}),
    ...(str(flags.kubeconfig) ? { kubeconfig: str(flags.kubeconfig)! } : {}),
    ...(str(flags.context) ? { context: str(flags.context)! } : {}),
    maxBytes,
  };
}

/** `static:<id>` for registrants; a bare id gets the prefix. */
export function registrantOwner(text: string | undefined): string {
  const owner = !text ? 'static:default' : text.includes(':') ? text : `static:${text}`;
  if (!OWNER.test(owner)) throw new ConfigError([`--owner must look like static:<id> (letters, digits, '.', '_', '-', '/'), got '${text}'`]);
  return owner;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function duration(v: unknown, dflt: string, flag: string, problems: string[], min: number, max: number): number {
  const text = str(v) ?? dflt;
  const ms = parseDuration(text);
  if (ms === undefined) {
    problems.push(`${flag} expects a duration such as 500ms, 5s or 1m, got '${text}'`);
    return parseDuration(dflt)!;
  }
  if (ms < min || ms > max) problems.push(`${flag} must be between ${min} ms and ${max} ms, got ${text}`);
  return ms;
}

function isZkPath(p: string): boolean {
  return /^(\/[^/\s]+)+$/.test(p);
}
