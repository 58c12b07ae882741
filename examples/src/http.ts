// A minimal Express-style router on node:http, so the example has no dependency beyond the drivers.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface Request {
  params: Record<string, string>;
  query: Record<string, string>;
  body: Record<string, unknown>;
}

export interface Response {
  status(code: number): Response;
  json(body: unknown): void;
  end(): void;
}

export type Handler = (req: Request, res: Response) => Promise<void>;

/** Routes like `GET /users/:id`. */
export function serve(routes: Record<string, Handler>, port: number): void {
  const table = Object.entries(routes).map(([key, handler]) => {
    const [method, pattern = '/'] = key.split(' ');
    const names: string[] = [];
    const source = pattern.replace(/:(\w+)/g, (_, name: string) => (names.push(name), '([^/]+)'));
    return { method, regex: new RegExp(`^${source}$`), names, handler };
  });

  createServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/', 'http://localhost');
    const route = table.find((r) => r.method === incoming.method && r.regex.test(url.pathname));
    if (!route) return void outgoing.writeHead(404).end();
    const match = route.regex.exec(url.pathname) ?? [];
    const params = Object.fromEntries(route.names.map((name, i) => [name, match[i + 1] ?? '']));
    void readBody(incoming)
      .then((body) => route.handler({ params, query: Object.fromEntries(url.searchParams), body }, wrap(outgoing)))
      .catch((error: unknown) => {
        console.error(error);
        outgoing.writeHead(500).end();
      });
  }).listen(port);
}

async function readBody(incoming: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of incoming) text += String(chunk);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function wrap(outgoing: ServerResponse): Response {
  const res: Response = {
    status(code) {
      outgoing.statusCode = code;
      return res;
    },
    json(body) {
      outgoing.setHeader('content-type', 'application/json');
      outgoing.end(JSON.stringify(body));
    },
    end() {
      outgoing.end();
    },
  };
  return res;
}
