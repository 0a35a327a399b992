/** The client address behind a reverse proxy: forwarding headers count only from trusted proxies. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../../src/core/audit/audit-event.js';
import { basic, startTestServer, type TestServer } from '../support/test-server.js';
import { makeFixture } from '../support/fixture.js';

for (const trustProxy of [undefined, ['loopback']] as const) {
  describe(`client address with ${trustProxy ? 'a trusted loopback proxy' : 'no trusted proxy'}`, () => {
    let server: TestServer;
    const events: AuditEvent[] = [];
    before(async () => {
      server = await startTestServer({ config: (await makeFixture()).config, ...(trustProxy ? { trustProxy: [...trustProxy] } : {}) });
      server.engine.audit.subscribe((e) => events.push(e));
    });
    after(() => server.close());

    it(trustProxy ? 'is the address the proxy forwarded' : 'is the TCP peer, whatever the headers say', async () => {
      const response = await server.post(
        '/token',
        { grant_type: 'client_credentials' },
        { ...basic('basic-client', 'wrong-secret-0123456789'), 'x-forwarded-for': '203.0.113.50, 198.51.100.7' },
      );
      assert.equal(response.status, 401);
      const failed = events.find((e) => e.type === 'client.authentication_failed');
      assert.equal(failed?.ip, trustProxy ? '198.51.100.7' : '127.0.0.1');
    });
  });
}
