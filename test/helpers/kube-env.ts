// A real Kubernetes API server for tests: etcd + kube-apiserver (1.20.2, built by
// scripts/test-env/build-apiserver.sh) on free loopback ports in a temporary directory, with an
// admin token user in system:masters. No controllers, scheduler or nodes: objects stay as created.
//
// Every server runs under a small `sh` guard that kills it when its stdin (a pipe from this process)
// closes, so no server outlives the test process, even when it is killed with SIGKILL.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, isExecutable, logTail, onPath, scratchRoot } from './servers.js';

export const APISERVER_VERSION = '1.20.2';

export interface KubeEnv {
  /** Path of a kubeconfig file whose current context is an admin token user (group system:masters). */
  kubeconfig: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** The admin bearer token. */
  token: string;
  /** The temporary directory holding certificates, etcd data, logs and the kubeconfig. */
  dir: string;
  /** Stops both servers and removes `dir`. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops and starts kube-apiserver only: same port, same etcd data. Resolves once it is ready again. */
  restartApiserver(): Promise<void>;
}

/** KUBERATOR_APISERVER, else the build script's cache path when it exists. */
export function apiserverBinary(): string | undefined {
  const fromEnv = process.env.KUBERATOR_APISERVER;
  if (fromEnv) return fromEnv;
  const cache = process.env.KUBERATOR_TEST_CACHE || join(homedir(), '.cache', 'kuberator-test');
  const cached = join(cache, `kube-apiserver-${APISERVER_VERSION}`);
  return existsSync(cached) ? cached : undefined;
}

/**
 * For node:test's `skip` option: a message when the servers are missing and KUBERATOR_REQUIRE_LIVE
 * is not set, undefined when they are there. Throws when they are missing and it is set (CI).
 */
export function liveSkipReason(): string | undefined {
  const bin = apiserverBinary();
  let reason: string | undefined;
  if (!bin || !isExecutable(bin)) {
    reason = bin
      ? `kube-apiserver ${bin} (KUBERATOR_APISERVER) is not an executable file`
      : 'no kube-apiserver: run scripts/test-env/build-apiserver.sh or set KUBERATOR_APISERVER';
  } else if (!onPath('etcd')) reason = 'no etcd on PATH: run scripts/test-env/build-apiserver.sh (installs etcd-server)';
  else if (!onPath('openssl')) reason = 'no openssl on PATH';
  if (reason && process.env.KUBERATOR_REQUIRE_LIVE) throw new Error(`${reason} (KUBERATOR_REQUIRE_LIVE is set, so live tests may not be skipped)`);
  return reason;
}

// $@: the server command. Its stdin is /dev/null; the guard reads this shell's stdin (fd 3) and kills
// the server at end of file, which happens when the test process closes the pipe or dies. KBR_RM, when
// set, is removed once the server is gone.
const GUARD = `
exec 3<&0
"$@" </dev/null 3<&- &
c=$!
trap 'kill -9 "$c" 2>/dev/null' INT TERM HUP
{ while read -r _; do :; done; kill -9 "$c" 2>/dev/null; } <&3 &
w=$!
exec 3<&-
wait "$c"; s=$?
wait "$c" 2>/dev/null
kill "$w" 2>/dev/null
[ -z "$KBR_RM" ] || rm -rf "$KBR_RM"
exit $s
`;

const run = promisify(execFile);
const READY_TIMEOUT_MS = 60_000;

interface Guarded {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** The exit code once exited. */
  done?: { code: number | null };
}

/** Every directory of a running env, removed at exit if stop() was not called. */
const live = new Set<string>();
let exitHookInstalled = false;

export interface KubeEnvOptions {
  /** The Service ClusterIP range. @default '10.0.0.0/24' (a /16 holds the thousands of Services a benchmark creates) */
  serviceClusterIpRange?: string;
}

export async function startKubeEnv(opts: KubeEnvOptions = {}): Promise<KubeEnv> {
  const bin = apiserverBinary();
  if (!bin || !isExecutable(bin)) throw new Error(liveSkipReason() ?? 'no kube-apiserver');
  installExitHook();
  const dir = mkdtempSync(join(scratchRoot(), 'kuberator-kube-'));
  live.add(dir);
  let etcd: Guarded | undefined;
  let apiserver: Guarded | undefined;
  const stopAll = async () => {
    await Promise.all([apiserver && stopGuarded(apiserver), etcd && stopGuarded(etcd)]);
    rmSync(dir, { recursive: true, force: true });
    live.delete(dir);
  };
  try {
    const [clientPort, peerPort, securePort] = await freePorts(3);
    const token = randomBytes(16).toString('hex');
    await Promise.all([
      run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'serving.key'), '-out', join(dir, 'serving.crt')]),
      run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', join(dir, 'sa.key')]).then(() => run('openssl', ['pkey', '-in', join(dir, 'sa.key'), '-pubout', '-out', join(dir, 'sa.pub')])),
    ]);
    writeFileSync(join(dir, 'tokens.csv'), `${token},kuberator-admin,kuberator-admin,"system:masters"\n`, { mode: 0o600 });
    const server = `https://127.0.0.1:${securePort}`;
    const ca = readFileSync(join(dir, 'serving.crt'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigText(server, ca, token), { mode: 0o600 });

    const etcdUrl = `http://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    etcd = startGuarded('etcd', ['--name', 'test', '--data-dir', join(dir, 'etcd'), '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl, '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `test=${peerUrl}`, '--logger', 'zap', '--log-level', 'warn'], join(dir, 'etcd.log'), dir);
    const apiArgs = [
      `--etcd-servers=${etcdUrl}`,
      `--secure-port=${securePort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--tls-cert-file=${join(dir, 'serving.crt')}`,
      `--tls-private-key-file=${join(dir, 'serving.key')}`,
      `--cert-dir=${join(dir, 'certs')}`,
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      // Privileged containers may be created, so the audit's privileged rule can be tested live.
      '--allow-privileged=true',
      '--disable-admission-plugins=ServiceAccount',
      `--service-cluster-ip-range=${opts.serviceClusterIpRange ?? '10.0.0.0/24'}`,
      // Endpoints may not be loopback addresses; nothing needs the `kubernetes` Service endpoints.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
    ];
    const apiLog = join(dir, 'apiserver.log');
    // etcd and kube-apiserver start together: the apiserver retries etcd until it answers.
    apiserver = startGuarded(bin, apiArgs, apiLog);
    await waitReady(server, token, ca, apiserver, apiLog, etcd, join(dir, 'etcd.log'));

    let stopped: Promise<void> | undefined;
    return {
      kubeconfig,
      server,
      token,
      dir,
      stop: () => (stopped ??= stopAll()),
      async restartApiserver() {
        if (stopped) throw new Error('the kube env is stopped');
        if (apiserver) await stopGuarded(apiserver);
        apiserver = startGuarded(bin, apiArgs, apiLog);
        await waitReady(server, token, ca, apiserver, apiLog, etcd!, join(dir, 'etcd.log'));
      },
    };
  } catch (e) {
    await stopAll().catch(() => undefined);
    throw e;
  }
}

function startGuarded(command: string, args: string[], log: string, removeWhenGone?: string): Guarded {
  const fd = openSync(log, 'a');
  const child = spawn('sh', ['-c', GUARD, 'kbr-guard', command, ...args], {
    stdio: ['pipe', fd, fd],
    env: removeWhenGone ? { ...process.env, KBR_RM: removeWhenGone } : { ...process.env, KBR_RM: '' },
  });
  closeSync(fd);
  const g: Guarded = {
    child,
    exited: new Promise((resolve) => {
      child.once('exit', (code) => {
        g.done = { code };
        resolve(code);
      });
      child.once('error', () => {
        g.done = { code: null };
        resolve(null);
      });
    }),
  };
  // A forgotten stop() must not keep the test process alive; its exit closes the pipe, which stops the server.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return g;
}

async function stopGuarded(g: Guarded): Promise<void> {
  if (g.done) return;
  g.child.stdin?.end();
  const timer = setTimeout(() => g.child.kill('SIGKILL'), 10_000);
  await g.exited;
  clearTimeout(timer);
}

async function waitReady(server: string, token: string, ca: Buffer, apiserver: Guarded, apiLog: string, etcd: Guarded, etcdLog: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  for (;;) {
    if (etcd.done) throw new Error(`etcd exited (code ${etcd.done.code}) before kube-apiserver was ready:\n${logTail(etcdLog)}`);
    if (apiserver.done) throw new Error(`kube-apiserver exited (code ${apiserver.done.code}) before it was ready:\n${logTail(apiLog)}`);
    try {
      const r = await get(`${server}/readyz`, token, ca);
      if (r.status === 200) return;
      last = `readyz ${r.status}: ${r.body.slice(0, 300)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`kube-apiserver was not ready after ${READY_TIMEOUT_MS / 1000} s (${last}):\n${logTail(apiLog)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function get(url: string, token: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 2000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}


function kubeconfigText(server: string, ca: Buffer, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: kuberator-test',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${ca.toString('base64')}`,
    'users:',
    '- name: kuberator-admin',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: kuberator-test',
    '  context:',
    '    cluster: kuberator-test',
    '    user: kuberator-admin',
    'current-context: kuberator-test',
    '',
  ].join('\n');
}


function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // The servers die with the pipes when this process exits; their directories are removed here
  // (and by the etcd guard, which outlives this process for a moment).
  process.on('exit', () => {
    for (const dir of live) rmSync(dir, { recursive: true, force: true });
  });
}


/** A Kubernetes object as the tests create and read it. */
export type Obj = Record<string, unknown> & { apiVersion: string; kind: string; metadata: Record<string, unknown> };

/** An admin client for the env: its KubeConfig and a `create` that returns the stored object. */
export async function adminClient(env: KubeEnv): Promise<{ kc: import('@kubernetes/client-node').KubeConfig; create(o: Record<string, unknown>): Promise<Obj> }> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(env.kubeconfig);
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  return { kc, create: async (o) => (await api.create(o as never)) as unknown as Obj };
}
