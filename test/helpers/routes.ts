// Lists every route an Express app serves, by walking its routers, so access tests cover new
// routes automatically.
import type { Express } from 'express';

export interface RouteInfo {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string | string[];
}

function walk(stack: Layer[], prefix: string, out: RouteInfo[]): void {
  for (const layer of stack) {
    if (layer.route) {
      for (const path of [layer.route.path].flat()) {
        for (const method of Object.keys(layer.route.methods)) out.push({ method: method.toUpperCase(), path: join(prefix, path) });
      }
    } else if (layer.handle?.stack) {
      for (const mount of [layer.rawPath ?? '/'].flat()) walk(layer.handle.stack, join(prefix, mount), out);
    }
  }
}

const join = (a: string, b: string) => `${a.replace(/\/$/, '')}/${b.replace(/^\//, '')}`.replace(/\/$/, '') || '/';

export function listRoutes(app: Express): RouteInfo[] {
  const router = (app as unknown as { router: { stack: Layer[] } }).router;
  const out: RouteInfo[] = [];
  walk(router.stack, '', out);
  // A route listed twice (e.g. a JSON and an export handler on one path) is tested once.
  return [...new Map(out.map((r) => [`${r.method} ${r.path}`, r])).values()];
}
