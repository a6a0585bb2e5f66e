// Serves the operator's console from the API app: the UI's TSX is bundled in-process by esbuild the first time it is
// asked for (esbuild runs in its own process: the event loop is not held), kept in memory, and served as one script
// and one stylesheet; every other GET outside /api answers index.html so deep links (/strategies/<id>) work. No inline
// script: a Content-Security-Policy of script-src 'self' holds (styles may be inline: lightweight-charts sets style attributes,
// as helmet's default CSP allows). Needs nothing but Node and node_modules.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response } from 'express';
import { build } from 'esbuild';

const HERE = fileURLToPath(new URL('.', import.meta.url));

interface Bundle {
  readonly js: string;
  readonly css: string;
  readonly html: string;
}

const INDEX = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MasterTrade console</title>
<link rel="stylesheet" href="/ui/app.css">
<script type="module" src="/ui/app.js"></script>
</head>
<body><div id="app"><noscript>The MasterTrade console needs JavaScript.</noscript></div></body>
</html>
`;

const bundle = async (): Promise<Bundle> => {
  const out = await build({
    entryPoints: [`${HERE}main.tsx`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = out.outputFiles[0]?.text ?? '';
  const css = await readFile(`${HERE}app.css`, 'utf8');
  return { js, css, html: INDEX };
};

let built: Promise<Bundle> | undefined;
/** The bundle, built once per process (a failed build is tried again on the next request). */
export const consoleBundle = (): Promise<Bundle> => {
  built ??= bundle().catch((err: unknown) => {
    built = undefined;
    throw err;
  });
  return built;
};

const SECURITY = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
};

export const consoleUi = (): express.Router => {
  const router = express.Router();
  const serve = (pick: (b: Bundle) => string, type: string) => async (_req: Request, res: Response) => {
    const b = await consoleBundle();
    res.set({ ...SECURITY, 'Content-Type': type, 'Cache-Control': 'no-cache' }).send(pick(b));
  };
  router.get(
    '/ui/app.js',
    serve((b) => b.js, 'text/javascript; charset=utf-8'),
  );
  router.get(
    '/ui/app.css',
    serve((b) => b.css, 'text/css; charset=utf-8'),
  );
  // Deep links: the console's own views (main.tsx's Route) answer its page; any other path stays a 404 for API
  // clients, monitors and scanners, and an unknown route is not counted as a page view.
  router.get(
    /^\/(?:pipeline|strategies(?:\/[^/]+)?|audit|positions|markets|learning|system)?\/?$/,
    serve((b) => b.html, 'text/html; charset=utf-8'),
  );
  return router;
};
