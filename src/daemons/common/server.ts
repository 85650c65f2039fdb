// The daemons' HTTP endpoint: GET /healthz (200 "ok", or 503 with the reason the health callback
// gives) and GET /metrics (the registry's text). Anything else is 404. Binds host:port (port 0
// picks a free one); `close()` stops it and drops idle keep-alive connections.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KuberatorError } from '../../errors.js';
import { PROMETHEUS_CONTENT_TYPE, type Registry } from './metrics.js';

export interface Health {
  ok: boolean;
  /** Why not, for the 503 body. */
  reason?: string;
}

export interface DaemonServerOptions {
  /** @default '0.0.0.0' */
  host?: string;
  port: number;
  health: () => Health;
  metrics?: Registry;
}

export interface DaemonServer {
  /** The bound port (the one chosen when 0 was asked for). */
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startDaemonServer(opts: DaemonServerOptions): Promise<DaemonServer> {
  const host = opts.host ?? '0.0.0.0';
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      let h: Health;
      try {
        h = opts.health();
      } catch (e) {
        h = { ok: false, reason: `health check failed: ${(e as Error).message}` };
      }
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' }).end(h.ok ? 'ok\n' : `${h.reason ?? 'unhealthy'}\n`);
      return;
    }
    if (path === '/metrics' && opts.metrics) {
      res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(opts.metrics.render());
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new KuberatorError('KBR-DAEMON001', `cannot listen on ${host}:${opts.port}: ${e.code === 'EADDRINUSE' ? 'the address is in use' : e.message}`)),
    );
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    port,
    url: `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      })),
  };
}
