// /metrics for a process without the API (worker, projector, mirror, collector): a bare HTTP server on METRICS_PORT
// that answers GET /metrics and nothing else.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export const startMetricsServer = async (registry: Registry, port: number, host: string): Promise<{ server: Server; stop(): Promise<void> }> => {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
