// Loading a kubeconfig for code that talks to a cluster (`audit --live`, `upgrade --live`, the
// daemons): @kubernetes/client-node is imported only here and only when called, so commands that
// never reach a cluster do not pay for it. Problems become KuberatorError KBR-LIVE002/003.
import { KuberatorError } from '../../errors.js';

export type KubeModule = typeof import('@kubernetes/client-node');
export type KubeConfig = import('@kubernetes/client-node').KubeConfig;

export interface KubeConfigOptions {
  /** A kubeconfig file; default: $KUBECONFIG, else ~/.kube/config, else the pod's service account. */
  kubeconfig?: string;
  /** A context of the kubeconfig; default: its current context. */
  context?: string;
}

export interface LoadedKubeConfig {
  k8s: KubeModule;
  kc: KubeConfig;
  context: string;
  /** The server URL of the context's cluster. */
  server: string;
  user: string;
  /** `https://host:port (context "name")`, for messages. */
  where: string;
}

let module: Promise<KubeModule> | undefined;

/** @kubernetes/client-node, imported once. */
export function loadKubeModule(): Promise<KubeModule> {
  return (module ??= import('@kubernetes/client-node'));
}

export async function loadKubeConfig(opts: KubeConfigOptions = {}): Promise<LoadedKubeConfig> {
  const k8s = await loadKubeModule();
  const kc = new k8s.KubeConfig();
  const file = opts.kubeconfig ?? (process.env.KUBECONFIG ? `$KUBECONFIG (${process.env.KUBECONFIG})` : '~/.kube/config');
  try {
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new KuberatorError('KBR-LIVE002', `cannot read kubeconfig ${file}: no such file`);
    throw new KuberatorError('KBR-LIVE002', `kubeconfig ${file} is not valid: ${oneLine(err.message)}`);
  }
  const names = kc.getContexts().map((c) => c.name);
  // loadFromDefault falls back to this placeholder when it finds no file and no service account.
  if (!opts.kubeconfig && kc.getCurrentContext() === 'loaded-context' && kc.getCurrentCluster()?.server === 'http://localhost:8080') {
    throw new KuberatorError('KBR-LIVE002', 'no kubeconfig: KUBECONFIG is not set, ~/.kube/config does not exist and this is not a pod with a service account');
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      throw new KuberatorError('KBR-LIVE002', `context "${opts.context}" is not in kubeconfig ${file} (contexts: ${names.join(', ') || 'none'})`);
    }
    kc.setCurrentContext(opts.context);
  }
  const context = kc.getCurrentContext();
  if (!context || !kc.getContextObject(context)) {
    throw new KuberatorError('KBR-LIVE002', `kubeconfig ${file} has no current context${context ? ` ("${context}" is not defined)` : ''}; choose one of: ${names.join(', ') || 'none'}`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new KuberatorError('KBR-LIVE002', `context "${context}" in kubeconfig ${file} names a cluster that is not defined or has no server`);
  const user = kc.getCurrentUser()?.name ?? '(none)';
  return { k8s, kc, context, server: cluster.server, user, where: `${cluster.server} (context "${context}")` };
}

/** The first non-empty line of a message, at most 300 characters. */
export function oneLine(s: string): string {
  const line = s.split('\n').map((x) => x.trim()).find((x) => x) ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

// ---- a thin JSON client ----

export interface KubeResponse<T = unknown> {
  status: number;
  /** The parsed JSON answer; undefined when it was empty or not JSON. */
  body: T | undefined;
}

export interface KubeRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** An object to send as JSON. */
  body?: unknown;
  /** @default 'application/json' (for PATCH: 'application/merge-patch+json') */
  contentType?: string;
  signal?: AbortSignal;
  /** @default 15000 */
  timeoutMs?: number;
}

/**
 * Requests to one API server with the kubeconfig's credentials. `request` resolves with any HTTP
 * status (the caller decides what a 404 or 429 means) and rejects only when no answer came
 * (connection refused, timeout, abort).
 */
export interface KubeHttp {
  where: string;
  request<T = unknown>(path: string, req?: KubeRequest): Promise<KubeResponse<T>>;
  close(): void;
}

/** A KubeHttp over the context of a kubeconfig (see loadKubeConfig). */
export async function connectKube(opts: KubeConfigOptions = {}): Promise<KubeHttp> {
  const loaded = await loadKubeConfig(opts);
  return kubeHttp(loaded);
}

/** How to reach a context's API server: its base URL, a keep-alive agent and the credential headers. */
export interface KubeTransport {
  base: string;
  agent: import('node:http').Agent;
  headers: Record<string, string>;
  auth?: string;
  send: typeof import('node:http').request;
}

/**
 * client-node fills in TLS material, the Authorization header (running exec and auth-provider
 * plugins) and, for a proxy, the agent; without a proxy, a keep-alive agent with the same TLS material.
 */
export async function kubeTransport(loaded: LoadedKubeConfig, maxSockets: number): Promise<KubeTransport> {
  const { kc, where, user } = loaded;
  const [{ Agent: HttpAgent, request: httpRequest }, { Agent: HttpsAgent, request: httpsRequest }] = await Promise.all([import('node:http'), import('node:https')]);
  const cluster = kc.getCurrentCluster()!;
  const o: Record<string, unknown> & { headers?: Record<string, string>; agent?: import('node:http').Agent } = {};
  try {
    await kc.applyToHTTPSOptions(o as never);
  } catch (e) {
    throw new KuberatorError('KBR-LIVE003', `cannot get credentials for user "${user}" of ${where}: ${oneLine((e as Error).message)}`);
  }
  const secure = !cluster.server.startsWith('http:');
  let agent: import('node:http').Agent;
  if (cluster.proxyUrl && o.agent) agent = o.agent;
  else if (!secure) agent = new HttpAgent({ keepAlive: true, maxSockets });
  else {
    const tls: Record<string, unknown> = { keepAlive: true, maxSockets };
    for (const k of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'servername', 'rejectUnauthorized']) if (o[k] !== undefined) tls[k] = o[k];
    agent = new HttpsAgent(tls);
  }
  return {
    base: cluster.server.replace(/\/+$/, ''),
    agent,
    headers: { ...(o.headers ?? {}), accept: 'application/json' },
    ...(typeof o.auth === 'string' ? { auth: o.auth } : {}),
    send: (secure ? httpsRequest : httpRequest) as typeof import('node:http').request,
  };
}

export async function kubeHttp(loaded: LoadedKubeConfig, maxSockets = 32): Promise<KubeHttp> {
  const { where } = loaded;
  const { base, agent, headers: baseHeaders, auth, send } = await kubeTransport(loaded, maxSockets);
  return {
    where,
    request<T>(path: string, req: KubeRequest = {}): Promise<KubeResponse<T>> {
      const method = req.method ?? 'GET';
      const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
      const headers: Record<string, string | number> = { ...baseHeaders };
      if (payload) {
        headers['content-type'] = req.contentType ?? (method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
        headers['content-length'] = payload.length;
      }
      return new Promise((resolve, reject) => {
        const r = send(`${base}${path}`, { method, agent, headers, auth, timeout: req.timeoutMs ?? 15_000, signal: req.signal }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: T | undefined;
            try {
              body = text ? (JSON.parse(text) as T) : undefined;
            } catch {
              body = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
        });
        r.on('timeout', () => r.destroy(Object.assign(new Error(`no answer from ${where} within ${(req.timeoutMs ?? 15_000) / 1000} s`), { code: 'ETIMEDOUT' })));
        r.on('error', reject);
        r.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}

/** The `message` of a Kubernetes Status answer, or a fallback. */
export function statusMessage(body: unknown, fallback = ''): string {
  const m = (body as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' ? oneLine(m) : fallback;
}
