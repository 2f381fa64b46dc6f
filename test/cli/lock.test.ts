import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { freePort, runRelais, startServer } from '../helpers/cli.ts';
import { createTestDataDir, serverUrl } from '../helpers/database.ts';

let env: Record<string, string>;
let cleanup: () => Promise<void>;
before(async () => {
  ({ env, cleanup } = await createTestDataDir());
});
after(() => cleanup());

test('a command refuses the embedded database that a running server uses, and takes it once the server is gone', {
  skip: serverUrl ? 'PostgreSQL serves many processes: nothing to lock' : false,
}, async (t) => {
  // The lock is the subject: no scheduled work meanwhile.
  const server = await startServer([], { ...env, PORT: String(await freePort()), RELAIS_JOBS: 'off' });
  t.after(() => server.child.kill('SIGKILL'));
  const refused = await runRelais(['token', 'list'], env);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    new RegExp(
      `Erreur : la base embarquée de .* est ouverte par un autre processus Relais \\(pid ${server.child.pid}, « serve »`,
    ),
  );
  assert.equal(refused.stdout, '');
  // The server dies without cleaning up: its lock is stale, and the next command takes over.
  server.child.kill('SIGKILL');
  await once(server.child, 'exit');
  const listed = await runRelais(['token', 'list'], env);
  assert.equal(listed.code, 0, listed.stderr);
  // Once the command has ended, a server starts again on the directory.
  const again = await startServer([], { ...env, PORT: String(await freePort()), RELAIS_JOBS: 'off' });
  again.child.kill('SIGTERM');
  const [code] = await once(again.child, 'exit');
  assert.equal(code, 0);
});
