/**
 * A small MCP server whose tools are protected by Tessera's resource-server SDK: each
 * signed-in person has their own notes, and an agent reaches them only with a token
 * Tessera issued for this server.
 *
 *   POST /mcp                                         the MCP endpoint (Streamable HTTP, stateless)
 *   GET  /.well-known/oauth-protected-resource/mcp    RFC 9728 metadata: where to get a token
 *
 * Every request is authenticated; a `tools/call` is also checked against the tool's
 * scope and, for an action token, against its endpoint list, as if each tool were the
 * endpoint `POST /mcp/tools/<name>`. So a token can allow exactly the tools an agent
 * may call. Refusals are RFC 6750 challenges naming the metadata (401/403), which is
 * how an MCP client knows to sign in, or to ask for more.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { protectedResourceMetadata, sendAuthError } from '@tessera/resource-server/express';
import { createAuthenticator, requireScopes, type Authenticator, type Principal } from '@tessera/resource-server';

/** Each tool and the scope it needs. */
export const TOOL_SCOPES = { list_notes: 'notes:read', add_note: 'notes:write', delete_note: 'notes:write' } as const;
type ToolName = keyof typeof TOOL_SCOPES;

export interface NotesServerOptions {
  /** Tessera's issuer URL. */
  issuer: string;
  /** Where to listen. Default 127.0.0.1 and port 3001 (0: any free port). */
  host?: string;
  port?: number;
  /** Needed to accept user and action tokens (checked by introspection): a Tessera client with `introspection: any`. */
  introspection?: { clientId: string; clientSecret: string };
}

export interface RunningNotesServer {
  /** The MCP endpoint, which is also the resource identifier (the API's identifier in Tessera). */
  resource: string;
  close(): Promise<void>;
}

/** The notes of each person (by `sub`), in memory. */
const notes = new Map<string, string[]>();

function mcpServerFor(principal: Principal): McpServer {
  const server = new McpServer({ name: 'tessera-notes', version: '1.0.0' });
  const mine = () => notes.get(principal.subject) ?? notes.set(principal.subject, []).get(principal.subject)!;
  const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });
  server.registerTool('list_notes', { description: 'List your notes' }, async () =>
    text(
      mine().length
        ? mine()
            .map((n, i) => `${i + 1}. ${n}`)
            .join('\n')
        : '(no notes yet)',
    ),
  );
  server.registerTool('add_note', { description: 'Add a note', inputSchema: { text: z.string().min(1).max(500) } }, async ({ text: note }) => {
    mine().push(note);
    return text(`added note ${mine().length}`);
  });
  server.registerTool('delete_note', { description: 'Delete a note by its number', inputSchema: { number: z.number().int().min(1) } }, async ({ number }) => {
    const removed = mine().splice(number - 1, 1);
    return text(removed.length ? `deleted "${removed[0]}"` : `there is no note ${number}`);
  });
  return server;
}

/** The endpoint a JSON-RPC message stands for: `POST /mcp/tools/<name>` for a tool call, else `POST /mcp`. */
function endpointOf(body: unknown): { url: string; tool?: ToolName } {
  const messages = Array.isArray(body) ? body : [body];
  for (const m of messages) {
    const message = m as { method?: unknown; params?: { name?: unknown } } | null;
    if (message?.method === 'tools/call' && typeof message.params?.name === 'string' && message.params.name in TOOL_SCOPES) {
      const tool = message.params.name as ToolName;
      return { url: `/mcp/tools/${tool}`, tool };
    }
  }
  return { url: '/mcp' };
}

export function mcpAuthentication(auth: Authenticator) {
  return async function authenticateMcp(req: Request, res: Response, next: () => void): Promise<void> {
    if (Array.isArray(req.body) && req.body.length > 1) {
      res.status(400).json({ error: 'invalid_request', error_description: 'send one JSON-RPC message per request' });
      return;
    }
    const { url, tool } = endpointOf(req.body);
    // An action token must allow this endpoint: `POST /mcp` to connect, `POST /mcp/tools/<name>` per tool.
    const result = await auth.authenticate({ method: 'POST', url, headers: req.headers });
    if (!result.ok) return sendAuthError(res, result.error);
    const allowed = tool ? auth.authorize(result.principal, [requireScopes(TOOL_SCOPES[tool])]) : result;
    if (!allowed.ok) return sendAuthError(res, allowed.error);
    req.auth = result.principal;
    next();
  };
}

export async function startNotesServer(options: NotesServerOptions): Promise<RunningNotesServer> {
  const app = express();
  const http: Server = await new Promise((resolve) => {
    const server = app.listen(options.port ?? 3001, options.host ?? '127.0.0.1', () => resolve(server));
  });
  const { address, port } = http.address() as AddressInfo;
  const resource = `http://${address.includes(':') ? `[${address}]` : address}:${port}/mcp`;
  // The authenticator needs the resource's URL, known once listening.
  const auth = createAuthenticator({
    issuer: options.issuer,
    audience: resource,
    ...(options.introspection ? { introspection: options.introspection } : {}),
    protectedResource: { scopesSupported: ['notes:read', 'notes:write'], resourceName: 'Tessera notes (MCP example)' },
  });

  app.use(protectedResourceMetadata(auth));
  app.post('/mcp', express.json({ limit: '64kb' }), mcpAuthentication(auth), async (req, res) => {
    // Stateless: a server and a transport per request, for the person the token acts for.
    const server = mcpServerFor(req.auth!);
    // The MCP SDK reads its own kind of `req.auth`; the tools have the principal already.
    delete req.auth;
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req as IncomingMessage, res, req.body);
  });
  // No server-initiated streams or sessions in stateless mode.
  app.all('/mcp', (_req, res) => void res.status(405).set('allow', 'POST').json({ error: 'method_not_allowed' }));

  return {
    resource,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
        void auth.close();
      }),
  };
}
