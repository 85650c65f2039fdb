// Pod and container security (L21): what a container may do to its node, and secrets written
// where anyone who can read a manifest can read them. Container settings are judged with the
// pod-level values Kubernetes lets them inherit (runAsUser, runAsNonRoot, seccomp, SELinux).
import { asRecord, type ContainerRef, type PodTemplate, podTemplate, type SecurityContext } from '../../audit/graph.js';
import type { KubeObject } from '../../audit/objects.js';
import type { ObjectRawFinding, WorkloadRule } from '../types.js';
import { at, eachContainer, hasPods } from './common.js';

type Rec = Record<string, unknown>;

function containerSc(c: ContainerRef): (SecurityContext & Rec) | undefined {
  return asRecord(c.container.securityContext) as (SecurityContext & Rec) | undefined;
}

function podSc(t: PodTemplate): (SecurityContext & Rec) | undefined {
  return asRecord(t.spec.securityContext) as (SecurityContext & Rec) | undefined;
}

/** Path of `securityContext.<key>` when written, else of its parent (where it belongs). */
function scPath(base: string, sc: Rec | undefined, key: string): string {
  return sc && sc[key] !== undefined && sc[key] !== null ? at(base, `securityContext.${key}`) : at(base, 'securityContext');
}

const kindOf = (c: ContainerRef) => (c.init ? 'init container' : 'container');

/** Capability names as Kubernetes compares them: upper case, without a CAP_ prefix. */
function caps(list: unknown): string[] {
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string').map((x) => x.toUpperCase().replace(/^CAP_/, '')) : [];
}

/** Capabilities that hand a container control of the node or of its network. */
const DANGEROUS_CAPS = new Set(['ALL', 'SYS_ADMIN', 'NET_ADMIN', 'SYS_MODULE', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_BOOT', 'DAC_READ_SEARCH', 'BPF', 'MAC_ADMIN', 'MAC_OVERRIDE']);

/** The container runtime's default capability set: dropping all of these is as good as dropping ALL. */
const DEFAULT_CAPS = ['NET_ADMIN', 'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE'];

/** Host paths that give the container the container runtime (and so every other container on the node). */
const RUNTIME_SOCKET = /(?:^|\/)(?:docker|containerd|dockershim|crio|cri-dockerd)\.sock$/;
const RUNTIME_DIRS = new Set(['/', '/run', '/var/run', '/var/run/docker', '/run/docker', '/run/containerd', '/var/run/containerd', '/run/crio', '/var/run/crio', '/var/lib/docker']);

/** Annotations of the pod template (a Pod's own, or the template's metadata beside its spec). */
function templateAnnotations(o: KubeObject, t: PodTemplate): Record<string, string> {
  if (t.path === 'spec') return o.annotations;
  let node: unknown = o.raw;
  for (const seg of t.path.replace(/\.spec$/, '').split('.')) node = asRecord(node)?.[seg];
  const ann = asRecord(asRecord(asRecord(node)?.metadata)?.annotations);
  const out: Record<string, string> = {};
  if (ann) for (const [k, v] of Object.entries(ann)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

const set = (v: unknown) => v !== undefined && v !== null;

/**
 * Pods for Windows nodes: Linux security settings (runAsUser, capabilities, read-only root,
 * seccomp…) do not exist there, and with spec.os.name windows the API server rejects them.
 */
function isWindows(t: PodTemplate): boolean {
  return asRecord((t.spec as Rec).os)?.name === 'windows' || t.spec.nodeSelector?.['kubernetes.io/os'] === 'windows';
}

/** Linux pods: the objects the Linux security-context rules apply to. */
function linuxPods(o: KubeObject): boolean {
  const t = podTemplate(o);
  return t !== undefined && !isWindows(t);
}

/** A seccomp or AppArmor profile that confines: a type other than Unconfined. */
function confined(profile: unknown): boolean {
  const type = asRecord(profile)?.type;
  return typeof type === 'string' && type !== '' && type !== 'Unconfined';
}

function hasSelinux(sc: Rec | undefined): boolean {
  const opts = asRecord(sc?.seLinuxOptions);
  if (!opts) return false;
  for (const _ in opts) return true;
  return false;
}

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

const HOST_NAMESPACE_PEERS: Record<'hostNetwork' | 'hostPID' | 'hostIPC', string[]> = {
  hostNetwork: ['polaris:hostNetworkSet', 'kube-linter:host-network'],
  hostPID: ['polaris:hostPIDSet', 'kube-linter:host-pid'],
  hostIPC: ['polaris:hostIPCSet', 'kube-linter:host-ipc'],
};

const HOST_NAMESPACE_WHAT: Record<'hostNetwork' | 'hostPID' | 'hostIPC', { noun: string; why: string }> = {
  hostNetwork: {
    noun: 'network',
    why: 'With hostNetwork the pod listens and connects as the node itself: it bypasses NetworkPolicies, can sniff node traffic and reach the instance metadata service, and its ports collide with the node’s.',
  },
  hostPID: {
    noun: 'process namespace',
    why: 'With hostPID the pod sees every process on the node, can read their environment (secrets included) and, with ptrace, step into them.',
  },
  hostIPC: {
    noun: 'IPC namespace',
    why: 'With hostIPC the pod shares shared memory and semaphores with every process on the node, and can read or corrupt their data.',
  },
};

export const podSecurityRules: WorkloadRule[] = [
  {
    scope: 'workload',
    id: 'workload/privileged',
    severity: 'error',
    lessons: ['L21'],
    equivalents: ['polaris:runAsPrivileged', 'kube-score:container-security-context-privileged', 'kube-linter:privileged-container'],
    title: 'Privileged container',
    why: 'A privileged container sees every device of the node and can load kernel modules or mount the host filesystem: a compromise of the container is a compromise of the node.',
    fix: 'Remove securityContext.privileged, and grant only the specific capability the process needs.',
    appliesTo: hasPods,
    check: (o) =>
      eachContainer(o, (c) => (containerSc(c)?.privileged === true ? { path: at(c.path, 'securityContext.privileged'), message: `${kindOf(c)} '${c.name}' runs privileged` } : undefined), { init: true }),
  },
  {
    scope: 'workload',
    id: 'workload/privilege-escalation',
    severity: 'warning',
    lessons: ['L21'],
    equivalents: ['polaris:privilegeEscalationAllowed', 'kube-linter:privilege-escalation-container', 'hardeneks:disallow_privilege_escalation'],
    title: 'Privilege escalation allowed',
    why: 'Unless allowPrivilegeEscalation is false, a process can gain more privileges than its parent through setuid binaries or file capabilities, which turns a small foothold into root inside the container.',
    fix: 'Set securityContext.allowPrivilegeEscalation: false on every container.',
    appliesTo: linuxPods,
    check: (o) =>
      eachContainer(
        o,
        (c) => {
          const sc = containerSc(c);
          if (sc?.allowPrivilegeEscalation === false) return undefined;
          const how = sc?.allowPrivilegeEscalation === true ? 'allows privilege escalation' : 'does not set allowPrivilegeEscalation: false';
          return { path: scPath(c.path, sc, 'allowPrivilegeEscalation'), message: `${kindOf(c)} '${c.name}' ${how}` };
        },
        { init: true },
      ),
  },
  {
    scope: 'workload',
    id: 'workload/run-as-root',
    severity: 'warning',
    lessons: ['L21'],
    equivalents: ['polaris:runAsRootAllowed', 'kube-linter:run-as-non-root', 'hardeneks:disable_run_as_root_user'],
    title: 'Container may run as root',
    why: 'A process running as UID 0 owns every file in the image and is root on the node the moment it escapes the container; most images run fine as an unprivileged user.',
    fix: 'Set securityContext.runAsNonRoot: true and a runAsUser above 0 (on the pod, or on each container), and build the image with a non-root USER.',
    appliesTo: linuxPods,
    check: (o) =>
      eachContainer(
        o,
        (c, t) => {
          const sc = containerSc(c);
          const pod = podSc(t);
          const user = set(sc?.runAsUser) ? sc!.runAsUser : pod?.runAsUser;
          const nonRoot = set(sc?.runAsNonRoot) ? sc!.runAsNonRoot : pod?.runAsNonRoot;
          if (user === 0) {
            const path = set(sc?.runAsUser) ? at(c.path, 'securityContext.runAsUser') : at(t.path, 'securityContext.runAsUser');
            return { path, message: `${kindOf(c)} '${c.name}' runs as UID 0 (root)` };
          }
          if (nonRoot === true || (typeof user === 'number' && user > 0)) return undefined;
          const path = sc?.runAsNonRoot === false ? at(c.path, 'securityContext.runAsNonRoot') : at(c.path, 'securityContext');
          return { path, message: `${kindOf(c)} '${c.name}' may run as root: neither it nor the pod sets runAsNonRoot: true or a runAsUser above 0` };
        },
        { init: true },
      ),
  },
  {
    scope: 'workload',
    id: 'workload/writable-root-fs',
    severity: 'warning',
    lessons: ['L21'],
    equivalents: ['polaris:notReadOnlyRootFilesystem', 'kube-score:container-security-context-readonlyrootfilesystem', 'kube-linter:no-read-only-root-fs', 'hardeneks:check_read_only_root_file_system'],
    title: 'Writable root filesystem',
    why: 'A writable root filesystem lets an intruder drop tools and rewrite binaries inside the container, and lets the application itself write data that vanishes on restart.',
    fix: 'Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process must write (/tmp, caches).',
    appliesTo: linuxPods,
    check: (o) =>
      eachContainer(
        o,
        (c) => {
          const sc = containerSc(c);
          return sc?.readOnlyRootFilesystem === true ? undefined : { path: scPath(c.path, sc, 'readOnlyRootFilesystem'), message: `${kindOf(c)} '${c.name}' has a writable root filesystem` };
        },
        { init: true },
      ),
  },
  {
    scope: 'workload',
    id: 'workload/dangerous-capabilities',
    severity: 'error',
    lessons: ['L21'],
    equivalents: ['polaris:dangerousCapabilities', 'hardeneks:disallow_linux_capabilities'],
    title: 'Container adds a dangerous capability',
    why: 'Capabilities such as SYS_ADMIN, NET_ADMIN, SYS_PTRACE or ALL are most of what privileged mode grants: they let the container reconfigure the node’s network, trace other processes or escape to the host.',
    fix: 'Remove the capability from securityContext.capabilities.add; if a node agent truly needs it, run it in a dedicated namespace and exempt it with a reason.',
    appliesTo: hasPods,
    check: (o) =>
      eachContainer(
        o,
        (c) => {
          const add = asRecord(containerSc(c)?.capabilities)?.add;
          return caps(add).flatMap((cap, i) =>
            DANGEROUS_CAPS.has(cap) ? [{ path: at(c.path, `securityContext.capabilities.add[${i}]`), message: `${kindOf(c)} '${c.name}' adds capability ${cap}` }] : [],
          );
        },
        { init: true },
      ),
  },
  {
    scope: 'workload',
    id: 'workload/insecure-capabilities',
    severity: 'info',
    lessons: ['L21'],
    equivalents: ['polaris:insecureCapabilities'],
    title: 'Container keeps the default capabilities',
    why: 'Container runtimes grant a default set of capabilities (NET_RAW, CHOWN, SETUID and more) that few applications use; each is attack surface, NET_RAW for instance allows spoofing on the pod network.',
    fix: 'Set securityContext.capabilities.drop: [ALL] and add back only what the process needs (NET_BIND_SERVICE for ports below 1024).',
    appliesTo: linuxPods,
    check: (o) =>
      eachContainer(
        o,
        (c) => {
          const sc = containerSc(c);
          const capabilities = asRecord(sc?.capabilities);
          const drop = caps(capabilities?.drop);
          if (drop.includes('ALL') || DEFAULT_CAPS.every((d) => drop.includes(d))) return undefined;
          const path = capabilities ? at(c.path, set(capabilities.drop) ? 'securityContext.capabilities.drop' : 'securityContext.capabilities') : at(c.path, 'securityContext');
          return { path, message: `${kindOf(c)} '${c.name}' does not drop ALL capabilities` };
        },
        { init: true },
      ),
  },
  ...(['hostNetwork', 'hostPID', 'hostIPC'] as const).map(
    (field): WorkloadRule => ({
      scope: 'workload',
      id: `workload/${field.replace('host', 'host-').toLowerCase()}`,
      severity: 'error',
      lessons: ['L21'],
      equivalents: HOST_NAMESPACE_PEERS[field],
      title: `Pod shares the node's ${HOST_NAMESPACE_WHAT[field].noun}`,
      why: HOST_NAMESPACE_WHAT[field].why,
      fix: `Remove ${field}: true; only node agents need it, and they belong in a system namespace with an exemption that says why.`,
      appliesTo: hasPods,
      check: (o): ObjectRawFinding[] => {
        const t = podTemplate(o);
        return t?.spec[field] === true ? [{ path: at(t.path, field), message: `${o.kind} '${o.name}' sets ${field}: true` }] : [];
      },
    }),
  ),
  {
    scope: 'workload',
    id: 'workload/host-path',
    severity: 'error',
    lessons: ['L21'],
    equivalents: ['polaris:hostPathSet', 'kube-linter:sensitive-host-mounts', 'kube-linter:docker-sock', 'eksup:K8S008', 'hardeneks:disallow_container_socket_mount'],
    title: 'hostPath volume',
    why: 'A hostPath volume reaches past the container into the node’s filesystem; the container runtime’s socket in particular hands over every container on the node, and dockershim sockets are gone since Kubernetes 1.24.',
    fix: 'Use an emptyDir, a ConfigMap/Secret or a persistent volume instead; a node agent that must read the host should mount only the path it needs, readOnly.',
    appliesTo: hasPods,
    check: (o): ObjectRawFinding[] => {
      const t = podTemplate(o);
      const volumes = t?.spec.volumes;
      if (!t || !Array.isArray(volumes)) return [];
      const out: ObjectRawFinding[] = [];
      volumes.forEach((v, i) => {
        const hp = asRecord(asRecord(v)?.hostPath);
        if (!hp) return;
        const hostPath = typeof hp.path === 'string' ? hp.path : '';
        const normal = hostPath.length > 1 ? hostPath.replace(/\/+$/, '') : hostPath;
        const name = typeof v.name === 'string' ? v.name : `#${i}`;
        const path = at(t.path, `volumes[${i}].hostPath${set(hp.path) ? '.path' : ''}`);
        if (RUNTIME_SOCKET.test(normal) || RUNTIME_DIRS.has(normal)) {
          out.push({ path, message: `volume '${name}' mounts ${hostPath} from the node, which exposes the container runtime` });
          return;
        }
        const mounts = mountsOf(t, name);
        const readOnly = mounts.length > 0 && mounts.every((m) => m.readOnly === true);
        out.push({ path, severity: readOnly ? 'info' : 'warning', message: `volume '${name}' mounts ${hostPath || 'a host path'} from the node${readOnly ? ' (read-only)' : ''}` });
      });
      return out;
    },
  },
  {
    scope: 'workload',
    id: 'workload/host-port',
    severity: 'warning',
    lessons: ['L21'],
    equivalents: ['polaris:hostPortSet'],
    title: 'Container binds a host port',
    why: 'A hostPort exposes the container on the node’s own address, outside Services and NetworkPolicies, and lets only one such pod run per node, which blocks rolling updates and scaling.',
    fix: 'Remove ports[].hostPort and expose the container through a Service (or an ingress controller).',
    appliesTo: hasPods,
    check: (o) =>
      eachContainer(
        o,
        (c) => {
          const ports = c.container.ports;
          if (!Array.isArray(ports)) return undefined;
          return ports.flatMap((p, j) => {
            const hostPort = asRecord(p)?.hostPort;
            return typeof hostPort === 'number' && hostPort > 0 ? [{ path: at(c.path, `ports[${j}].hostPort`), message: `${kindOf(c)} '${c.name}' binds host port ${hostPort}` }] : [];
          });
        },
        { init: true },
      ),
  },
  {
    scope: 'workload',
    id: 'workload/proc-mount',
    severity: 'warning',
    lessons: ['L21'],
    equivalents: ['polaris:procMount', 'kube-linter:unsafe-proc-mount'],
    title: 'Unmasked /proc',
    why: 'procMount: Unmasked removes the masks the runtime puts over sensitive parts of /proc, exposing kernel and host information to the container.',
    fix: 'Remove securityContext.procMount (Default is what containers need).',
    appliesTo: hasPods,
    check: (o) =>
      eachContainer(
        o,
        (c) => {
          const pm = containerSc(c)?.procMount;
          return set(pm) && pm !== 'Default' ? { path: at(c.path, 'securityContext.procMount'), message: `${kindOf(c)} '${c.name}' sets procMount: ${String(pm)}` } : undefined;
        },
        { init: true },
      ),
  },
  {
    scope: 'workload',
    id: 'workload/host-process',
    severity: 'error',
    lessons: ['L21'],
    equivalents: ['polaris:hostProcess'],
    title: 'Windows HostProcess container',
    why: 'A Windows HostProcess container runs directly on the node as a host process, with the node’s network and filesystem: it is the Windows equivalent of a privileged container.',
    fix: 'Remove windowsOptions.hostProcess; keep it only for node agents, exempted with a reason.',
    appliesTo: hasPods,
    check: (o): ObjectRawFinding[] => {
      const t = podTemplate(o);
      if (!t) return [];
      const out: ObjectRawFinding[] = [];
      if (asRecord(podSc(t)?.windowsOptions)?.hostProcess === true) out.push({ path: at(t.path, 'securityContext.windowsOptions.hostProcess'), message: `${o.kind} '${o.name}' runs as a Windows HostProcess pod` });
      out.push(
        ...eachContainer(
          o,
          (c) =>
            asRecord(containerSc(c)?.windowsOptions)?.hostProcess === true ? { path: at(c.path, 'securityContext.windowsOptions.hostProcess'), message: `${kindOf(c)} '${c.name}' runs as a Windows HostProcess container` } : undefined,
          { init: true },
        ),
      );
      return out;
    },
  },
  {
    scope: 'workload',
    id: 'workload/service-account-token',
    severity: 'info',
    lessons: ['L21'],
    equivalents: ['polaris:automountServiceAccountToken', 'hardeneks:disable_service_account_token_mounts'],
    title: 'Service account token mounted',
    why: 'Every pod gets an API token for its service account unless told otherwise; an application that never calls the Kubernetes API only gives an intruder a credential to use.',
    fix: 'Set automountServiceAccountToken: false on the pod spec (or on its ServiceAccount), and leave it on only for pods that talk to the API.',
    appliesTo: hasPods,
    check: (o, g): ObjectRawFinding[] => {
      const t = podTemplate(o);
      if (!t) return [];
      const pod = t.spec.automountServiceAccountToken;
      if (pod === false) return [];
      const raw = t.spec as Rec;
      const saName = typeof t.spec.serviceAccountName === 'string' && t.spec.serviceAccountName ? t.spec.serviceAccountName : typeof raw.serviceAccount === 'string' && raw.serviceAccount ? raw.serviceAccount : 'default';
      if (pod === true) return [{ path: at(t.path, 'automountServiceAccountToken'), message: `${o.kind} '${o.name}' mounts the token of service account '${saName}'` }];
      const sa = g.find('ServiceAccount', o.namespace, saName);
      if (sa?.raw.automountServiceAccountToken === false) return [];
      const where = sa ? `its ServiceAccount '${saName}' does not turn it off` : `service account '${saName}' is not in the input to turn it off`;
      return [{ path: t.path, message: `${o.kind} '${o.name}' mounts a service account token: the pod does not set automountServiceAccountToken: false and ${where}` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/linux-hardening',
    severity: 'info',
    lessons: ['L21'],
    equivalents: ['polaris:linuxHardening'],
    title: 'No Linux hardening profile',
    why: 'Seccomp, AppArmor, SELinux or dropped capabilities each cut down the kernel surface a compromised process can reach; a container with none of them gets the runtime’s full default.',
    fix: 'Set securityContext.seccompProfile.type: RuntimeDefault on the pod (and drop ALL capabilities in each container).',
    appliesTo: linuxPods,
    check: (o) => {
      const t = podTemplate(o);
      if (!t) return [];
      const pod = podSc(t);
      const podHardened = hasSelinux(pod);
      let annotations: Record<string, string> | undefined;
      return eachContainer(
        o,
        (c) => {
          const sc = containerSc(c);
          if (podHardened || hasSelinux(sc)) return undefined;
          if (set(asRecord(sc?.seccompProfile)?.type) ? confined(sc?.seccompProfile) : confined(pod?.seccompProfile)) return undefined;
          if (set(asRecord(sc?.appArmorProfile)?.type) ? confined(sc?.appArmorProfile) : confined(pod?.appArmorProfile)) return undefined;
          const capabilities = asRecord(sc?.capabilities);
          if (capabilities && caps(capabilities.drop).length > 0 && !caps(capabilities.add).includes('ALL')) return undefined;
          annotations ??= templateAnnotations(o, t);
          const annotation = annotations[APPARMOR_ANNOTATION + c.name];
          if (annotation !== undefined && annotation !== 'unconfined') return undefined;
          return { path: at(c.path, 'securityContext'), message: `${kindOf(c)} '${c.name}' uses none of seccomp, AppArmor, SELinux or dropped capabilities` };
        },
        { init: true },
      );
    },
  },
];

function mountsOf(t: PodTemplate, volume: string): Array<{ readOnly?: boolean }> {
  const out: Array<{ readOnly?: boolean }> = [];
  for (const key of ['containers', 'initContainers'] as const) {
    for (const c of t.spec[key] ?? []) {
      for (const m of asRecord(c)?.volumeMounts && Array.isArray(c.volumeMounts) ? c.volumeMounts : []) if (asRecord(m)?.name === volume) out.push(m);
    }
  }
  return out;
}
