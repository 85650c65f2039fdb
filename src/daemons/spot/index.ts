// The spot handler as a library: build its parts from a config and run it until a signal aborts.
// The CLI (src/cli/spot-handler-command.ts) supplies the config, the clock, the log sink and the
// signal; tests call the same function with their own.
import type { Clock } from '../common/clock.js';
import { connectKube, type KubeHttp } from '../common/kube.js';
import { type DaemonServer, startDaemonServer } from '../common/server.js';
import { KuberatorError } from '../../errors.js';
import type { SpotConfig } from './config.js';
import { type EventSource, type LogEntry, SpotHandler } from './handler.js';
import { imdsClient, PATHS, readImdsNotices } from './imds.js';
import type { NodeDoc } from './node-actions.js';
import { type SpotMetrics, spotMetrics } from './notify.js';

export { SpotHandler, type EventSource, type LogEntry } from './handler.js';
export { resolveSpotConfig, spotConfig, SPOT_DEFAULTS, type SpotConfig } from './config.js';

/** The IMDS notices as an event source; each event carries the instance ID once it is known. */
export function imdsSource(config: Pick<SpotConfig, 'imdsUrl' | 'imdsTimeoutMs' | 'imdsTokenTtlS' | 'imdsV1Fallback'>, clock: Clock, doFetch?: typeof fetch): EventSource {
  const client = imdsClient({ url: config.imdsUrl, clock, timeoutMs: config.imdsTimeoutMs, tokenTtlS: config.imdsTokenTtlS, v1Fallback: config.imdsV1Fallback, fetch: doFetch });
  let instanceId: string | undefined;
  return {
    name: 'imds',
    async poll(signal) {
      instanceId ??= (await client.get(PATHS.instanceId, signal))?.trim();
      const events = await readImdsNotices(client, clock.now(), signal);
      return events.map((e) => ({ ...e, instanceId }));
    },
  };
}

/** `aws:///eu-west-1a/i-0abc…` → `i-0abc…`. */
export function instanceFromProviderId(providerId: string | undefined): string | undefined {
  return /\/(i-[0-9a-f]+)$/.exec(providerId ?? '')?.[1];
}

async function queueSourceFor(config: SpotConfig, kube: KubeHttp, clock: Clock, log: (e: LogEntry) => void, metrics: SpotMetrics): Promise<EventSource> {
  let instanceId = config.instanceId;
  if (!instanceId) {
    const r = await kube.request<NodeDoc>(`/api/v1/nodes/${encodeURIComponent(config.nodeName)}`);
    instanceId = instanceFromProviderId(r.body?.spec?.providerID);
    if (!instanceId) throw new KuberatorError('KBR-SPOT002', `queue mode needs the node's EC2 instance: node ${config.nodeName} has no aws:// providerID (${r.status}); pass --instance-id`);
  }
  const [{ SQSClient }, { AutoScalingClient }, { queueSource }] = await Promise.all([import('@aws-sdk/client-sqs'), import('@aws-sdk/client-auto-scaling'), import('./queue.js')]);
  const region = config.region ?? /sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(config.queueUrl!)?.[1];
  return queueSource({
    client: new SQSClient({ region }),
    autoScaling: new AutoScalingClient({ region }),
    heartbeatIntervalMs: config.lifecycleHeartbeatIntervalMs,
    queueUrl: config.queueUrl!,
    instanceId,
    now: () => clock.now(),
    sleep: (ms, signal) => clock.sleep(ms, signal),
    defaultNoticeMs: config.defaultNoticeMs,
    metrics,
    log,
  });
}

export interface RunningSpotHandler {
  handler: SpotHandler;
  /** The /metrics and /healthz servers (one when the ports are equal). */
  servers: DaemonServer[];
  /** Resolves when the loop has stopped (after the signal aborts) and the servers are closed. */
  done: Promise<void>;
}

/** Connects to the cluster, starts the servers and the loop. */
export async function startSpotHandler(config: SpotConfig, deps: { clock: Clock; signal: AbortSignal; log: (e: LogEntry) => void; kube?: KubeHttp; source?: EventSource }): Promise<RunningSpotHandler> {
  const kube = deps.kube ?? (await connectKube({ kubeconfig: config.kubeconfig, context: config.context }));
  const metrics = spotMetrics();
  const source = deps.source ?? (config.queueUrl ? await queueSourceFor(config, kube, deps.clock, deps.log, metrics) : imdsSource(config, deps.clock));
  const handler = new SpotHandler({ config, clock: deps.clock, source, kube, log: deps.log, metrics });
  const servers: DaemonServer[] = [];
  try {
    const health = () => handler.health();
    if (config.metricsPort >= 0) servers.push(await startDaemonServer({ host: config.listenHost, port: config.metricsPort, health, metrics: handler.metrics.registry }));
    const hp = config.healthPort;
    if (hp !== undefined && hp >= 0 && hp !== config.metricsPort) servers.push(await startDaemonServer({ host: config.listenHost, port: hp, health }));
  } catch (e) {
    await Promise.all(servers.map((s) => s.close()));
    if (!deps.kube) kube.close();
    throw e;
  }
  for (const s of servers) deps.log({ level: 'info', msg: 'serving /healthz and /metrics', url: s.url });
  const done = handler.run(deps.signal).finally(async () => {
    await Promise.all(servers.map((s) => s.close()));
    if (!deps.kube) kube.close();
  });
  return { handler, servers, done };
}
