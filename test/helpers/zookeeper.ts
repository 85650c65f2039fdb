// A real ZooKeeper for tests: Debian's zookeeper 3.8 jar run as a standalone server on a free
// loopback port, with its data in a temporary directory. tickTime is 500 ms, so sessions may be as
// short as 1 s and expiry tests take seconds; the admin (Jetty) server is off. Readiness is the
// `ruok` four-letter word answered with `imok`.
//
// Faults the tests inject: stop (SIGTERM, SIGKILL when it lingers) and start again on the same
// data directory and port; freeze (SIGSTOP) and thaw (SIGCONT), which expires sessions when the
// freeze outlasts their timeout. The data directory is never wiped under a live client: the server
// would then refuse the client's session, and the client would retry forever.
//
// Like kube-env.ts, the server runs under a small `sh` guard that kills it when its stdin (a pipe
// from this process) closes, so no server outlives the test process, even one killed with SIGKILL.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePorts, logTail, onPath, scratchRoot } from './servers.js';

export const ZOOKEEPER_JAR = process.env.KUBERATOR_ZOOKEEPER_JAR || '/usr/share/java/zookeeper.jar';
const SLF4J_SIMPLE = '/usr/share/java/slf4j-simple.jar';
const READY_TIMEOUT_MS = 30_000;

export interface ZooKeeperServer {
  /** 127.0.0.1:<port>, for createClient. */
  connectString: string;
  port: number;
  /** The temporary directory: zoo.cfg, data/, zk.log. */
  dir: string;
  /** Whether the server process is running (frozen counts as running). */
  running(): boolean;
  /** SIGTERM, then SIGKILL after 5 s. The data directory stays. */
  stop(): Promise<void>;
  /** Starts a stopped server again on the same port and data directory; resolves once it answers. */
  start(): Promise<void>;
  /** stop() then start(). */
  restart(): Promise<void>;
  /** SIGSTOP: the server keeps its sockets but answers nothing. */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
  /** Stops the server for good and removes `dir`. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * For node:test's `skip` option: a message when Java or the ZooKeeper jar is missing and
 * KUBERATOR_REQUIRE_ZK is not set; undefined when both are there. Throws when they are missing and it
 * is set (CI), so a missing server fails instead of skipping.
 */
export function zookeeperSkipReason(): string | undefined {
  let reason: string | undefined;
  if (!existsSync(ZOOKEEPER_JAR)) reason = `no ZooKeeper jar at ${ZOOKEEPER_JAR}: apt-get install --no-install-recommends zookeeper (or set KUBERATOR_ZOOKEEPER_JAR)`;
  else if (!onPath('java')) reason = 'no java on PATH (the zookeeper package needs a JRE)';
  if (reason && process.env.KUBERATOR_REQUIRE_ZK) throw new Error(`${reason} (KUBERATOR_REQUIRE_ZK is set, so ZooKeeper tests may not be skipped)`);
  if (reason) process.stderr.write(`SKIPPING ZooKeeper tests: ${reason}\n`);
  return reason;
}

// $@: the server command. The guard records the server's pid in $KBR_PIDFILE (signals go to the
// server, not to this shell), reads its own stdin (fd 3) and, at end of file (this process is
// gone), kills the server and removes $KBR_RM.
const GUARD = `
exec 3<&0
"$@" </dev/null 3<&- &
c=$!
echo "$c" > "$KBR_PIDFILE"
trap 'kill -CONT "$c" 2>/dev/null; kill -9 "$c" 2>/dev/null' INT TERM HUP
{ while read -r _; do :; done; : > "$KBR_PIDFILE.orphaned"; kill -CONT "$c" 2>/dev/null; kill -9 "$c" 2>/dev/null; } <&3 &
w=$!
exec 3<&-
wait "$c"; s=$?
wait "$c" 2>/dev/null
kill "$w" 2>/dev/null
if [ -e "$KBR_PIDFILE.orphaned" ] && [ -n "$KBR_RM" ]; then rm -rf "$KBR_RM"; fi
exit $s
`;

interface Guarded {
  child: ChildProcess;
  pid: number;
  exited: Promise<void>;
  done: boolean;
}

const liveDirs = new Set<string>();
const liveServers = new Set<Guarded>();
let exitHookInstalled = false;

export async function startZooKeeper(): Promise<ZooKeeperServer> {
  const why = zookeeperSkipReason();
  if (why) throw new Error(why);
  installExitHook();
  const dir = mkdtempSync(join(scratchRoot(), 'kuberator-zk-'));
  liveDirs.add(dir);
  mkdirSync(join(dir, 'data'));
  const port = (await freePorts(1))[0]!;
  const cfg = join(dir, 'zoo.cfg');
  // Java properties: no comments after values.
  writeFileSync(
    cfg,
    [
      'tickTime=500',
      `dataDir=${join(dir, 'data')}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      '4lw.commands.whitelist=ruok,srvr,mntr',
      'maxSessionTimeout=20000',
      '',
    ].join('\n'),
  );
  const log = join(dir, 'zk.log');
  const classpath = [ZOOKEEPER_JAR, ...(existsSync(SLF4J_SIMPLE) ? [SLF4J_SIMPLE] : [])].join(':');
  const args = ['-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Dzookeeper.jmx.log4j.disable=true', '-cp', classpath, 'org.apache.zookeeper.server.ZooKeeperServerMain', cfg];
  let server: Guarded | undefined;
  let closed: Promise<void> | undefined;

  const start = async () => {
    if (closed) throw new Error('the ZooKeeper server is closed');
    if (server && !server.done) return;
    server = await startGuarded('java', args, log, join(dir, 'zk.pid'), dir);
    await waitReady(port, server, log);
  };
  const stop = async () => {
    if (!server || server.done) return;
    const g = server;
    try {
      process.kill(g.pid, 'SIGCONT');
      process.kill(g.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(g.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, 5000);
    await g.exited;
    clearTimeout(timer);
  };

  try {
    await start();
  } catch (e) {
    await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw e;
  }
  return {
    connectString: `127.0.0.1:${port}`,
    port,
    dir,
    running: () => Boolean(server && !server.done),
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    freeze() {
      if (server && !server.done) process.kill(server.pid, 'SIGSTOP');
    },
    thaw() {
      if (server && !server.done) process.kill(server.pid, 'SIGCONT');
    },
    close: () =>
      (closed ??= (async () => {
        await stop();
        rmSync(dir, { recursive: true, force: true });
        liveDirs.delete(dir);
      })()),
  };
}

async function startGuarded(command: string, args: string[], log: string, pidFile: string, removeWhenOrphaned: string): Promise<Guarded> {
  rmSync(pidFile, { force: true });
  const fd = openSync(log, 'a');
  const child = spawn('sh', ['-c', GUARD, 'kbr-zk-guard', command, ...args], { stdio: ['pipe', fd, fd], env: { ...process.env, KBR_PIDFILE: pidFile, KBR_RM: removeWhenOrphaned } });
  closeSync(fd);
  const g: Guarded = { child, pid: 0, done: false, exited: Promise.resolve() };
  g.exited = new Promise((resolve) => {
    const finish = () => {
      g.done = true;
      liveServers.delete(g);
      resolve();
    };
    child.once('exit', finish);
    child.once('error', finish);
  });
  liveServers.add(g);
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  // The guard writes the server's pid before anything else.
  const deadline = Date.now() + 5000;
  while (!g.pid) {
    try {
      const text = readFileSync(pidFile, 'utf8').trim();
      if (/^\d+$/.test(text)) g.pid = Number(text);
    } catch {
      // not yet written
    }
    if (!g.pid) {
      if (g.done || Date.now() > deadline) throw new Error(`the ZooKeeper guard did not start the server:\n${logTail(log)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return g;
}

async function waitReady(port: number, g: Guarded, log: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (g.done) throw new Error(`ZooKeeper exited before it was ready:\n${logTail(log)}`);
    if ((await fourLetterWord(port, 'ruok').catch(() => '')) === 'imok') return;
    if (Date.now() > deadline) throw new Error(`ZooKeeper was not ready after ${READY_TIMEOUT_MS / 1000} s:\n${logTail(log)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends a four-letter word and returns the whole answer. */
export function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const s = connect({ host: '127.0.0.1', port }, () => s.end(word));
    s.setTimeout(1000, () => s.destroy(new Error('timeout')));
    s.setEncoding('utf8');
    s.on('data', (d: string) => (out += d));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // The guards kill the servers when this process's pipes close; this covers a normal exit that
  // skipped close(): the servers are killed at once and their directories removed.
  process.on('exit', () => {
    for (const g of liveServers) {
      try {
        process.kill(g.pid, 'SIGCONT');
        process.kill(g.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}

