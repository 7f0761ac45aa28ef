import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/plugins/http-api/index.js';
import { runCairn } from '../support/processes.js';

// `--node` may name anything that speaks HTTP. A web page there once reached the user as
// "unexpected error: Unexpected token '<'…", and an endless answer was read without a bound.
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    if (request.url === '/status') response.end('<html>hello</html>');
    else {
      // /apps: an answer that never ends
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      const pump = () => {
        while (response.write(chunk));
        response.once('drain', pump);
      };
      response.on('close', () => response.removeAllListeners('drain'));
      pump();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('a --node that is not a cairn node', () => {
  it('is one sentence for a page that is not its JSON, and for an answer past the bound', async () => {
    const page = await runCairn(['node', 'status', '--node', url]);
    expect(page.code).toBe(1);
    expect(page.stderr).toMatch(new RegExp(`^Error: ${url} did not answer as a cairn node does: .+ \\(API_BAD_RESPONSE\\)\\n$`));
    const endless = await runCairn(['tx', 'voting', '--node', url], { timeoutMs: 60_000 });
    expect(endless.code).toBe(1);
    expect(endless.stderr).toBe(`Error: ${url} did not answer as a cairn node does: its answer is larger than 64 MiB (API_BAD_RESPONSE)\n`);
  });

  it('ends an event stream that never ends an event, in one sentence, instead of buffering it', async () => {
    const stream = await new ApiClient(url).events(() => undefined);
    await expect(stream.done).rejects.toThrow(/event stream from .+ broke: an event longer than 16 M characters/);
    stream.close();
  });
});
