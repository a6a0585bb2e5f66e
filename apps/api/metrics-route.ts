// GET /metrics: the process's Prometheus registry in the text exposition format (doc/observability.md lists them).
import express, { type Request, type Response } from 'express';
import type { Registry } from 'prom-client';

export const metricsRoute = (registry: Registry): express.Router => {
  const router = express.Router();
  router.get('/metrics', async (_req: Request, res: Response) => {
    const text = await registry.metrics();
    res.set('Content-Type', registry.contentType).send(text);
  });
  return router;
};
