// The spot handler's settings: one table of defaults (each with why), read from flags first, then
// environment variables, validated as a whole so every bad value is reported at once.
import { z } from 'zod';
import { SpecError, type SpecIssue } from '../../errors.js';
import { parseDuration as parseCommonDuration } from '../common/duration.js';

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

export const SpotConfigSchema = z.strictObject({
  nodeName: z.string().min(1, 'the node name is required (--node-name or NODE_NAME from the downward API)'),
  imdsUrl: z.url({ protocol: /^https?$/ }),
  /** How often IMDS (or the queue) is read, ms. */
  pollIntervalMs: z.number().int().min(10).max(60_000),
  /** Per-request IMDS timeout, ms. */
  imdsTimeoutMs: z.number().int().min(10).max(30_000),
  /** Use IMDSv1 (no token) when the token request is refused or times out. */
  imdsV1Fallback: z.boolean(),
  /** Lifetime asked for the IMDSv2 token, s. */
  imdsTokenTtlS: z.number().int().min(1).max(21_600),
  /** Drain on a rebalance recommendation instead of only cordoning. */
  rebalanceDrain: z.boolean(),
  /** Drain on an ASG target lifecycle state of Terminated. */
  asgDrain: z.boolean(),
  /** Drain on scheduled maintenance. */
  scheduledDrain: z.boolean(),
  queueUrl: z.url({ protocol: /^https?$/ }).optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1').optional(),
  /** The EC2 instance this node runs on, for queue mode; default: from the Node's providerID. */
  instanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/, 'an EC2 instance ID such as i-0123456789abcdef0').optional(),
  /** Queue mode: heartbeat period for an Auto Scaling lifecycle hook while its drain runs, ms; 0 sends none. */
  lifecycleHeartbeatIntervalMs: z
    .number()
    .int()
    .refine((v) => v === 0 || (v >= 30_000 && v <= 3_600_000), 'must be 0 (off) or between 30s and 1h, like a hook\'s heartbeat timeout'),
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  webhookTimeoutMs: z.number().int().min(100).max(60_000),
  /** Port of /metrics and /healthz; 0 picks a free one; -1 serves neither. */
  metricsPort: z.number().int().min(-1).max(65_535),
  /** Port of /healthz when it differs from the metrics port; default: the metrics port. */
  healthPort: z.number().int().min(-1).max(65_535).optional(),
  listenHost: z.string().min(1),
  taintEffect: z.enum(TAINT_EFFECTS),
  /** Time kept free before the instance goes: the drain must end this long before the deadline, ms. */
  deadlineMarginMs: z.number().int().min(0).max(600_000),
  /** The deadline when a notice names no time: seen + this, ms. */
  defaultNoticeMs: z.number().int().min(1000).max(3_600_000),
  /** How often the drain checks that evicted pods are gone, ms. */
  podPollIntervalMs: z.number().int().min(10).max(60_000),
  /** First and last wait after a 429 (PDB), ms; jittered. */
  evictRetryMinMs: z.number().int().min(1).max(60_000),
  evictRetryMaxMs: z.number().int().min(1).max(300_000),
  /** Consecutive source errors before /healthz answers 503. */
  unhealthyAfterErrors: z.number().int().min(1).max(1000),
  dryRun: z.boolean(),
  kubeconfig: z.string().optional(),
  context: z.string().optional(),
  /** This pod, never evicted (POD_NAMESPACE/POD_NAME from the downward API). */
  selfPod: z.object({ namespace: z.string(), name: z.string() }).optional(),
  logFormat: z.enum(['json', 'text']),
});

export type SpotConfig = z.infer<typeof SpotConfigSchema>;

type Defaulted = Exclude<keyof SpotConfig, 'nodeName' | 'queueUrl' | 'region' | 'instanceId' | 'webhookUrl' | 'healthPort' | 'kubeconfig' | 'context' | 'selfPod'>;

/** Every default, with the reason for it. */
export const SPOT_DEFAULTS: { [K in Defaulted]: { value: SpotConfig[K]; why: string } } = {
  imdsUrl: { value: 'http://169.254.169.254', why: 'the instance metadata service, reachable from a hostNetwork pod' },
  pollIntervalMs: { value: 2000, why: 'a two-minute notice leaves no room for slow polling; AWS suggests every 5 s, NTH polls every 2 s' },
  imdsTimeoutMs: { value: 2000, why: 'IMDS answers locally in milliseconds; a hang must not stall the loop' },
  imdsV1Fallback: { value: false, why: 'nodes should require IMDSv2; allow v1 only where it is still enabled' },
  imdsTokenTtlS: { value: 21_600, why: 'the longest token IMDS issues; it is renewed a minute before it expires' },
  rebalanceDrain: { value: false, why: 'a rebalance recommendation is an early hint, not a notice: cordon so nothing new lands, drain only on the notice' },
  asgDrain: { value: true, why: 'a Terminated target lifecycle state means the instance is leaving' },
  scheduledDrain: { value: true, why: 'maintenance that stops or retires the instance takes its pods with it' },
  lifecycleHeartbeatIntervalMs: { value: 0, why: "off: the lifecycle event does not carry the hook's heartbeat timeout, and a queue-mode drain ends within the 2-minute default notice, well inside the default 1 h timeout; set it below the hook's timeout when that is shorter than the drain (NTH's heartbeats are off by default too)" },
  webhookTimeoutMs: { value: 5000, why: 'a slow chat service must not hold up a drain' },
  metricsPort: { value: 9092, why: 'the port NTH uses for /metrics, kept for existing scrape configs' },
  listenHost: { value: '0.0.0.0', why: 'scraped and probed from outside the pod' },
  taintEffect: { value: 'NoSchedule', why: 'keeps new pods off without killing the running ones before their eviction' },
  deadlineMarginMs: { value: 10_000, why: 'pods must be gone before the instance is; the margin absorbs clock skew and the last deletions' },
  defaultNoticeMs: { value: 120_000, why: 'the length of a spot notice, used when an event names no time' },
  podPollIntervalMs: { value: 1000, why: 'as kubectl drain: one check a second until the pods are gone' },
  evictRetryMinMs: { value: 1000, why: 'a PDB frees up when a replacement pod becomes ready, seconds away at best' },
  evictRetryMaxMs: { value: 5000, why: 'kubectl retries every 5 s; waiting longer wastes a two-minute window' },
  unhealthyAfterErrors: { value: 3, why: 'NTH gives up after three identical errors; here the probe fails instead and polling goes on' },
  dryRun: { value: false, why: 'act unless asked not to' },
  logFormat: { value: 'json', why: 'log collectors parse one JSON object a line' },
};

export interface SpotFlags {
  nodeName?: string;
  imdsUrl?: string;
  pollInterval?: string;
  imdsV1Fallback?: boolean;
  rebalanceDrain?: boolean;
  queueUrl?: string;
  region?: string;
  instanceId?: string;
  lifecycleHeartbeatInterval?: string;
  webhookUrl?: string;
  metricsPort?: string;
  healthPort?: string;
  taintEffect?: string;
  deadlineMargin?: string;
  dryRun?: boolean;
  kubeconfig?: string;
  context?: string;
  logFormat?: string;
}

/** `500ms`, `2s`, `1m` or a bare number of milliseconds → ms; NaN when it is none of those. */
export function parseDuration(text: string): number {
  return parseCommonDuration(text, { bareMs: 1, units: ['ms', 's', 'm'] }) ?? Number.NaN;
}

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

/**
 * Flags over environment variables over the defaults. Every problem is reported in one SpecError
 * whose paths are the flag names.
 */
export function resolveSpotConfig(flags: SpotFlags, env: Record<string, string | undefined>): SpotConfig {
  const issues: SpecIssue[] = [];
  const d = (k: Defaulted) => SPOT_DEFAULTS[k].value;
  const duration = (flag: string, text: string | undefined, dflt: number): number => {
    if (text === undefined) return dflt;
    const ms = parseDuration(text);
    if (Number.isNaN(ms)) issues.push({ path: flag, message: `expects a duration such as 2s, 500ms or 1m, got '${text}'` });
    return ms;
  };
  const port = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n)) issues.push({ path: flag, message: `expects a port number, got '${text}'` });
    return n;
  };
  const selfPod = env.POD_NAME && env.POD_NAMESPACE ? { namespace: env.POD_NAMESPACE, name: env.POD_NAME } : undefined;
  const raw = {
    nodeName: flags.nodeName ?? env.NODE_NAME ?? '',
    imdsUrl: (flags.imdsUrl ?? env.INSTANCE_METADATA_URL ?? d('imdsUrl')) as string,
    pollIntervalMs: duration('--poll-interval', flags.pollInterval, d('pollIntervalMs') as number),
    imdsTimeoutMs: d('imdsTimeoutMs'),
    imdsV1Fallback: flags.imdsV1Fallback ?? (env.IMDS_V1_FALLBACK !== undefined ? truthy(env.IMDS_V1_FALLBACK) : d('imdsV1Fallback')),
    imdsTokenTtlS: d('imdsTokenTtlS'),
    rebalanceDrain: flags.rebalanceDrain ?? d('rebalanceDrain'),
    asgDrain: d('asgDrain'),
    scheduledDrain: d('scheduledDrain'),
    queueUrl: flags.queueUrl ?? env.QUEUE_URL,
    region: flags.region ?? env.AWS_REGION,
    instanceId: flags.instanceId,
    lifecycleHeartbeatIntervalMs: duration('--lifecycle-heartbeat-interval', flags.lifecycleHeartbeatInterval, d('lifecycleHeartbeatIntervalMs') as number),
    webhookUrl: flags.webhookUrl ?? env.WEBHOOK_URL,
    webhookTimeoutMs: d('webhookTimeoutMs'),
    metricsPort: port('--metrics-port', flags.metricsPort) ?? d('metricsPort'),
    healthPort: port('--health-port', flags.healthPort),
    listenHost: d('listenHost'),
    taintEffect: flags.taintEffect ?? d('taintEffect'),
    deadlineMarginMs: duration('--deadline-margin', flags.deadlineMargin, d('deadlineMarginMs') as number),
    defaultNoticeMs: d('defaultNoticeMs'),
    podPollIntervalMs: d('podPollIntervalMs'),
    evictRetryMinMs: d('evictRetryMinMs'),
    evictRetryMaxMs: d('evictRetryMaxMs'),
    unhealthyAfterErrors: d('unhealthyAfterErrors'),
    dryRun: flags.dryRun ?? d('dryRun'),
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    selfPod,
    logFormat: flags.logFormat ?? d('logFormat'),
  };
  return validateSpotConfig(raw, issues);
}

const FLAG_OF: Partial<Record<keyof SpotConfig, string>> = {
  nodeName: '--node-name',
  imdsUrl: '--imds-url',
  pollIntervalMs: '--poll-interval',
  queueUrl: '--queue-url',
  region: '--region',
  instanceId: '--instance-id',
  lifecycleHeartbeatIntervalMs: '--lifecycle-heartbeat-interval',
  webhookUrl: '--webhook-url',
  metricsPort: '--metrics-port',
  healthPort: '--health-port',
  taintEffect: '--taint-effect',
  deadlineMarginMs: '--deadline-margin',
  logFormat: '--log-format',
};

/** Checks a whole config (library callers build one from SPOT_DEFAULTS plus their own values). */
export function validateSpotConfig(raw: unknown, earlier: SpecIssue[] = []): SpotConfig {
  const issues = [...earlier];
  const r = SpotConfigSchema.safeParse(raw);
  if (!r.success) {
    for (const i of r.error.issues) {
      const key = String(i.path[0] ?? '');
      const path = FLAG_OF[key as keyof SpotConfig] ?? key;
      if (issues.some((x) => x.path === path)) continue;
      const got = (raw as Record<string, unknown>)[key];
      issues.push({ path, message: `${i.message}${got !== undefined && got !== '' ? `, got ${JSON.stringify(got)}` : ''}` });
    }
  } else {
    const c = r.data;
    if (c.evictRetryMaxMs < c.evictRetryMinMs) issues.push({ path: 'evictRetryMaxMs', message: `must be >= evictRetryMinMs (${c.evictRetryMinMs}), got ${c.evictRetryMaxMs}` });
    if (c.queueUrl && !c.region && !/sqs\.([a-z0-9-]+)\.amazonaws\.com/.test(c.queueUrl)) issues.push({ path: '--region', message: 'queue mode needs --region (or AWS_REGION) when the queue URL does not name one' });
  }
  if (issues.length) throw new SpecError('spot-handler configuration', issues);
  return r.data!;
}

/** The defaults merged with `over`, validated; for tests and library callers. */
export function spotConfig(over: Partial<SpotConfig> & { nodeName: string }): SpotConfig {
  const base = Object.fromEntries(Object.entries(SPOT_DEFAULTS).map(([k, v]) => [k, v.value]));
  return validateSpotConfig({ ...base, ...over });
}

