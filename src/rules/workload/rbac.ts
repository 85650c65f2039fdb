// RBAC (L21): least privilege for people and service accounts. Exec and attach into pods hand
// over every secret a pod can read; cluster-admin and wildcard roles hand over everything.
// Kubernetes' own roles and bindings (system:…, and the built-in user-facing ClusterRoles) are
// expected to be powerful and are not judged; who is bound to them is.
import { asRecord, type ObjectGraph } from '../../audit/graph.js';
import type { KubeObject } from '../../audit/objects.js';
import type { ObjectRawFinding, Severity, WorkloadRule } from '../types.js';

type RuleRec = { apiGroups?: unknown; resources?: unknown; verbs?: unknown };

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Names Kubernetes and the provider give their own RBAC objects (system:…, EKS' eks:…, and the GKE/Calico PSP binding Polaris also spares). */
const isSystemName = (name: string) => name.startsWith('system:') || name.startsWith('eks:') || name === 'gce:podsecuritypolicy:calico-sa';
/** Built-in user-facing ClusterRoles that include exec/attach by design. */
const BUILTIN_EXEC_ROLES = new Set(['cluster-admin', 'admin', 'edit']);
/** Built-in ClusterRoles known to grant no exec/attach. */
const BUILTIN_SAFE_ROLES = new Set(['view']);

const isRole = (o: KubeObject) => (o.kind === 'Role' || o.kind === 'ClusterRole') && o.apiVersion.startsWith('rbac.authorization.k8s.io/');
const isBinding = (o: KubeObject) => (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && o.apiVersion.startsWith('rbac.authorization.k8s.io/');

function rulesOf(role: KubeObject): RuleRec[] {
  const rules = role.raw.rules;
  return Array.isArray(rules) ? rules.map((r) => (asRecord(r) ?? {}) as RuleRec) : [];
}

/** Index of the first rule that lets its subjects exec or attach into pods (create, or get for the WebSocket path), or -1. */
function execAttachRule(role: KubeObject): number {
  return rulesOf(role).findIndex((r) => {
    const groups = strings(r.apiGroups);
    const resources = strings(r.resources);
    const verbs = strings(r.verbs);
    return (
      groups.some((x) => x === '' || x === '*') &&
      resources.some((x) => x === '*' || x === 'pods/*' || x === 'pods/exec' || x === 'pods/attach') &&
      verbs.some((x) => x === '*' || x === 'create' || x === 'get')
    );
  });
}

const WRITE_ALL = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** Index of the first rule granting every verb on every resource of every API group, or -1. */
function wildcardRule(role: KubeObject): number {
  return rulesOf(role).findIndex((r) => {
    const verbs = strings(r.verbs);
    return strings(r.apiGroups).includes('*') && strings(r.resources).includes('*') && (verbs.includes('*') || WRITE_ALL.every((v) => verbs.includes(v)));
  });
}

interface RoleRef {
  kind: 'Role' | 'ClusterRole';
  name: string;
  role: KubeObject | undefined;
}

function roleRefOf(b: KubeObject, g: ObjectGraph): RoleRef | undefined {
  const ref = asRecord(b.raw.roleRef);
  if (!ref || typeof ref.name !== 'string' || !ref.name) return undefined;
  if (ref.kind === 'ClusterRole') return { kind: 'ClusterRole', name: ref.name, role: g.find('ClusterRole', '', ref.name) };
  if (ref.kind === 'Role' && b.kind === 'RoleBinding') return { kind: 'Role', name: ref.name, role: g.find('Role', b.namespace, ref.name) };
  return undefined;
}

/** Bindings Kubernetes creates for itself: judged by name, as they carry the defaults. */
function isDefaultBinding(b: KubeObject): boolean {
  return isSystemName(b.name) || (b.kind === 'ClusterRoleBinding' && b.name === 'cluster-admin');
}

const scopeOf = (b: KubeObject) => (b.kind === 'ClusterRoleBinding' ? 'in every namespace' : `in namespace '${b.namespace}'`);

export const rbacRules: WorkloadRule[] = [
  {
    scope: 'workload',
    id: 'workload/rbac-exec-attach',
    severity: 'warning',
    lessons: ['L21'],
    equivalents: ['polaris:clusterrolePodExecAttach', 'polaris:rolePodExecAttach'],
    title: 'Role allows exec or attach into pods',
    why: 'pods/exec and pods/attach open a shell inside running containers: whoever holds them reads every secret, token and file the pod can, and bypasses the audit trail of the application.',
    fix: 'Drop pods/exec and pods/attach from the role (and wildcards that include them); give break-glass access through a separate role bound only when needed.',
    appliesTo: (o) => isRole(o) && !isSystemName(o.name) && !(o.kind === 'ClusterRole' && BUILTIN_EXEC_ROLES.has(o.name)),
    check: (o): ObjectRawFinding[] => {
      const i = execAttachRule(o);
      return i === -1 ? [] : [{ path: `rules[${i}]`, message: `${o.kind} '${o.name}' lets its subjects exec or attach into pods` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/rbac-exec-attach-binding',
    severity: 'warning',
    lessons: ['L21'],
    equivalents: ['polaris:clusterrolebindingPodExecAttach', 'polaris:rolebindingClusterRolePodExecAttach', 'polaris:rolebindingRolePodExecAttach'],
    title: 'Binding grants exec or attach into pods',
    why: 'A binding to a role with pods/exec or pods/attach gives its subjects a shell in every pod it covers; a binding to a role that is not there grants whatever someone later creates under that name.',
    fix: 'Bind a role without pods/exec and pods/attach (view, or a role of your own), and keep exec for a break-glass group; add the referenced role when it is missing.',
    appliesTo: (o) => isBinding(o) && !isDefaultBinding(o),
    check: (o, g): ObjectRawFinding[] => {
      const ref = roleRefOf(o, g);
      if (!ref) return [];
      const path = 'roleRef.name';
      if (ref.kind === 'ClusterRole' && BUILTIN_EXEC_ROLES.has(ref.name)) {
        // edit and admin already grant Secrets and pod creation in the namespace: exec adds little
        // there, and a team bound to edit in its own namespace is the usual delegation.
        const severity: Severity = o.kind === 'RoleBinding' ? 'info' : 'warning';
        return [{ path, severity, message: `${o.kind} '${o.name}' binds the built-in ClusterRole '${ref.name}', which allows exec and attach into pods ${scopeOf(o)}` }];
      }
      if (ref.kind === 'ClusterRole' && BUILTIN_SAFE_ROLES.has(ref.name)) return [];
      if (ref.role) {
        return execAttachRule(ref.role) === -1 ? [] : [{ path, message: `${o.kind} '${o.name}' binds ${ref.kind} '${ref.name}', which allows exec and attach into pods ${scopeOf(o)}` }];
      }
      if (ref.kind === 'ClusterRole' && isSystemName(ref.name)) return [];
      const severity: Severity = 'info';
      return [{ path, severity, message: `${o.kind} '${o.name}' binds ${ref.kind} '${ref.name}', which is not in the input: what it grants cannot be checked` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/cluster-admin-binding',
    severity: 'error',
    lessons: ['L21'],
    equivalents: ['polaris:clusterrolebindingClusterAdmin', 'polaris:rolebindingClusterAdminClusterRole', 'polaris:rolebindingClusterAdminRole', 'kube-linter:cluster-admin-role-binding'],
    title: 'Binding to cluster-admin or a wildcard role',
    why: 'cluster-admin, or any role granting every verb on every resource, lets its subjects read all Secrets, rewrite RBAC and run anything anywhere: one leaked token of such a subject is the whole cluster.',
    fix: 'Bind a role listing the resources and verbs the subject needs; keep cluster-admin for a break-glass identity mapped from an IAM role, not for workloads or everyday users.',
    appliesTo: (o) => isBinding(o) && !isDefaultBinding(o),
    check: (o, g): ObjectRawFinding[] => {
      const ref = roleRefOf(o, g);
      if (!ref) return [];
      const severity: Severity = o.kind === 'ClusterRoleBinding' ? 'error' : 'warning';
      if (ref.kind === 'ClusterRole' && ref.name === 'cluster-admin') return [{ path: 'roleRef.name', severity, message: `${o.kind} '${o.name}' grants cluster-admin ${scopeOf(o)}` }];
      if (!ref.role || wildcardRule(ref.role) === -1) return [];
      return [{ path: 'roleRef.name', severity, message: `${o.kind} '${o.name}' binds ${ref.kind} '${ref.name}', which grants every verb on every resource ${scopeOf(o)}` }];
    },
  },
];
