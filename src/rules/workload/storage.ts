// Storage (L35, L36, L10): an EBS volume lives in one zone, so a StatefulSet's volumes must be
// created where its pods run; and a database without a persistent volume loses its data with the pod.
import { asRecord, type Container, type ObjectGraph, type PodTemplate, podTemplate } from '../../audit/graph.js';
import type { KubeObject } from '../../audit/objects.js';
import type { ObjectRawFinding, WorkloadRule } from '../types.js';
import { at, eachContainer, hasPods } from './common.js';

// ---- zones ----

const ZONE_KEYS = new Set(['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone', 'topology.ebs.csi.aws.com/zone']);
const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];
/** Provisioners whose volumes any zone can mount (network file systems): zones do not matter to them. */
const REGIONAL_PROVISIONER = /(^|[./-])(efs|nfs|smb)([./-]|$)|file\.csi\.azure\.com|filestore\.csi\.storage\.gke\.io/;

function claimTemplates(o: KubeObject): unknown[] {
  const v = asRecord(o.raw.spec)?.volumeClaimTemplates;
  return Array.isArray(v) ? v : [];
}

/** The one zone every required scheduling constraint holds the pods to, if any. */
function pinnedZone(t: PodTemplate): string | undefined {
  const ns = asRecord(t.spec.nodeSelector);
  for (const k of ZONE_KEYS) if (ns?.[k] !== undefined && ns[k] !== null) return String(ns[k]);
  const terms = asRecord(asRecord(asRecord(t.spec.affinity)?.nodeAffinity)?.requiredDuringSchedulingIgnoredDuringExecution)?.nodeSelectorTerms;
  if (!Array.isArray(terms) || !terms.length) return undefined;
  // Terms are ORed: each must allow exactly the same single zone.
  let zone: string | undefined;
  for (const term of terms) {
    const exprs = asRecord(term)?.matchExpressions;
    const z = (Array.isArray(exprs) ? exprs : []).map(asRecord).find((e) => typeof e?.key === 'string' && ZONE_KEYS.has(e.key) && e.operator === 'In' && Array.isArray(e.values) && e.values.length === 1);
    if (!z) return undefined;
    const v = String((z.values as unknown[])[0]);
    if (zone !== undefined && zone !== v) return undefined;
    zone = v;
  }
  return zone;
}

/** True when the class only provisions in one zone (allowedTopologies with a single zone value). */
function classInOneZone(sc: KubeObject): boolean {
  const topo = sc.raw.allowedTopologies;
  if (!Array.isArray(topo) || topo.length !== 1) return false;
  const exprs = asRecord(topo[0])?.matchLabelExpressions;
  return Array.isArray(exprs) && exprs.some((e) => typeof asRecord(e)?.key === 'string' && ZONE_KEYS.has(asRecord(e)!.key as string) && Array.isArray(asRecord(e)!.values) && (asRecord(e)!.values as unknown[]).length === 1);
}

function defaultClass(g: ObjectGraph): KubeObject | undefined {
  return g.inNamespace('', 'StorageClass').find((sc) => DEFAULT_CLASS_ANNOTATIONS.some((a) => sc.annotations[a] === 'true'));
}

function zoneCheck(o: KubeObject, g: ObjectGraph): ObjectRawFinding[] {
  const t = podTemplate(o);
  if (!t) return [];
  const zone = pinnedZone(t);
  const out: ObjectRawFinding[] = [];
  claimTemplates(o).forEach((raw, i) => {
    const vct = asRecord(raw);
    const spec = asRecord(vct?.spec);
    const claim = String(asRecord(vct?.metadata)?.name ?? `#${i}`);
    const base = `spec.volumeClaimTemplates[${i}]`;
    const legacy = asRecord(asRecord(vct?.metadata)?.annotations)?.['volume.beta.kubernetes.io/storage-class'];
    const named = spec?.storageClassName ?? legacy;
    if (named === '') return; // bound to pre-provisioned volumes, which carry their own zone
    const name = typeof named === 'string' ? named : undefined;
    const sc = name !== undefined ? g.find('StorageClass', '', name) : defaultClass(g);
    const path = name !== undefined && spec?.storageClassName !== undefined ? `${base}.spec.storageClassName` : `${base}.spec`;
    const which = name !== undefined ? `StorageClass '${name}'` : sc ? `the default StorageClass '${sc.name}'` : 'the cluster’s default StorageClass';
    if (!sc) {
      if (zone !== undefined) return;
      out.push({
        path,
        severity: 'info',
        message: `StatefulSet '${o.name}' claim '${claim}' uses ${which}, which is not in the input, and its pods are not pinned to one zone: whether volumes are created in their pod’s zone (WaitForFirstConsumer) cannot be told from here; kuberator’s own gp3 class binds WaitForFirstConsumer`,
      });
      return;
    }
    if (typeof sc.raw.provisioner === 'string' && REGIONAL_PROVISIONER.test(sc.raw.provisioner)) return;
    const mode = typeof sc.raw.volumeBindingMode === 'string' ? sc.raw.volumeBindingMode : 'Immediate';
    if (mode === 'WaitForFirstConsumer' || classInOneZone(sc)) return;
    const effect =
      zone !== undefined
        ? `the pods are pinned to zone ${zone}, but the volume may be created in another zone, and then the pod can never be scheduled`
        : 'each volume is created in whatever zone the provisioner picks before its pod is scheduled, so pods are tied to zones the scheduler did not choose and stay Pending when that zone has no room';
    out.push({ path, message: `StatefulSet '${o.name}' claim '${claim}' uses ${which}, which binds volumes ${mode === 'Immediate' ? 'immediately' : `in mode ${mode}`}: ${effect}` });
  });
  return out;
}

// ---- stateful images ----

/** Image names (the last path component, without registry, tag or digest) of servers that keep data. */
const STATEFUL_IMAGES = new Set([
  'postgres', 'postgresql', 'postgresql-repmgr', 'postgis', 'timescaledb', 'timescaledb-ha', 'mysql', 'mysql-server', 'percona-server', 'mariadb', 'mariadb-galera',
  'mongo', 'mongodb', 'mongodb-sharded', 'mongodb-community-server', 'elasticsearch', 'opensearch', 'kafka', 'cp-kafka', 'cp-server', 'zookeeper', 'cp-zookeeper',
  'rabbitmq', 'cassandra', 'scylla', 'etcd', 'clickhouse', 'clickhouse-server', 'minio', 'couchdb', 'neo4j', 'influxdb', 'cockroach', 'questdb', 'solr', 'consul', 'arangodb',
  'redis', 'redis-cluster', 'redis-stack-server', 'valkey', 'keydb', 'nats', 'nats-server',
]);
/** Servers often run as disposable caches or brokers: flagged as info. */
const OFTEN_EPHEMERAL = new Set(['redis', 'redis-cluster', 'redis-stack-server', 'valkey', 'keydb', 'nats', 'nats-server']);
/** Client tools shipped in the same images (a backup job running pg_dump is not a database). */
const CLIENT_COMMANDS = new Set(['psql', 'pg_dump', 'pg_dumpall', 'pg_restore', 'pg_basebackup', 'mysql', 'mysqldump', 'mariadb-dump', 'mongosh', 'mongodump', 'mongorestore', 'redis-cli', 'valkey-cli', 'etcdctl', 'mc', 'cqlsh', 'clickhouse-client', 'kafka-topics.sh', 'kafka-console-consumer.sh', 'kafka-console-producer.sh', 'rabbitmqadmin', 'rabbitmqctl']);
/** Volume sources whose data outlives the pod. */
const PERSISTENT_SOURCES = ['persistentVolumeClaim', 'awsElasticBlockStore', 'gcePersistentDisk', 'azureDisk', 'azureFile', 'nfs', 'csi', 'cephfs', 'rbd', 'iscsi', 'cinder', 'glusterfs', 'fc', 'portworxVolume', 'vsphereVolume'];

export function imageName(image: string): string {
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const last = noDigest.slice(slash + 1);
  const colon = last.indexOf(':');
  return (colon === -1 ? last : last.slice(0, colon)).toLowerCase();
}

function statefulServer(c: Container): string | undefined {
  if (typeof c.image !== 'string') return undefined;
  const name = imageName(c.image.trim());
  if (!STATEFUL_IMAGES.has(name)) return undefined;
  const cmd = Array.isArray(c.command) && typeof c.command[0] === 'string' ? c.command[0] : undefined;
  if (cmd && CLIENT_COMMANDS.has(cmd.slice(cmd.lastIndexOf('/') + 1))) return undefined;
  return name;
}

const runsStatefulServer = (o: KubeObject) => {
  if (!hasPods(o) || o.kind === 'Job' || o.kind === 'CronJob') return false;
  const cs = podTemplate(o)!.spec.containers;
  return Array.isArray(cs) && cs.some((c) => c && typeof c === 'object' && statefulServer(c) !== undefined);
};

function volumeCheck(o: KubeObject): ObjectRawFinding[] {
  const t = podTemplate(o)!;
  const persistent = new Set<string>();
  const ephemeral = new Map<string, string>();
  for (const v of Array.isArray(t.spec.volumes) ? t.spec.volumes : []) {
    const r = asRecord(v);
    if (typeof r?.name !== 'string') continue;
    if (PERSISTENT_SOURCES.some((k) => r[k] !== undefined && r[k] !== null)) persistent.add(r.name);
    else ephemeral.set(r.name, r.emptyDir !== undefined ? 'emptyDir' : r.ephemeral !== undefined ? 'ephemeral volume' : r.hostPath !== undefined ? 'hostPath' : 'volume');
  }
  for (const vct of claimTemplates(o)) {
    const name = asRecord(asRecord(vct)?.metadata)?.name;
    if (typeof name === 'string') persistent.add(name);
  }
  return eachContainer(o, (c) => {
    const server = statefulServer(c.container);
    if (!server) return undefined;
    const mounts = Array.isArray(c.container.volumeMounts) ? c.container.volumeMounts : [];
    if (mounts.some((m) => typeof m?.name === 'string' && persistent.has(m.name))) return undefined;
    const local = mounts.map((m) => (typeof m?.name === 'string' && ephemeral.has(m.name) ? `${ephemeral.get(m.name)} '${m.name}'` : undefined)).find((x) => x !== undefined);
    const where = local
      ? `its data sits in ${local}`
      : persistent.size
        ? `the pod has persistent ${persistent.size === 1 ? 'volume' : 'volumes'} ${[...persistent].map((n) => `'${n}'`).join(', ')} but this container ${persistent.size === 1 ? 'does not mount it' : 'mounts none of them'}, so its data sits in the container’s own filesystem`
        : 'its data sits in the container’s own filesystem';
    const cache = OFTEN_EPHEMERAL.has(server);
    return {
      path: mounts.length ? at(c.path, 'volumeMounts') : c.path,
      ...(cache ? { severity: 'info' as const } : {}),
      message: `container '${c.name}' runs ${server}${String(c.container.image).trim() === server ? '' : ` (${String(c.container.image)})`} without a persistent volume: ${where} and dies with the pod${cache ? ' (fine for a pure cache; not for anything it must keep)' : ''}`,
    };
  });
}

export const storageRules: WorkloadRule[] = [
  {
    scope: 'workload',
    id: 'workload/statefulset-zone',
    severity: 'warning',
    lessons: ['L35', 'L10'],
    equivalents: [],
    title: 'StatefulSet volumes that may be created in the wrong zone',
    why: 'An EBS volume can only attach in the zone it was created in. A storage class that binds Immediately creates it before the pod is scheduled, in a zone nobody chose; the pod is then tied to that zone for life and stays Pending whenever the zone has no room.',
    fix: 'Use a StorageClass with volumeBindingMode: WaitForFirstConsumer (kuberator’s gp3 class does), or pin the StatefulSet to one zone and restrict the class to that zone with allowedTopologies.',
    appliesTo: (o) => o.kind === 'StatefulSet' && hasPods(o) && claimTemplates(o).length > 0,
    check: (o, g) => zoneCheck(o, g),
  },
  {
    scope: 'workload',
    id: 'workload/stateful-image-without-volume',
    severity: 'warning',
    lessons: ['L36'],
    equivalents: [],
    title: 'Database or broker without a persistent volume',
    why: 'A database, queue or search server that writes to its container filesystem or an emptyDir loses everything when the pod is rescheduled: a node drain, an upgrade or a spot reclaim is then a data loss.',
    fix: 'Run it as a StatefulSet with volumeClaimTemplates (or mount a PersistentVolumeClaim) at its data directory, or use a managed service (RDS, ElastiCache, MSK, OpenSearch Service).',
    appliesTo: runsStatefulServer,
    check: (o) => volumeCheck(o),
  },
];
