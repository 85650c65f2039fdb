// The discovery bridge assembled: a ZooKeeper store, the Service informer, the bridge loop and the
// /healthz + /metrics server. `startBridge` returns at once with a handle; `runBridgeOnce` does a
// single list and sync (--once). The CLI (src/cli/discovery-command.ts) owns signals and output.
import { type Clock } from '../common/clock.js';
import { Registry } from '../common/metrics.js';
import { type DaemonServer, startDaemonServer } from '../common/server.js';
import { DiscoveryBridge, type BridgeLog, type SyncReport } from './bridge.js';
import type { BridgeConfig } from './config.js';
import { ServiceInformer, type ServiceSource, kubeServiceSource } from './service-watch.js';
import type { DirectoryStore } from './store.js';
import { type StoreEvent, ZooKeeperDirectoryStore } from './zookeeper-store.js';

export * from './document.js';
export * from './store.js';
export * from './services.js';
export * from './scheduler.js';
export * from './bridge.js';
export * from './registry.js';
export * from './config.js';
export { ServiceInformer, kubeServiceSource, WatchGone, type ServiceSource } from './service-watch.js';
export { ZooKeeperDirectoryStore, ownersPathFor, type StoreEvent } from './zookeeper-store.js';

export type DaemonLog = BridgeLog | { type: 'store'; event: StoreEvent } | { type: 'watch'; event: unknown } | { type: 'listening'; url: string };

export interface BridgeDeps {
  clock: Clock;
  log?: (e: DaemonLog) => void;
  /** Defaults: the kubeconfig's cluster and ZooKeeper from the config. */
  source?: ServiceSource;
  store?: DirectoryStore;
}

export interface BridgeHandle {
  bridge: DiscoveryBridge;
  informer: ServiceInformer;
  store: DirectoryStore;
  metrics: Registry;
  server?: DaemonServer;
  /** Resolves when the loop ends (after stop()). */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function openStore(config: Pick<BridgeConfig, 'zk'>, clock: Clock, onEvent?: (e: StoreEvent) => void): Promise<ZooKeeperDirectoryStore> {
  return ZooKeeperDirectoryStore.open({
    connect: config.zk.connect,
    documentPath: config.zk.documentPath,
    ownersPath: config.zk.ownersPath,
    sessionTimeoutMs: config.zk.sessionTimeoutMs,
    clock,
    ...(onEvent ? { onEvent } : {}),
  });
}

export async function startBridge(config: BridgeConfig, deps: BridgeDeps): Promise<BridgeHandle> {
  const { clock, log } = deps;
  const metrics = new Registry();
  const watchRestarts = metrics.counter('kuberator_discovery_watch_restarts_total', 'Service watch restarts by reason (closed, gone, error, watchdog, relist).', ['reason']);
  const sessions = metrics.counter('kuberator_discovery_zookeeper_sessions_total', 'ZooKeeper clients created (the first, then one per expired or hung session).');
  const source = deps.source ?? (await kubeServiceSource({ ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {}), ...(config.context ? { context: config.context } : {}) }));
  const store =
    deps.store ??
    (await openStore(config, clock, (event) => {
      if (event.type === 'replaced') sessions.inc();
      log?.({ type: 'store', event });
    }));
  if (!deps.store) sessions.inc();
  let bridge: DiscoveryBridge | undefined;
  const informer = new ServiceInformer(source, {
    clock,
    onChange: (why) => {
      if (why === 'event') bridge?.notify();
    },
    onWatch: (event) => {
      if (event.type === 'restart') watchRestarts.inc({ reason: event.reason });
      log?.({ type: 'watch', event });
    },
  });
  bridge = new DiscoveryBridge(store, informer, { owner: config.owner, policy: config.policy, mapping: config.mapping, intervalMs: config.intervalMs, minEventIntervalMs: config.minEventIntervalMs, dryRun: config.dryRun, maxBytes: config.maxBytes, clock, metrics, ...(log ? { log } : {}) });
  const b = bridge;
  let server: DaemonServer | undefined;
  if (config.port !== undefined) {
    server = await startDaemonServer({ port: config.port, health: () => b.health(), metrics });
    log?.({ type: 'listening', url: server.url });
  }
  const ac = new AbortController();
  const informing = informer.run(ac.signal);
  const looping = b.run(ac.signal);
  const done = Promise.all([informing, looping]).then(() => undefined);
  let stopped: Promise<void> | undefined;
  return {
    bridge: b,
    informer,
    store,
    metrics,
    ...(server ? { server } : {}),
    done,
    stop: () =>
      (stopped ??= (async () => {
        ac.abort();
        await done;
        await server?.close();
        if (!deps.store) await store.close();
        if (!deps.source) source.close();
      })()),
  };
}

/** One list of the Services and one sync, for --once. */
export async function runBridgeOnce(config: BridgeConfig, deps: BridgeDeps): Promise<SyncReport> {
  const source = deps.source ?? (await kubeServiceSource({ ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {}), ...(config.context ? { context: config.context } : {}) }));
  const store = deps.store ?? (await openStore(config, deps.clock));
  try {
    const informer = new ServiceInformer(source, { clock: deps.clock });
    await informer.loadOnce();
    const bridge = new DiscoveryBridge(store, informer, { owner: config.owner, policy: config.policy, mapping: config.mapping, intervalMs: config.intervalMs, minEventIntervalMs: config.minEventIntervalMs, dryRun: config.dryRun, maxBytes: config.maxBytes, clock: deps.clock });
    return await bridge.sync('event');
  } finally {
    if (!deps.store) await store.close();
    if (!deps.source) source.close();
  }
}
