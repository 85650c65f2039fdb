// Validates rendered Kubernetes objects against published schemas, the way an API server with
// strict field validation would: types, enums, patterns and required fields come from the
// kubernetes-models packages (built-in kinds from the Kubernetes OpenAPI spec, Flux,
// external-secrets and prometheus-operator from their CRD schemas); unknown fields are found by
// walking the object against the same packages' TypeScript declarations, because the OpenAPI
// schemas leave `additionalProperties` open while the API server rejects unknown fields.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root (this file runs from dist/test/helpers/). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface K8sObjectLike {
  apiVersion: string;
  kind: string;
  [key: string]: unknown;
}

/** apiVersion, kind, module that exports a model class named after the kind. */
const SCHEMAS: readonly (readonly [string, string, string])[] = [
  // Built-in kinds (kubernetes-models: the Kubernetes OpenAPI spec).
  ['v1', 'Namespace', 'kubernetes-models/v1/Namespace'],
  ['v1', 'ConfigMap', 'kubernetes-models/v1/ConfigMap'],
  ['v1', 'Secret', 'kubernetes-models/v1/Secret'],
  ['v1', 'Service', 'kubernetes-models/v1/Service'],
  ['v1', 'ServiceAccount', 'kubernetes-models/v1/ServiceAccount'],
  ['v1', 'ResourceQuota', 'kubernetes-models/v1/ResourceQuota'],
  ['v1', 'LimitRange', 'kubernetes-models/v1/LimitRange'],
  ['v1', 'PersistentVolumeClaim', 'kubernetes-models/v1/PersistentVolumeClaim'],
  ['apps/v1', 'Deployment', 'kubernetes-models/apps/v1/Deployment'],
  ['apps/v1', 'DaemonSet', 'kubernetes-models/apps/v1/DaemonSet'],
  ['apps/v1', 'StatefulSet', 'kubernetes-models/apps/v1/StatefulSet'],
  ['batch/v1', 'Job', 'kubernetes-models/batch/v1/Job'],
  ['batch/v1', 'CronJob', 'kubernetes-models/batch/v1/CronJob'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'],
  ['policy/v1', 'PodDisruptionBudget', 'kubernetes-models/policy/v1/PodDisruptionBudget'],
  ['scheduling.k8s.io/v1', 'PriorityClass', 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass'],
  ['storage.k8s.io/v1', 'StorageClass', 'kubernetes-models/storage.k8s.io/v1/StorageClass'],
  ['networking.k8s.io/v1', 'Ingress', 'kubernetes-models/networking.k8s.io/v1/Ingress'],
  ['networking.k8s.io/v1', 'IngressClass', 'kubernetes-models/networking.k8s.io/v1/IngressClass'],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'],
  ['rbac.authorization.k8s.io/v1', 'Role', 'kubernetes-models/rbac.authorization.k8s.io/v1/Role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding'],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition'],
  // Flux (CRD schemas of source-controller, kustomize-controller, helm-controller, notification-controller).
  ['source.toolkit.fluxcd.io/v1', 'GitRepository', '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository'],
  ['source.toolkit.fluxcd.io/v1', 'HelmRepository', '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/HelmRepository'],
  ['source.toolkit.fluxcd.io/v1', 'OCIRepository', '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/OCIRepository'],
  ['source.toolkit.fluxcd.io/v1', 'HelmChart', '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/HelmChart'],
  ['source.toolkit.fluxcd.io/v1', 'Bucket', '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/Bucket'],
  ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization', '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization'],
  ['helm.toolkit.fluxcd.io/v2', 'HelmRelease', '@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease'],
  ['notification.toolkit.fluxcd.io/v1', 'Receiver', '@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1/Receiver'],
  ['notification.toolkit.fluxcd.io/v1beta3', 'Alert', '@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3/Alert'],
  ['notification.toolkit.fluxcd.io/v1beta3', 'Provider', '@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3/Provider'],
  // external-secrets (v1 is current; v1beta1 is deprecated upstream but still modelled).
  ...(['v1', 'v1beta1'] as const).flatMap((v) =>
    (['ClusterSecretStore', 'SecretStore', 'ExternalSecret', 'ClusterExternalSecret'] as const).map(
      (kind) => [`external-secrets.io/${v}`, kind, `@kubernetes-models/external-secrets/external-secrets.io/${v}/${kind}`] as const,
    ),
  ),
  // prometheus-operator.
  ['monitoring.coreos.com/v1', 'PrometheusRule', '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule'],
  ['monitoring.coreos.com/v1', 'ServiceMonitor', '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor'],
  ['monitoring.coreos.com/v1', 'PodMonitor', '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor'],
];

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}
type ModelClass = new (data: unknown) => { validate(): void };
interface Schema {
  Model: ModelClass;
  /** The .d.ts file that declares `I<Kind>`. */
  declarations: string;
}

const key = (apiVersion: string, kind: string) => `${apiVersion} ${kind}`;

const schemas = new Map<string, Schema>(
  await Promise.all(
    SCHEMAS.map(async ([apiVersion, kind, specifier]): Promise<[string, Schema]> => {
      const mod = (await import(specifier)) as Record<string, unknown>;
      const Model = mod[kind];
      if (typeof Model !== 'function') throw new Error(`${specifier} exports no model class ${kind}`);
      const declarations = fileURLToPath(import.meta.resolve(specifier)).replace(/\.js$/, '.d.ts');
      if (!existsSync(declarations)) throw new Error(`no type declarations for ${specifier} at ${declarations}`);
      return [key(apiVersion, kind), { Model: Model as ModelClass, declarations }];
    }),
  ),
);

/** The apiVersion/kind pairs that validateObject has a schema for. */
export function knownKinds(): { apiVersion: string; kind: string }[] {
  return SCHEMAS.map(([apiVersion, kind]) => ({ apiVersion, kind }));
}

/**
 * Problems with one object, each naming the object and the field path (empty when valid):
 * no schema for its apiVersion/kind, wrong types, values outside an enum or pattern, missing
 * required fields, unknown fields, and a missing metadata.name.
 */
export function validateObject(obj: K8sObjectLike): string[] {
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const who = `${String(obj.kind)} ${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${typeof meta.name === 'string' ? meta.name : '(unnamed)'}`;
  const schema = schemas.get(key(obj.apiVersion, obj.kind));
  if (!schema) return [`${who}: no schema for ${obj.apiVersion} ${obj.kind}`];

  const problems: string[] = [];
  try {
    new schema.Model(obj).validate();
  } catch (e) {
    const errors = (e as { errors?: AjvError[] }).errors;
    if (!Array.isArray(errors)) throw e;
    problems.push(...describeAjvErrors(errors, obj));
  }
  if (typeof meta.name !== 'string' && typeof meta.generateName !== 'string') problems.push('metadata.name: required field is missing');
  problems.push(...unknownFields(obj));
  return [...new Set(problems)].map((p) => `${who}: ${p}`);
}

/** validateObject over many objects, all problems together. */
export function validateObjects(objs: readonly K8sObjectLike[]): string[] {
  return objs.flatMap((o) => validateObject(o));
}

// ---------------------------------------------------------------------------------------------
// Schema errors as readable strings.

/** One line per error; "must be string / must be integer / must match oneOf" at one path become one line. */
function describeAjvErrors(errors: readonly AjvError[], root: unknown): string[] {
  const alternatives = new Set(errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath));
  const typesAt = new Map<string, string[]>();
  for (const e of errors) {
    if (e.keyword !== 'type' || !alternatives.has(e.instancePath)) continue;
    const types = typesAt.get(e.instancePath) ?? [];
    types.push(...(Array.isArray(e.params.type) ? e.params.type.map(String) : [String(e.params.type)]));
    typesAt.set(e.instancePath, types);
  }
  return errors.flatMap((e) => {
    const types = typesAt.get(e.instancePath);
    if (!types) return [describeAjvError(e, root)];
    if (e.keyword === 'type') return [];
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf') return [describeAjvError({ ...e, keyword: 'type', params: { type: [...new Set(types)] } }, root)];
    return [describeAjvError(e, root)];
  });
}

function describeAjvError(err: AjvError, root: unknown): string {
  const segments = err.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path = segments.reduce((p, s) => joinPath(p, /^\d+$/.test(s) ? Number(s) : s), '');
  const here = path || '(root)';
  const actual = segments.reduce<unknown>((v, s) => (isRecord(v) || Array.isArray(v) ? (v as Record<string, unknown>)[s] : undefined), root);
  const got = ` (got ${show(actual)})`;
  const p = err.params;
  switch (err.keyword) {
    case 'required':
      return `${joinPath(path, String(p.missingProperty))}: required field is missing`;
    case 'additionalProperties':
      return `${joinPath(path, String(p.additionalProperty))}: unknown field`;
    case 'type':
      return `${here}: must be ${Array.isArray(p.type) ? p.type.join(' or ') : String(p.type)}${got}`;
    case 'enum':
      return `${here}: must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'pattern':
      return `${here}: must match ${String(p.pattern)}${got}`;
    case 'format':
      return `${here}: must be a valid ${String(p.format)}${got}`;
    default:
      return `${here}: ${err.message ?? err.keyword}${got}`;
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  const text = s.length > 60 ? `${s.slice(0, 57)}...` : s;
  return `${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v} ${text}`;
}

function joinPath(path: string, seg: string | number): string {
  if (typeof seg === 'number') return `${path}[${seg}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(seg)) return path ? `${path}.${seg}` : seg;
  return `${path}[${JSON.stringify(seg)}]`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// Unknown fields, from the models' TypeScript declarations.

let program: { checker: ts.TypeChecker; roots: Map<string, ts.Type> } | undefined;

/** One TypeScript program over every model's declarations, built on first use. */
function declarations(): { checker: ts.TypeChecker; roots: Map<string, ts.Type> } {
  if (program) return program;
  const files = [...schemas.values()].map((s) => s.declarations);
  const p = ts.createProgram(files, {
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2022.d.ts'],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const checker = p.getTypeChecker();
  const roots = new Map<string, ts.Type>();
  for (const [k, s] of schemas) {
    const kind = k.split(' ')[1] ?? '';
    const source = p.getSourceFile(s.declarations);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    const exported = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((x) => x.name === `I${kind}`);
    if (!exported) throw new Error(`${s.declarations} declares no interface I${kind}`);
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    roots.set(k, checker.getDeclaredTypeOfSymbol(target));
  }
  program = { checker, roots };
  return program;
}

function unknownFields(obj: K8sObjectLike): string[] {
  const { checker, roots } = declarations();
  const root = roots.get(key(obj.apiVersion, obj.kind));
  if (!root) return [];
  const out: string[] = [];
  walk(checker, obj, root, '', out);
  return out;
}

const NULLISH = ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void;
const OPEN = ts.TypeFlags.Any | ts.TypeFlags.Unknown;

function walk(checker: ts.TypeChecker, value: unknown, type: ts.Type, path: string, out: string[]): void {
  if (typeof value !== 'object' || value === null) return;
  const parts = (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & NULLISH));
  if (parts.some((t) => t.flags & OPEN)) return;

  if (Array.isArray(value)) {
    const arrays = parts.filter((t) => checker.isArrayType(t));
    const item = arrays[0] && checker.getTypeArguments(arrays[0] as ts.TypeReference)[0];
    if (item) value.forEach((v, i) => walk(checker, v, item, joinPath(path, i), out));
    return; // otherwise a type mismatch, which the schema reports
  }

  const objects = parts.filter((t) => t.flags & ts.TypeFlags.Object && !checker.isArrayType(t));
  if (objects.length === 0) return;
  const entries = Object.entries(value as Record<string, unknown>);
  for (const t of objects) {
    const index = checker.getIndexInfoOfType(t, ts.IndexKind.String);
    if (index) {
      for (const [k, v] of entries) walk(checker, v, index.type, joinPath(path, k), out);
      return;
    }
  }
  const props = new Map<string, ts.Symbol>();
  for (const t of objects) for (const s of checker.getPropertiesOfType(t)) if (!props.has(s.name)) props.set(s.name, s);
  if (props.size === 0) return; // an empty declaration (arbitrary JSON, e.g. Helm values) takes anything
  for (const [k, v] of entries) {
    const s = props.get(k);
    if (!s) out.push(`${joinPath(path, k)}: unknown field`);
    else walk(checker, v, checker.getTypeOfSymbol(s), joinPath(path, k), out);
  }
}

// ---------------------------------------------------------------------------------------------
// Which built-in apiVersions a Kubernetes minor serves, from data/deprecated-apis.json.

/** The built-in kinds kuberator renders, at the apiVersion it renders them. */
export const RENDERED_BUILTIN_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'v1', kind: 'Namespace' },
  { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' },
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding' },
  { apiVersion: 'v1', kind: 'ResourceQuota' },
  { apiVersion: 'v1', kind: 'LimitRange' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
];

/** The Kubernetes minors kuberator targets. */
export const SUPPORTED_MINORS: readonly string[] = ['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36'];

interface DeprecatedApi {
  apiVersion: string;
  kind: string;
  component: string;
  deprecatedIn: string | null;
  removedIn: string | null;
}

let removals: DeprecatedApi[] | undefined;
function builtinRemovals(): DeprecatedApi[] {
  if (!removals) {
    const data = JSON.parse(readFileSync(`${ROOT}data/deprecated-apis.json`, 'utf8')) as { apis: DeprecatedApi[] };
    removals = data.apis.filter((a) => a.component === 'k8s');
  }
  return removals;
}

function parseMinor(v: string): [number, number] {
  const m = /^(\d+)\.(\d+)$/.exec(v);
  if (!m) throw new Error(`not a Kubernetes MAJOR.MINOR version: ${JSON.stringify(v)}`);
  return [Number(m[1]), Number(m[2])];
}

/** Negative when a is older than b, 0 when equal, positive when newer. */
export function compareMinor(a: string, b: string): number {
  const [am, an] = parseMinor(a);
  const [bm, bn] = parseMinor(b);
  return am - bm || an - bn;
}

export interface ServedApis {
  minor: string;
  /** False when data/deprecated-apis.json lists this built-in apiVersion/kind as removed at or before the minor. */
  isServed(apiVersion: string, kind: string): boolean;
  /** The rendered built-in kinds with whether the minor serves them and, if listed, when they go. */
  rendered: { apiVersion: string; kind: string; served: boolean; deprecatedIn: string | null; removedIn: string | null }[];
  /** "apiVersion kind" of every rendered built-in kind the minor does not serve (empty when all are served). */
  notServed: string[];
}

/**
 * Built-in API serving at one Kubernetes minor ("1.31"). Only removals recorded for the core
 * Kubernetes component count; CRD apiVersions are reported as served.
 */
export function servedApiVersions(k8sMinor: string): ServedApis {
  parseMinor(k8sMinor);
  const listed = (apiVersion: string, kind: string) => builtinRemovals().filter((a) => a.apiVersion === apiVersion && a.kind === kind);
  const isServed = (apiVersion: string, kind: string) =>
    !listed(apiVersion, kind).some((a) => a.removedIn !== null && compareMinor(a.removedIn, k8sMinor) <= 0);
  const rendered = RENDERED_BUILTIN_KINDS.map(({ apiVersion, kind }) => {
    const entries = listed(apiVersion, kind);
    const first = (f: 'deprecatedIn' | 'removedIn') =>
      entries.map((e) => e[f]).filter((v): v is string => v !== null).sort(compareMinor)[0] ?? null;
    return { apiVersion, kind, served: isServed(apiVersion, kind), deprecatedIn: first('deprecatedIn'), removedIn: first('removedIn') };
  });
  return {
    minor: k8sMinor,
    isServed,
    rendered,
    notServed: rendered.filter((r) => !r.served).map((r) => `${r.apiVersion} ${r.kind}`),
  };
}
