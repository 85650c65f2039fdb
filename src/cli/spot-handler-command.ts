// `kuberator spot-handler`: the daemon that runs on spot and mixed nodes (a DaemonSet). It logs one
// line per entry to stdout (JSON or text) and runs until SIGTERM or SIGINT; configuration problems
// are input errors (exit 2) reported before anything starts.
import { systemClock } from '../daemons/common/clock.js';
import type { LogEntry } from '../daemons/spot/handler.js';
import { resolveSpotConfig, type SpotFlags } from '../daemons/spot/config.js';
import type { CommandSpec } from './commands.js';
import type { CliIo } from './io.js';
import { daemonClusterOptions } from './options.js';
import { onStopSignal } from './signals.js';

/** One log line: `{"time":…,"level":…,"msg":…,…}` or `time level msg key=value …`. */
export function formatLogLine(e: LogEntry, format: 'json' | 'text', now: number): string {
  const time = new Date(now).toISOString();
  if (format === 'json') return `${JSON.stringify({ time, ...e })}\n`;
  const { level, msg, ...rest } = e;
  const fields = Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s|"/.test(v) ? v : JSON.stringify(v)}`);
  return `${time} ${level.toUpperCase().padEnd(5)} ${msg}${fields.length ? ` ${fields.join(' ')}` : ''}\n`;
}

export const spotHandlerCommand: CommandSpec = {
  name: 'spot-handler',
  summary: 'Run the spot interruption handler on this node: cordon and drain before the instance goes',
  args: [],
  options: [
    { flags: '--node-name <name>', description: 'the node this runs on (default: $NODE_NAME)' },
    { flags: '--imds-url <url>', description: 'instance metadata service (default: $INSTANCE_METADATA_URL or http://169.254.169.254)' },
    { flags: '--poll-interval <duration>', description: 'how often to read IMDS, e.g. 2s (default: 2s)' },
    { flags: '--imds-v1-fallback', description: 'use IMDSv1 when no session token can be had' },
    { flags: '--rebalance-drain', description: 'drain on a rebalance recommendation (default: cordon only)' },
    { flags: '--queue-url <url>', description: 'queue mode: read EventBridge events from this SQS queue instead of IMDS' },
    { flags: '--region <region>', description: 'AWS region of the queue (default: $AWS_REGION or from the queue URL)' },
    { flags: '--instance-id <id>', description: 'queue mode: this node\'s EC2 instance (default: from the Node\'s providerID)' },
    { flags: '--lifecycle-heartbeat-interval <duration>', description: 'queue mode: heartbeat an ASG termination hook this often while draining, 30s to 1h; 0 is off (default: 0)' },
    { flags: '--webhook-url <url>', description: 'post a Slack-compatible message for every action (default: $WEBHOOK_URL)' },
    { flags: '--metrics-port <port>', description: 'port of /metrics and /healthz; -1 disables (default: 9092)' },
    { flags: '--health-port <port>', description: 'a separate port for /healthz (default: the metrics port)' },
    { flags: '--taint-effect <effect>', description: 'effect of the taint put on the node', choices: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
    { flags: '--deadline-margin <duration>', description: 'finish the drain this long before the instance goes (default: 10s)' },
    { flags: '--dry-run', description: 'log what would be done; write nothing to the cluster' },
    ...daemonClusterOptions,
    { flags: '--log-format <format>', description: 'log line format', choices: ['json', 'text'] },
  ],
  async run(_args, opts, io: CliIo) {
    const config = resolveSpotConfig(opts as SpotFlags, io.env);
    const clock = systemClock;
    const log = (e: LogEntry) => io.stdout(formatLogLine(e, config.logFormat, clock.now()));
    const stop = new AbortController();
    const dispose = onStopSignal((sig) => {
      log({ level: 'info', msg: `received ${sig}, stopping` });
      stop.abort();
    });
    try {
      const { startSpotHandler } = await import('../daemons/spot/index.js');
      const running = await startSpotHandler(config, { clock, signal: stop.signal, log });
      await running.done;
      return 0;
    } finally {
      dispose();
    }
  },
};
