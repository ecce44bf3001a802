// Self-check of provider.mjs: starts it, runs complete authorization code + PKCE flows with
// plain fetch (redirects and cookies handled by hand), verifies the id_tokens against /jwks.
//
//   node tools/oidc-provider/flow-check.mjs      prints `flow-check ok`, or exits 1 saying why.
import { spawn } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROVIDER = join(dirname(fileURLToPath(import.meta.url)), 'provider.mjs');
const REDIRECT_URI = 'http://127.0.0.1:9/cb';
const STAFF = { login: 'staff', password: 'bosai-staff', sub: 'demo-staff-katahira', name: '避難所スタッフ（片平）' };
const WRONG_PASSWORD_ALERT = 'ユーザー名またはパスワードが違います。';

class CheckError extends Error {}
function check(condition, message) {
  if (!condition) throw new CheckError(message);
}

// ---------------------------------------------------------------------------------------------
// The provider as a child process

const children = new Set();

function startProvider(env = {}) {
  const child = spawn(process.execPath, [PROVIDER], {
    cwd: tmpdir(), // any cwd must do
    env: { ...process.env, OIDC_PORT: '0', OIDC_REDIRECT_URIS: REDIRECT_URI, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const proc = { child, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d) => { proc.stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { proc.stderr += d; });
  proc.exited = new Promise((ok) => child.once('exit', (code, signal) => {
    children.delete(child);
    ok({ code, signal });
  }));
  proc.ready = new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new CheckError(`provider not ready within 20 s; stderr:\n${proc.stderr}`)), 20_000);
    child.stdout.on('data', () => {
      if (!proc.stdout.includes('\n')) return;
      clearTimeout(timer);
      const line = proc.stdout.split('\n')[0];
      const m = /^OIDC_READY (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
      if (m && Number(m[2]) > 0) ok(m[1]);
      else fail(new CheckError(`unexpected first stdout line: ${JSON.stringify(line)}`));
    });
    proc.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new CheckError(`provider exited (code ${code}, signal ${signal}) before it was ready; stderr:\n${proc.stderr}`));
    });
  });
  return proc;
}

async function stopProvider(proc) {
  proc.child.kill('SIGTERM');
  const { code, signal } = await proc.exited;
  check(code === 0, `provider did not exit cleanly on SIGTERM (code ${code}, signal ${signal})`);
  check(proc.stdout === proc.stdout.split('\n')[0] + '\n', `provider printed more than the ready line to stdout: ${JSON.stringify(proc.stdout)}`);
}

// ---------------------------------------------------------------------------------------------
// HTTP with a hand-kept cookie jar (one host, so paths are not told apart)

class Browser {
  cookies = new Map();

  async request(url, { method = 'GET', form } = {}) {
    const headers = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair, ...attrs] = cookie.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expires = attrs.map((a) => a.trim()).find((a) => /^expires=/i.test(a));
      const expired = expires && Date.parse(expires.slice(8)) <= Date.now();
      const maxAge0 = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || maxAge0 || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, url };
  }
}

const location = (res) => {
  check([302, 303].includes(res.status), `${res.url}: expected a redirect, got ${res.status}: ${res.text.slice(0, 300)}`);
  const loc = res.headers.get('location');
  check(loc, `${res.url}: redirect without Location`);
  return new URL(loc, res.url).href;
};

// Follows redirects until one leaves for the redirect URI; returns that Location.
async function followToRedirectUri(browser, res) {
  for (let hops = 0; hops < 10; hops += 1) {
    const next = location(res);
    if (next.startsWith(REDIRECT_URI)) return new URL(next);
    res = await browser.request(next);
  }
  throw new CheckError('more than 10 redirects without reaching the redirect URI');
}

// ---------------------------------------------------------------------------------------------
// The flow

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function authRequest(discovery, clientId, extra = {}) {
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    scope: 'openid profile',
    redirect_uri: REDIRECT_URI,
    state,
    nonce,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return { url: url.href, verifier, state, nonce };
}

function formAction(html, pageUrl) {
  const m = /<form[^>]*\baction="([^"]+)"/.exec(html);
  check(m, `${pageUrl}: no form action in the login page`);
  return new URL(m[1].replace(/&#(\d+);/g, (_, n) => String.fromCharCode(n)), pageUrl).href;
}

function checkLoginPage(res) {
  check(res.status === 200, `interaction page: status ${res.status}: ${res.text.slice(0, 300)}`);
  const html = res.text;
  for (const needle of [
    '<html lang="ja">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<label for="login">ユーザー名</label>',
    '<label for="password">パスワード</label>',
    'autocomplete="username"',
    'type="password" autocomplete="current-password"',
    '>サインイン</button>',
  ]) {
    check(html.includes(needle), `interaction page lacks ${needle}`);
  }
  check(!/<script|src=|href=/i.test(html), 'interaction page loads or runs something external (script, src, href)');
  check(/^default-src 'none'/.test(res.headers.get('content-security-policy') ?? ''), 'interaction page has no CSP');
}

async function exchange(discovery, clientId, code, verifier) {
  const res = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: clientId,
      code_verifier: verifier,
    }),
  });
  return { status: res.status, json: await res.json() };
}

async function checkIdToken(idToken, { issuer, clientId, alg, nonce, jwks }) {
  const parts = idToken.split('.');
  check(parts.length === 3, 'id_token is not a compact JWS');
  const header = JSON.parse(Buffer.from(parts[0], 'base64url'));
  const payload = JSON.parse(Buffer.from(parts[1], 'base64url'));
  check(header.alg === alg, `${clientId}: id_token alg ${header.alg}, expected ${alg}`);
  check(payload.iss === issuer, `${clientId}: id_token iss ${payload.iss}, expected ${issuer}`);
  check(payload.aud === clientId || (Array.isArray(payload.aud) && payload.aud.length === 1 && payload.aud[0] === clientId),
    `${clientId}: id_token aud ${JSON.stringify(payload.aud)}`);
  check(payload.nonce === nonce, `${clientId}: id_token nonce does not match`);
  check(payload.sub === STAFF.sub, `${clientId}: id_token sub ${payload.sub}, expected ${STAFF.sub}`);
  check(payload.name === STAFF.name, `${clientId}: id_token name ${JSON.stringify(payload.name)}, expected ${STAFF.name}`);
  check(payload.exp - payload.iat === 600, `${clientId}: id_token lifetime ${payload.exp - payload.iat} s, expected 600`);
  check(Math.abs(payload.iat - Date.now() / 1000) < 60, `${clientId}: id_token iat is off`);
  check(!Object.keys(payload).some((k) => /role|group|admin|perm/i.test(k)), `${clientId}: id_token says something about roles: ${Object.keys(payload)}`);

  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  check(jwk, `${clientId}: no key with kid ${header.kid} in the JWKS`);
  check(jwk.alg === alg, `${clientId}: the JWKS key ${jwk.kid} has alg ${jwk.alg}`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], 'base64url');
  const ok = alg === 'ES256'
    ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
    : verify('sha256', data, key, signature);
  check(ok, `${clientId}: id_token signature does not verify against ${header.kid}`);
  // A flipped signature must not verify.
  signature[0] ^= 1;
  const bad = alg === 'ES256'
    ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
    : verify('sha256', data, key, signature);
  check(!bad, `${clientId}: a corrupted signature verified`);
  return { header, payload };
}

// One complete flow; with `login: false` the browser's session must carry it without the form.
async function flow(ctx, browser, clientId, alg, { login = true } = {}) {
  const { discovery, issuer, jwks } = ctx;
  const req = authRequest(discovery, clientId);
  let res = await browser.request(req.url);
  if (login) {
    const interactionUrl = location(res);
    check(new URL(interactionUrl).pathname.startsWith('/interaction/'), `auth did not lead to the interaction page: ${interactionUrl}`);
    res = await browser.request(interactionUrl);
    checkLoginPage(res);
    const action = formAction(res.text, interactionUrl);

    res = await browser.request(action, { method: 'POST', form: { login: STAFF.login, password: 'wrong-password' } });
    check(res.status === 401, `wrong password: expected 401, got ${res.status}`);
    check(/role="alert"[^>]*>ユーザー名またはパスワードが違います。</.test(res.text), `wrong password: no role="alert" with ${WRONG_PASSWORD_ALERT}`);

    res = await browser.request(action, { method: 'POST', form: { login: STAFF.login, password: STAFF.password } });
  }
  const callback = await followToRedirectUri(browser, res);
  const p = callback.searchParams;
  check(!p.has('error'), `${clientId}: authorization error ${p.get('error')}: ${p.get('error_description')}`);
  check(p.get('state') === req.state, `${clientId}: state in the callback does not match`);
  check(p.get('code'), `${clientId}: no code in the callback ${callback}`);
  if (p.has('iss')) check(p.get('iss') === issuer, `${clientId}: iss in the callback ${p.get('iss')}`);

  const token = await exchange(discovery, clientId, p.get('code'), req.verifier);
  check(token.status === 200, `${clientId}: token endpoint ${token.status}: ${JSON.stringify(token.json)}`);
  check(typeof token.json.id_token === 'string', `${clientId}: no id_token in the token response`);
  check(token.json.token_type === 'Bearer', `${clientId}: token_type ${token.json.token_type}`);
  const { header } = await checkIdToken(token.json.id_token, { issuer, clientId, alg, nonce: req.nonce, jwks });

  // A code is good once.
  const replay = await exchange(discovery, clientId, p.get('code'), req.verifier);
  check(replay.status === 400 && replay.json.error === 'invalid_grant', `${clientId}: a replayed code was not refused: ${replay.status} ${JSON.stringify(replay.json)}`);
  return header.kid;
}

async function fetchJson(url) {
  const res = await fetch(url);
  check(res.ok, `${url}: ${res.status}`);
  return res.json();
}

async function main() {
  // Keys persist through OIDC_KEYS_FILE across a restart.
  const dir = mkdtempSync(join(tmpdir(), 'oidc-flow-check-'));
  try {
    const keysFile = join(dir, 'sub', 'keys.json');
    let proc = startProvider({ OIDC_KEYS_FILE: keysFile });
    let issuer = await proc.ready;
    const firstJwks = await fetchJson(`${issuer}/jwks`);
    await stopProvider(proc);
    check((statSync(keysFile).mode & 0o077) === 0, 'OIDC_KEYS_FILE is readable by others');
    proc = startProvider({ OIDC_KEYS_FILE: keysFile });
    issuer = await proc.ready;
    const secondJwks = await fetchJson(`${issuer}/jwks`);
    await stopProvider(proc);
    check(JSON.stringify(firstJwks) === JSON.stringify(secondJwks), 'the JWKS changed across a restart with the same OIDC_KEYS_FILE');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // The flows, on a provider with in-memory keys.
  const proc = startProvider();
  const issuer = await proc.ready;
  const discovery = await fetchJson(`${issuer}/.well-known/openid-configuration`);
  check(discovery.issuer === issuer, `discovery issuer ${discovery.issuer}, expected ${issuer}`);
  for (const k of ['authorization_endpoint', 'token_endpoint', 'jwks_uri']) {
    check(typeof discovery[k] === 'string' && discovery[k].startsWith(`${issuer}/`), `discovery ${k}: ${discovery[k]}`);
  }
  check(discovery.code_challenge_methods_supported?.includes('S256'), 'discovery: S256 not supported');
  check(JSON.stringify(discovery.token_endpoint_auth_methods_supported) === '["none"]', `discovery: token endpoint auth methods ${discovery.token_endpoint_auth_methods_supported}, expected only "none"`);
  const jwks = await fetchJson(discovery.jwks_uri);
  const kids = jwks.keys.map((k) => k.kid);
  check(jwks.keys.length === 2 && new Set(kids).size === 2, `JWKS: expected 2 keys with distinct kids, got ${kids}`);
  check(jwks.keys.every((k) => !('d' in k) && !('p' in k)), 'JWKS publishes private key material');
  const ctx = { discovery, issuer, jwks };

  // PKCE is required: no code_challenge, no code.
  {
    const browser = new Browser();
    const req = authRequest(discovery, 'bosai-staff');
    const url = new URL(req.url);
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const cb = await followToRedirectUri(browser, await browser.request(url.href));
    check(cb.searchParams.get('error') === 'invalid_request' && !cb.searchParams.has('code'),
      `an auth request without code_challenge was not refused: ${cb}`);
  }

  const staff = new Browser();
  const es256Kid = await flow(ctx, staff, 'bosai-staff', 'ES256');
  const rs256Kid = await flow(ctx, new Browser(), 'bosai-staff-rs256', 'RS256');
  check(es256Kid !== rs256Kid, 'ES256 and RS256 id_tokens carry the same kid');
  // The same browser session, another first-party client: no login form, no consent page.
  await flow(ctx, staff, 'bosai-staff-rs256', 'RS256', { login: false });

  await stopProvider(proc);
  if (proc.stderr.trim()) process.stderr.write(`provider stderr:\n${proc.stderr}`);
  console.log(`issuer ${issuer}; kids ${kids.join(', ')}`);
}

try {
  await main();
  console.log('flow-check ok');
} catch (err) {
  console.error(`flow-check FAILED: ${err instanceof CheckError ? err.message : err.stack}`);
  process.exitCode = 1;
} finally {
  for (const child of children) child.kill('SIGTERM');
}
