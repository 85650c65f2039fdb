// Kubernetes objects as the audit sees them: the decoded object, who it is, and where it came
// from. Objects come from manifest files (with a locator for file:line) or from a live cluster.
import type { Location } from '../errors.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
}

export interface ObjectSource {
  file: string;
  /** Where the object starts. */
  line: number;
  col: number;
  /**
   * The position of a path inside the object (`spec.template.spec.containers[0].image`);
   * when the path does not exist, the position of its deepest ancestor that does.
   */
  locate(path: string): Location;
}

export interface KubeObject extends ObjectRef {
  /** The decoded object, as written or as served. */
  raw: Record<string, unknown>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Present for objects read from files; absent for live objects. */
  source?: ObjectSource;
  /** For live objects: the API version the server returned the object under. */
  servedVersion?: string;
}

/** A document that could not be decoded: reported as a finding, the rest of the input still counts. */
export interface MalformedDocument {
  location: Location;
  message: string;
}

export function refOf(o: ObjectRef): string {
  return o.namespace ? `${o.kind}/${o.namespace}/${o.name}` : `${o.kind}/${o.name}`;
}

/** Builds a KubeObject from a decoded value; undefined when the value is not an object with a kind. */
export function toKubeObject(raw: unknown, defaults: { namespace?: string } = {}): KubeObject | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const obj = raw as Record<string, unknown>;
  if (typeof obj.kind !== 'string') return undefined;
  const meta = (obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : {}) as Record<string, unknown>;
  const namespaced = !CLUSTER_SCOPED.has(obj.kind);
  return {
    apiVersion: typeof obj.apiVersion === 'string' ? obj.apiVersion : '',
    kind: obj.kind,
    namespace: namespaced ? (typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : (defaults.namespace ?? 'default')) : '',
    name: typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : '(unnamed)',
    raw: obj,
    labels: stringMap(meta.labels),
    annotations: stringMap(meta.annotations),
  };
}

function stringMap(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== null && x !== undefined) out[k] = String(x);
  return out;
}

/** Kinds without a namespace (the ones an audit meets; others default to namespaced). */
export const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'APIService',
  'PodSecurityPolicy',
  'RuntimeClass',
  'CSIDriver',
  'VolumeAttachment',
]);
