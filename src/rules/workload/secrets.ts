// Credentials written where they do not belong: literal env values and ConfigMaps (L21).
import { asRecord, type ContainerRef } from '../../audit/graph.js';
import type { ObjectRawFinding, WorkloadRule } from '../types.js';
import { at, eachContainer, hasPods } from './common.js';

const set = (v: unknown) => v !== undefined && v !== null;
const kindOf = (c: ContainerRef) => (c.init ? 'init container' : 'container');

/** Env var names and ConfigMap keys that usually hold a credential. */
const SECRET_NAME = [/^AWS_SECRET_ACCESS_KEY$/i, /^AZURE_.+KEY$/i, /^OCI_CLI_KEY_CONTENT$/i, /password|passwd/i, /token/i, /bearer/i, /secret/i, /api[_-]?key/i, /private[_-]?key/i];
/** ...unless the name says the value only points at one (a file, a URL, a Secret's name) or describes it. */
const SECRET_METADATA = /[_.-](FILE|PATH|DIR|URL|URI|ENDPOINT|HOST|NAME|REF|ID|TTL|EXPIRY|LIFETIME|LENGTH|HEADER|TYPE|ENABLED|MOUNT|ISSUER|AUDIENCE|SCOPES?)$/i;
const PRIVATE_KEY = /-BEGIN\s+.*PRIVATE KEY-/i;

/** Why a name/value pair looks like a credential written in clear, or undefined. */
export function secretLike(name: string, value: string): string | undefined {
  if (PRIVATE_KEY.test(value)) return 'holds a private key';
  if (!value.trim() || /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(value.trim()) || /^(true|false)$/i.test(value.trim())) return undefined;
  if (/^GOOGLE_APPLICATION_CREDENTIALS$/i.test(name)) return value.trim().startsWith('{') ? 'holds a service-account key' : undefined;
  if (SECRET_METADATA.test(name)) return undefined;
  return SECRET_NAME.some((re) => re.test(name)) ? 'has a name of a credential and a literal value' : undefined;
}

export const secretRules: WorkloadRule[] = [
  {
    scope: 'workload',
    id: 'workload/secret-in-env',
    severity: 'warning',
    lessons: ['L21'],
    equivalents: ['polaris:sensitiveContainerEnvVar', 'kube-linter:env-var-secret', 'hardeneks:disallow_secrets_from_env_vars'],
    title: 'Credential written into an env var',
    why: 'A password or token written as a literal env value sits in Git, in the API server for anyone who can read the workload, and in every kubectl describe.',
    fix: 'Put the value in a Secret (or an external secret store) and reference it with env[].valueFrom.secretKeyRef.',
    appliesTo: hasPods,
    check: (o) =>
      eachContainer(
        o,
        (c) => {
          const env = c.container.env;
          if (!Array.isArray(env)) return undefined;
          return env.flatMap((e, j) => {
            const r = asRecord(e);
            if (!r || typeof r.name !== 'string' || !set(r.value) || typeof r.value === 'object') return [];
            const why = secretLike(r.name, String(r.value));
            return why ? [{ path: at(c.path, `env[${j}].value`), message: `${kindOf(c)} '${c.name}': env var ${r.name} ${why}` }] : [];
          });
        },
        { init: true },
      ),
  },
  {
    scope: 'workload',
    id: 'workload/secret-in-configmap',
    severity: 'warning',
    lessons: ['L21'],
    equivalents: ['polaris:sensitiveConfigmapContent'],
    title: 'Credential in a ConfigMap',
    why: 'ConfigMaps are not meant for secrets: they are readable by far more roles than Secrets, are never encrypted at rest with KMS, and show up in plain text in every dump.',
    fix: 'Move the value into a Secret (or an external secret store) and mount or reference that instead.',
    appliesTo: (o) => o.kind === 'ConfigMap',
    check: (o): ObjectRawFinding[] => {
      const data = asRecord(o.raw.data);
      if (!data) return [];
      return Object.entries(data).flatMap(([k, v]) => {
        if (!set(v) || typeof v === 'object') return [];
        const why = secretLike(k, String(v));
        return why ? [{ path: `data[${JSON.stringify(k)}]`, message: `ConfigMap '${o.name}': key ${k} ${why}` }] : [];
      });
    },
  },
];
