// An instance metadata service for tests and the benchmark, following the contract of IMDS (and of
// amazon-ec2-metadata-mock): PUT /latest/api/token issues a token for the asked lifetime (1–21600 s);
// GETs carry it in x-aws-ec2-metadata-token. In v2-only mode a GET without a valid token is 401;
// otherwise tokenless GETs work (v1). Absent notices are 404 with an HTML body, the scheduled list
// is `[]`. Faults: a path can answer an error status or hang, the token endpoint can be disabled
// (as with a hop limit the pod cannot cross), and a notice can be scheduled to appear later.
// Time comes from an injected clock, so token expiry runs on test time.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from '../common/clock.js';
import { PATHS, TOKEN_HEADER, TOKEN_PATH, TOKEN_TTL_HEADER } from './imds.js';

export interface ScheduledEventDoc {
  Code: string;
  Description: string;
  EventId: string;
  NotBefore: string;
  NotAfter: string;
  State: 'active' | 'completed' | 'canceled';
}

export interface EmulatorOptions {
  /** Require tokens (IMDSv2 only). @default true */
  v2Only?: boolean;
  clock?: Clock;
  /** @default '127.0.0.1' */
  host?: string;
  port?: number;
}

export interface ImdsEmulator {
  url: string;
  /** Requests seen, as `METHOD path status`. */
  log: string[];
  v2Only: boolean;
  /** Answer the token endpoint with this status instead of a token (e.g. 403 or 405); undefined = issue tokens. */
  tokenStatus: number | undefined;
  /** Revokes every issued token (as after an IMDS restart), so the next GET with one is 401. */
  revokeTokens(): void;
  setInstanceId(id: string): void;
  /** A spot notice; `at` is when it starts to be served (ms, emulator clock), default now. */
  setSpotAction(action: { action: 'terminate' | 'stop' | 'hibernate'; time: string } | undefined, at?: number): void;
  setRebalance(notice: { noticeTime: string } | undefined): void;
  setScheduled(events: ScheduledEventDoc[]): void;
  setTargetLifecycleState(state: string | undefined): void;
  /** Make a path answer `status` (a number) or never answer ('hang'); undefined restores it. */
  fault(path: string, fault: number | 'hang' | undefined): void;
  close(): Promise<void>;
}

const NOT_FOUND_HTML = '<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html>\n<html><head><title>404 - Not Found</title></head><body><h1>404 - Not Found</h1></body></html>\n';

/** `2 Jan 2006 15:04:05 GMT`, the layout of scheduled-event times. */
export function eventTime(ms: number): string {
  const d = new Date(ms);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCDate()} ${mon} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} GMT`;
}

export async function startImdsEmulator(opts: EmulatorOptions = {}): Promise<ImdsEmulator> {
  const clock = opts.clock ?? systemClock;
  const tokens = new Map<string, number>();
  const faults = new Map<string, number | 'hang'>();
  const hung = new Set<ServerResponse>();
  let counter = 0;
  let instanceId = 'i-0123456789abcdef0';
  let spot: { body: string; from: number } | undefined;
  let rebalance: string | undefined;
  let scheduled: ScheduledEventDoc[] = [];
  let target: string | undefined;

  const emu: ImdsEmulator = {
    url: '',
    log: [],
    v2Only: opts.v2Only ?? true,
    tokenStatus: undefined,
    revokeTokens: () => tokens.clear(),
    setInstanceId: (id) => void (instanceId = id),
    setSpotAction: (a, at) => void (spot = a ? { body: JSON.stringify(a), from: at ?? clock.now() } : undefined),
    setRebalance: (n) => void (rebalance = n ? JSON.stringify(n) : undefined),
    setScheduled: (e) => void (scheduled = e),
    setTargetLifecycleState: (s) => void (target = s),
    fault: (path, f) => void (f === undefined ? faults.delete(path) : faults.set(path, f)),
    close: async () => {
      for (const r of hung) r.destroy();
      hung.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const answer = (status: number, body: string, type = 'text/plain') => {
      emu.log.push(`${req.method} ${path} ${status}`);
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
    };
    const fault = faults.get(path);
    if (fault === 'hang') {
      emu.log.push(`${req.method} ${path} hang`);
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    if (typeof fault === 'number') return answer(fault, `${fault}\n`);
    if (path === TOKEN_PATH) {
      if (req.method !== 'PUT') return answer(405, 'method not allowed\n');
      if (emu.tokenStatus !== undefined) return answer(emu.tokenStatus, `${emu.tokenStatus}\n`);
      const ttl = Number(req.headers[TOKEN_TTL_HEADER]);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21_600) return answer(400, 'invalid ttl\n');
      const token = `tok-${++counter}-${Math.random().toString(36).slice(2)}`;
      tokens.set(token, clock.now() + ttl * 1000);
      return answer(200, token);
    }
    if (req.method !== 'GET') return answer(405, 'method not allowed\n');
    const given = req.headers[TOKEN_HEADER];
    if (typeof given === 'string') {
      const exp = tokens.get(given);
      if (exp === undefined || exp <= clock.now()) return answer(401, '');
    } else if (emu.v2Only) return answer(401, '');
    switch (path) {
      case PATHS.instanceId:
        return answer(200, instanceId);
      case PATHS.instanceAction:
        return spot && clock.now() >= spot.from ? answer(200, spot.body, 'application/json') : answer(404, NOT_FOUND_HTML, 'text/html');
      case PATHS.rebalance:
        return rebalance ? answer(200, rebalance, 'application/json') : answer(404, NOT_FOUND_HTML, 'text/html');
      case PATHS.scheduled:
        return answer(200, JSON.stringify(scheduled), 'application/json');
      case PATHS.targetLifecycleState:
        return target ? answer(200, target) : answer(404, NOT_FOUND_HTML, 'text/html');
      default:
        return answer(404, NOT_FOUND_HTML, 'text/html');
    }
  };

  const server: Server = createServer(handle);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  emu.url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return emu;
}
