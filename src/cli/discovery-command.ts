// `kuberator discovery-bridge`: announce this cluster's externally reachable Services in a shared
// ZooKeeper document and keep them current (a daemon; --once for one sync). `kuberator discovery
// register|deregister|list`: the same document for services outside Kubernetes.
//
// The daemon code (src/daemons/discovery) is imported only on these paths. The bridge logs one JSON
// object per line on stderr; a report (--once, register, list) goes to stdout.
import { KuberatorError } from '../errors.js';
import type { CommandSpec } from './commands.js';
import type { CliIo } from './io.js';
import { daemonClusterOptions } from './options.js';
import { onStopSignal } from './signals.js';

const zkOptions = [
  { flags: '--zk-connect <hosts>', description: 'ZooKeeper connect string: host:port[,host:port...][/chroot]' },
  { flags: '--zk-session-timeout <duration>', description: 'ZooKeeper session timeout; an operation gives up after 2/3 of it (default: 30s for the bridge, 10s for the discovery commands)' },
  { flags: '--doc-path <path>', description: 'the directory document (default: /service-directory/services)' },
  { flags: '--owners-path <path>', description: 'the node recording who owns each entry (default: <doc-path>.owners)' },
];

const loadDaemon = () => import('../daemons/discovery/index.js');

function logLine(io: CliIo, now: () => number, e: Record<string, unknown>): void {
  io.stderr(`${JSON.stringify({ time: new Date(now()).toISOString(), ...e })}\n`);
}

/** Flattens a daemon event into a log object. */
function logObject(e: { type: string } & Record<string, unknown>): Record<string, unknown> {
  if (e.type === 'sync') {
    const r = e.report as Record<string, unknown>;
    const { document: _d, ...rest } = r;
    return { msg: 'sync', kind: e.kind, ...rest };
  }
  if (e.type === 'store') return { msg: 'zookeeper', ...(e.event as object) };
  if (e.type === 'watch') return { msg: 'service watch', ...(e.event as object) };
  const { type, ...rest } = e;
  return { msg: type, ...rest };
}

export const discoveryBridgeCommand: CommandSpec = {
  name: 'discovery-bridge',
  summary: 'Announce Services with an external load balancer in a shared ZooKeeper service directory (daemon)',
  args: [],
  options: [
    ...zkOptions,
    { flags: '--cluster-id <id>', description: 'this cluster’s id; the bridge owns entries as k8s:<id> (default: default)' },
    { flags: '--owner-id <owner>', description: 'the full owner id instead of k8s:<cluster-id>' },
    { flags: '--interval <duration>', description: 'full resync interval (default: 60s)' },
    { flags: '--min-event-sync-interval <duration>', description: 'least time between syncs triggered by changes (default: 5s)' },
    { flags: '--policy <policy>', description: 'sync removes entries whose Service went; upsert-only never removes', choices: ['sync', 'upsert-only'], default: 'sync' },
    { flags: '--name-annotation <key>', description: 'annotation naming the entry (default: kuberator.dev/service-name; else <namespace>/<name>)' },
    { flags: '--description-annotation <key>', description: 'annotation with the description (default: kuberator.dev/service-description)' },
    { flags: '--opt-out-annotation <key>', description: 'annotation that, set to "false", keeps a Service out (default: kuberator.dev/discovery)' },
    { flags: '--max-document-bytes <n>', description: 'refuse to write a larger document (default: 1000000, below ZooKeeper’s 1 MiB node limit)' },
    { flags: '--once', description: 'list the Services, sync once, print the result and exit (1 when a wanted name is held by another owner)' },
    { flags: '--dry-run', description: 'compute the document but write nothing' },
    { flags: '--port <port>', description: 'serve /healthz and /metrics on this port (0: any free port)' },
    ...daemonClusterOptions,
  ],
  async run(_args, opts, io) {
    const d = await loadDaemon();
    const config = d.bridgeConfig(opts);
    const clock = (await import('../daemons/common/clock.js')).systemClock;
    if (config.once) {
      const report = await d.runBridgeOnce(config, { clock });
      const { document, ...summary } = report;
      io.stdout(config.dryRun ? document : `${JSON.stringify(summary, null, 2)}\n`);
      return report.conflicts.length || report.duplicates.length ? 1 : 0;
    }
    // Event syncs that changed nothing are the common case and not worth a line.
    const quiet = (e: Record<string, unknown>) => e.type === 'sync' && e.kind === 'event' && !(e.report as { written: boolean }).written && !(e.report as { conflicts: unknown[] }).conflicts.length;
    const log = (e: { type: string } & Record<string, unknown>) => quiet(e) || logLine(io, clock.now, logObject(e));
    const handle = await d.startBridge(config, { clock, log: log as never });
    logLine(io, clock.now, { msg: 'started', owner: config.owner, document: config.zk.documentPath, policy: config.policy, dryRun: config.dryRun, intervalMs: config.intervalMs });
    // It runs until a stop signal, or until the bridge ends by itself.
    await new Promise<void>((resolve) => {
      const dispose = onStopSignal(() => resolve());
      void handle.done.then(() => {
        dispose();
        resolve();
      });
    });
    await handle.stop();
    logLine(io, clock.now, { msg: 'stopped' });
    return 0;
  },
};

const registrantOptions = [...zkOptions, { flags: '--owner <id>', description: 'the registrant’s owner id, static:<id> (default: static:default)' }];

export const discoveryRegisterCommand: CommandSpec = {
  name: 'discovery register',
  summary: 'Add or replace a service outside Kubernetes in the service directory',
  args: ['<name>'],
  options: [
    ...registrantOptions,
    { flags: '--endpoint <host:port...>', description: 'an endpoint (repeat, or list several)' },
    { flags: '--description <text>', description: 'what the service is' },
    { flags: '--dry-run', description: 'print the document that would be written' },
  ],
  async run([name], opts, io) {
    const endpoints = (opts.endpoint as string[] | undefined) ?? [];
    if (!endpoints.length) throw new KuberatorError('KBR-DISC041', 'discovery register needs at least one --endpoint host:port');
    return withRegistry(opts, io, async (d, store, base) => {
      const r = await d.register(store, { name: name!, description: (opts.description as string | undefined) ?? '', endpoints: endpoints.flatMap((e) => e.split(',')) }, { ...base, dryRun: Boolean(opts.dryRun) });
      if (opts.dryRun) io.stdout(r.document.toString('utf8'));
      else io.stdout(`${r.written ? (r.merge.added.length ? 'registered' : 'updated') : 'unchanged'} ${name} as ${base.owner}${r.version !== undefined ? ` (document version ${r.version})` : ''}\n`);
      return 0;
    });
  },
};

export const discoveryDeregisterCommand: CommandSpec = {
  name: 'discovery deregister',
  summary: 'Remove a service this owner registered from the service directory',
  args: ['<name>'],
  options: registrantOptions,
  async run([name], opts, io) {
    return withRegistry(opts, io, async (d, store, base) => {
      const r = await d.deregister(store, name!, base);
      io.stdout(r.merge.removed.length ? `deregistered ${name}\n` : `${name} was not registered by ${base.owner}; nothing to do\n`);
      return 0;
    });
  },
};

export const discoveryListCommand: CommandSpec = {
  name: 'discovery list',
  summary: 'Print the service directory with the owner of each entry',
  args: [],
  options: [...zkOptions, { flags: '-o, --output <format>', description: 'output format', choices: ['text', 'json'], default: 'text' }],
  async run(_args, opts, io) {
    return withRegistry({ ...opts, owner: undefined }, io, async (d, store) => {
      const r = await d.listDirectory(store);
      if (opts.output === 'json') io.stdout(`${JSON.stringify(r, null, 2)}\n`);
      else if (!r.services.length) io.stdout('the directory is empty\n');
      else {
        const rows = r.services.map((s) => [s.name, s.owner ?? '(none)', s.endpoints.join(' '), s.description]);
        const w = [0, 1].map((i) => Math.max(i === 0 ? 4 : 5, ...rows.map((row) => row[i]!.length)));
        io.stdout(`${'NAME'.padEnd(w[0]!)}  ${'OWNER'.padEnd(w[1]!)}  ENDPOINTS  DESCRIPTION\n`);
        for (const row of rows) io.stdout(`${row[0]!.padEnd(w[0]!)}  ${row[1]!.padEnd(w[1]!)}  ${row[2]}  ${row[3]}`.trimEnd() + '\n');
      }
      return 0;
    });
  },
};

type Daemon = Awaited<ReturnType<typeof loadDaemon>>;

async function withRegistry(
  opts: Record<string, unknown>,
  _io: CliIo,
  f: (d: Daemon, store: import('../daemons/discovery/store.js').DirectoryStore, base: { owner: string; clock: import('../daemons/common/clock.js').Clock }) => Promise<number>,
): Promise<number> {
  const d = await loadDaemon();
  const problems: string[] = [];
  const zk = d.zkSettings(opts, problems, '10s');
  if (problems.length) throw new d.ConfigError(problems);
  const owner = d.registrantOwner(opts.owner as string | undefined);
  const clock = (await import('../daemons/common/clock.js')).systemClock;
  const store = await d.openStore({ zk }, clock);
  try {
    return await f(d, store, { owner, clock });
  } finally {
    await store.close();
  }
}
