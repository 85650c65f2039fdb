// The instance metadata client. IMDSv2: a token from PUT /latest/api/token, sent on every GET and
// renewed a minute before it expires or when IMDS answers 401. When the token request is refused
// (403/404/405) or does not answer, requests go without a token only if v1 fallback is allowed.
// Every request has its own timeout, so a hung IMDS costs one timeout, not the loop.
import type { Clock } from '../common/clock.js';
import { KuberatorError } from '../../errors.js';
import { hashId, type InterruptionEvent } from './events.js';

export const TOKEN_PATH = '/latest/api/token';
export const TOKEN_TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
export const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
export const PATHS = {
  instanceAction: '/latest/meta-data/spot/instance-action',
  rebalance: '/latest/meta-data/events/recommendations/rebalance',
  scheduled: '/latest/meta-data/events/maintenance/scheduled',
  targetLifecycleState: '/latest/meta-data/autoscaling/target-lifecycle-state',
  instanceId: '/latest/meta-data/instance-id',
} as const;

export interface ImdsOptions {
  url: string;
  clock: Clock;
  timeoutMs: number;
  tokenTtlS: number;
  v1Fallback: boolean;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** IMDS did not answer usefully; `path` says which request. */
export class ImdsError extends KuberatorError {
  constructor(
    readonly path: string,
    message: string,
    readonly status?: number,
  ) {
    super('KBR-SPOT010', message);
  }
}

export interface ImdsClient {
  /** The body of a GET, or undefined for 404. */
  get(path: string, signal?: AbortSignal): Promise<string | undefined>;
  /** Which protocol the last request used. */
  mode(): 'v2' | 'v1' | 'unknown';
}

export function imdsClient(o: ImdsOptions): ImdsClient {
  const doFetch = o.fetch ?? fetch;
  const base = o.url.replace(/\/+$/, '');
  let token: { value: string; expires: number } | undefined;
  let mode: 'v2' | 'v1' | 'unknown' = 'unknown';

  const call = async (method: 'GET' | 'PUT', path: string, headers: Record<string, string>, signal?: AbortSignal) => {
    const timeout = AbortSignal.timeout(o.timeoutMs);
    const s = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const res = await doFetch(`${base}${path}`, { method, headers, signal: s });
      const text = await res.text();
      return { status: res.status, text };
    } catch (e) {
      if (signal?.aborted) throw e;
      const why = timeout.aborted ? `no answer within ${o.timeoutMs} ms` : describe(e);
      throw new ImdsError(path, `IMDS ${method} ${path}: ${why}`);
    }
  };

  /** A token, or undefined when v1 is to be used. */
  const getToken = async (signal?: AbortSignal): Promise<string | undefined> => {
    if (token && o.clock.now() < token.expires) return token.value;
    token = undefined;
    let r: { status: number; text: string };
    try {
      r = await call('PUT', TOKEN_PATH, { [TOKEN_TTL_HEADER]: String(o.tokenTtlS) }, signal);
    } catch (e) {
      if (o.v1Fallback && e instanceof ImdsError) return undefined;
      throw e;
    }
    if (r.status === 200 && r.text) {
      // Renewed a minute early (or halfway, for short lifetimes) so a token never expires in flight.
      const early = Math.min(60_000, (o.tokenTtlS * 1000) / 2);
      token = { value: r.text.trim(), expires: o.clock.now() + o.tokenTtlS * 1000 - early };
      return token.value;
    }
    if (o.v1Fallback && [403, 404, 405].includes(r.status)) return undefined;
    throw new ImdsError(TOKEN_PATH, `IMDS refused a session token (${r.status})${o.v1Fallback ? '' : '; IMDSv1 fallback is off'}`, r.status);
  };

  return {
    async get(path, signal) {
      for (let attempt = 0; ; attempt++) {
        const t = await getToken(signal);
        mode = t ? 'v2' : 'v1';
        const r = await call('GET', path, t ? { [TOKEN_HEADER]: t } : {}, signal);
        if (r.status === 200) return r.text;
        if (r.status === 404) return undefined;
        if (r.status === 401 && attempt === 0 && t) {
          // The token expired early or IMDS restarted: one new token, one more try.
          token = undefined;
          continue;
        }
        if (r.status === 401) throw new ImdsError(path, t ? `IMDS rejected a fresh session token (401)` : `IMDS requires a session token (401) and refused to issue one`, 401);
        throw new ImdsError(path, `IMDS GET ${path} answered ${r.status}${r.text ? `: ${r.text.slice(0, 200).trim()}` : ''}`, r.status);
      }
    },
    mode: () => mode,
  };
}

function describe(e: unknown): string {
  const err = e as { cause?: { code?: string; message?: string }; message?: string };
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}

// ---- the notices ----

export interface ImdsNotices {
  events: InterruptionEvent[];
}

/** `2 Jan 2006 15:04:05 GMT` (the layout of scheduled events) → ms; NaN when it is not that. */
export function parseEventTime(text: string): number {
  const m = /^(\d{1,2}) (\w{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(text.trim());
  if (!m) return Number.NaN;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(m[2]!);
  if (month < 0) return Number.NaN;
  return Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Reads the four notice paths; a malformed body is an ImdsError (it counts against health). */
export async function readImdsNotices(client: ImdsClient, now: number, signal?: AbortSignal): Promise<InterruptionEvent[]> {
  const [action, rebalance, scheduled, target] = await Promise.all([
    client.get(PATHS.instanceAction, signal),
    client.get(PATHS.rebalance, signal),
    client.get(PATHS.scheduled, signal),
    client.get(PATHS.targetLifecycleState, signal),
  ]);
  const out: InterruptionEvent[] = [];
  if (action !== undefined) {
    const a = parseJson<{ action?: string; time?: string }>(PATHS.instanceAction, action);
    const t = a.time ? Date.parse(a.time) : Number.NaN;
    out.push({
      id: hashId('spot-itn', { action: a.action, time: a.time }),
      kind: 'spot-interruption',
      source: 'imds',
      deadline: Number.isNaN(t) ? undefined : t,
      seenAt: now,
      state: 'active',
      description: `spot instance ${a.action ?? 'interruption'} at ${a.time ?? '(no time given)'}`,
    });
  }
  if (rebalance !== undefined) {
    const r = parseJson<{ noticeTime?: string }>(PATHS.rebalance, rebalance);
    out.push({
      id: hashId('rebalance-recommendation', { noticeTime: r.noticeTime }),
      kind: 'rebalance-recommendation',
      source: 'imds',
      seenAt: now,
      state: 'active',
      description: `rebalance recommendation at ${r.noticeTime ?? '(no time given)'}`,
    });
  }
  if (scheduled !== undefined && scheduled.trim() !== '') {
    const list = parseJson<Array<{ EventId?: string; Code?: string; State?: string; NotBefore?: string; Description?: string }>>(PATHS.scheduled, scheduled);
    if (!Array.isArray(list)) throw new ImdsError(PATHS.scheduled, `IMDS ${PATHS.scheduled} is not a JSON array`);
    for (const s of list) {
      const notBefore = s.NotBefore ? parseEventTime(s.NotBefore) : Number.NaN;
      const state = s.State === 'canceled' || s.State === 'completed' ? s.State : 'active';
      out.push({
        id: s.EventId ?? hashId('scheduled', s),
        kind: 'scheduled-maintenance',
        source: 'imds',
        deadline: Number.isNaN(notBefore) ? undefined : notBefore,
        seenAt: now,
        state,
        description: `scheduled ${s.Code ?? 'maintenance'}${s.NotBefore ? ` not before ${s.NotBefore}` : ''}${s.Description ? `: ${s.Description}` : ''}`,
      });
    }
  }
  if (target !== undefined && target.trim() === 'Terminated') {
    out.push({
      id: hashId('asg-target-lifecycle-state', { state: 'Terminated' }),
      kind: 'asg-termination',
      source: 'imds',
      seenAt: now,
      state: 'active',
      description: 'the Auto Scaling group set the target lifecycle state to Terminated',
    });
  }
  return out;
}

function parseJson<T>(path: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ImdsError(path, `IMDS ${path} answered with something that is not JSON: ${text.slice(0, 100)}`);
  }
}
