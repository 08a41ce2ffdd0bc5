/**
 * A small static file server on 127.0.0.1 for the browser example (`npm run example:browser`) and
 * the browser test (test/browser): files under a root folder, plus responses kept in memory.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';

export const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.wat': 'text/plain; charset=utf-8',
  '.wast': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
};

/** A response served from memory. */
export interface Route {
  body: string | Uint8Array;
  /** Content-Type (default: by the path's extension). */
  type?: string;
  /** More headers, e.g. a Content-Security-Policy. */
  headers?: Record<string, string>;
}

export interface ServeOptions {
  /** Folder whose files are served (nothing outside it). */
  root: string;
  /** 0 (default): an ephemeral port. */
  port?: number;
  /** Served before files, by exact path. */
  routes?: Record<string, Route>;
  /** Where `/` redirects (default: nowhere, 404). */
  index?: string;
}

export interface Served {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts serving; resolves when the server listens. */
export async function serve(options: ServeOptions): Promise<Served> {
  const root = resolve(options.root);
  const routes = options.routes ?? {};
  const server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
      if (path === '/' && options.index !== undefined) return void res.writeHead(302, { location: options.index }).end();
      const route = routes[path];
      if (route !== undefined) {
        res.writeHead(200, { 'content-type': route.type ?? typeOf(path), 'cache-control': 'no-store', ...route.headers });
        return void res.end(req.method === 'HEAD' ? undefined : route.body);
      }
      let file = join(root, path);
      if (file !== root && !file.startsWith(root + sep)) return void res.writeHead(403).end();
      try {
        if ((await stat(file)).isDirectory()) {
          if (!path.endsWith('/')) return void res.writeHead(301, { location: path + '/' }).end();
          file = join(file, 'index.html');
        }
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': typeOf(file), 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      } catch {
        res.writeHead(404, { 'content-type': MIME['.txt']! }).end(`not found: ${path}\n`);
      }
    })();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

function typeOf(path: string): string {
  return MIME[extname(path)] ?? 'application/octet-stream';
}
