// The `companion` CLI against the real local stack: the same sign-in a native
// companion app performs, plus staff tokens and a revoked card.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startStack, localBin } from './lib/stack.mjs';

const run = promisify(execFile);
const companion = process.env.BOSAI_COMPANION_BIN || join(dirname(localBin()), 'companion');
// Our own data dir: the revocation test restarts the stack on the same data.
const dataDir = mkdtempSync(join(tmpdir(), 'bosai-cli-'));
let stack;

// CRLs re-read every second (production: hourly), so revocation shows without a restart.
const env = { BOSAI_JPKI_CRL_RELOAD_SECONDS: '1' };
before(async () => { stack = await startStack({ dataDir, env }); });
after(async () => { await stack?.stop(); rmSync(dataDir, { recursive: true, force: true }); });

const cards = () => join(stack.dataDir, 'identity', 'cards');
const key = () => join(stack.dataDir, 'identity', 'keys', 'token-1.pem');

async function me(token) {
  return fetch(`${stack.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
}

test('companion login signs a resident in with a demo card', async () => {
  const { stdout } = await run(companion, ['login', '--server', stack.url, '--card', join(cards(), 'taro'), '--share-basic-four']);
  const token = stdout.trim();
  assert.equal(token.split('.').length, 3);
  const res = await me(token);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.role, 'resident');
  assert.equal(body.basic_four.name, '防災 太郎');
});

test('staff tokens are scoped to their shelter', async () => {
  const { stdout } = await run(companion, ['staff-token', '--role', 'shelter_staff', '--shelter', '041009-aoba-katahira-es', '--key', key()]);
  const token = stdout.trim();
  const put = (id) => fetch(`${stack.url}/api/shelters/${id}/status`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'open', capacity: 410 }),
  });
  assert.equal((await put('041009-aoba-katahira-es')).status, 200);
  assert.equal((await put('041009-taihaku-nagamachi-es')).status, 403);
  assert.equal((await me(token)).status, 403, 'staff are not residents');
});

test('a card revoked by the CA is refused once the server reloads its CRL, and after a restart', async () => {
  const ca = join(stack.dataDir, 'identity', 'jpki');
  await run(companion, ['card', 'new', '--ca', ca, '--name', '失効 テスト', '--address', '宮城県仙台市', '--dob', '1990-01-01', '--sex', '3', '--out', join(cards(), 'lost')]);
  const first = await run(companion, ['login', '--server', stack.url, '--card', join(cards(), 'lost')]);
  assert.equal((await me(first.stdout.trim())).status, 200, 'a new card signs in');
  await run(companion, ['ca', 'revoke', '--dir', ca, '--card', join(cards(), 'lost')]);
  // No restart: the running server re-reads the CRL files on its schedule.
  await new Promise((r) => setTimeout(r, 1200));
  await assert.rejects(
    run(companion, ['login', '--server', stack.url, '--card', join(cards(), 'lost')]),
    (e) => /certificate_revoked/.test(e.stderr),
  );
  // And a cold start (a new Lambda instance) reads it too.
  await stack.stop();
  stack = await startStack({ dataDir, env });
  await assert.rejects(
    run(companion, ['login', '--server', stack.url, '--card', join(cards(), 'lost')]),
    (e) => /certificate_revoked/.test(e.stderr),
  );
  const ok = await run(companion, ['login', '--server', stack.url, '--card', join(cards(), 'hanako')]);
  assert.equal((await me(ok.stdout.trim())).status, 200, 'other cards still work');
});

test('the app is served with a strict content security policy', async () => {
  for (const path of ['/', '/hq', '/sw.js', '/c/eyJhbGciOiJFUzI1NiJ9.eyJzaCI6ImEifQ.c2ln']) {
    const res = await fetch(`${stack.url}${path}`);
    assert.equal(res.status, 200, path);
    const csp = res.headers.get('content-security-policy') || '';
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
  }
});

test('missing build files are real 404s, deep links are the app', async () => {
  assert.equal((await fetch(`${stack.url}/bosai-app-0000000000000000.wasm`)).status, 404);
  const poster = await fetch(`${stack.url}/c/aaa.bbb.ccc`);
  assert.equal(poster.status, 200);
  assert.match(await poster.text(), /<html/);
});
