// A local OpenID Connect provider (oidc-provider) for development and tests only: never deployed.
// Municipal staff sign in with authorization code + PKCE; see README.md beside this file.
//
//   OIDC_REDIRECT_URIS=http://127.0.0.1:8080/auth/callback node tools/oidc-provider/provider.mjs
//
// OIDC_STOP_ON_STDIN_END=1: stop when stdin closes (the parent's end of a pipe).
// stdout carries exactly one line, `OIDC_READY <issuer>`, once the server listens; everything
// else (errors, the library's notices) goes to stderr.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------------------------
// stdout is for the ready line alone: send console.log/info/debug (oidc-provider prints its
// notices with console.info) to stderr, and drop two warnings that are expected here.
const toStderr = (...args) => console.error(...args);
console.log = toStderr;
console.info = toStderr;
console.debug = toStderr;
const EXPECTED_WARNINGS = [
  // The in-memory adapter is what a throwaway development provider wants.
  'a quick start development-only in-memory adapter is used',
  // oidc-provider 9 names Node.js 22 as its minimum; it runs on 20.18+ (checked below), which
  // is what the project's machines have.
  'Unsupported runtime',
];
const warn = console.warn.bind(console);
console.warn = (...args) => {
  const text = args.map(String).join(' ');
  if (!EXPECTED_WARNINGS.some((w) => text.includes(w))) warn(...args);
};

function die(message) {
  process.stderr.write(`oidc-provider: ${message}\n`);
  process.exit(1);
}

// oidc-provider uses URL.parse and crypto.hash: Node.js 20.18 or newer.
{
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 18)) {
    die(`Node.js 20.18 or newer is needed (this is ${process.version})`);
  }
}

const HERE = dirname(fileURLToPath(import.meta.url));
let Provider;
let SessionNotFound;
try {
  const mod = await import('oidc-provider');
  Provider = mod.default;
  SessionNotFound = mod.errors.SessionNotFound;
} catch (err) {
  die(`cannot load the npm package oidc-provider (${err.code || err.message}): run \`npm ci\` in ${HERE}`);
}

// ---------------------------------------------------------------------------------------------
// Environment

const portText = process.env.OIDC_PORT ?? '0';
const PORT = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
if (!(PORT >= 0 && PORT <= 65535)) die(`OIDC_PORT must be a port number (0 = any free port), got "${portText}"`);

const REDIRECT_URIS = (process.env.OIDC_REDIRECT_URIS ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
if (REDIRECT_URIS.length === 0) {
  die('OIDC_REDIRECT_URIS is required: comma-separated redirect URIs of the clients, e.g. http://127.0.0.1:8080/auth/callback');
}
for (const uri of REDIRECT_URIS) {
  const u = URL.parse(uri);
  if (!u || !['http:', 'https:'].includes(u.protocol) || u.hash) {
    die(`OIDC_REDIRECT_URIS: not an absolute http(s) URI without fragment: "${uri}"`);
  }
}

const ACCOUNTS_FILE = resolve(process.env.OIDC_ACCOUNTS || join(HERE, 'accounts.json'));
const KEYS_FILE = process.env.OIDC_KEYS_FILE ? resolve(process.env.OIDC_KEYS_FILE) : null;

// ---------------------------------------------------------------------------------------------
// Accounts: [{ sub, login, password, name }]

const sha256 = (text) => createHash('sha256').update(String(text), 'utf8').digest();

function loadAccounts(file) {
  let list;
  try {
    list = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    die(`cannot read the accounts file ${file}: ${err.message}`);
  }
  if (!Array.isArray(list) || list.length === 0) die(`${file}: expected a non-empty JSON array of accounts`);
  const subs = new Set();
  const logins = new Set();
  return list.map((a, i) => {
    for (const field of ['sub', 'login', 'password', 'name']) {
      if (typeof a?.[field] !== 'string' || a[field] === '') die(`${file}: account ${i}: "${field}" must be a non-empty string`);
    }
    const login = a.login.normalize('NFKC');
    if (subs.has(a.sub)) die(`${file}: duplicate sub "${a.sub}"`);
    if (logins.has(login)) die(`${file}: duplicate login "${a.login}"`);
    subs.add(a.sub);
    logins.add(login);
    return { sub: a.sub, name: a.name, loginDigest: sha256(login), passwordDigest: sha256(a.password) };
  });
}

const ACCOUNTS = loadAccounts(ACCOUNTS_FILE);
const ACCOUNTS_BY_SUB = new Map(ACCOUNTS.map((a) => [a.sub, a]));

// Compares against every account, digests of equal length, no early exit.
function authenticate(login, password) {
  const loginDigest = sha256(String(login ?? '').trim().normalize('NFKC'));
  const passwordDigest = sha256(password ?? '');
  let found = null;
  for (const account of ACCOUNTS) {
    const loginOk = timingSafeEqual(loginDigest, account.loginDigest);
    const passwordOk = timingSafeEqual(passwordDigest, account.passwordDigest);
    if (loginOk && passwordOk && found === null) found = account;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Signing keys: one RSA-2048 (RS256) and one EC P-256 (ES256) private JWK.
// kid = "<alg, lower case>-<first 16 characters of the RFC 7638 SHA-256 thumbprint>".

function thumbprint(jwk) {
  const members = jwk.kty === 'RSA'
    ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
    : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

// The keys come out of generateKeyPairSync as PKCS#8 DER and are exported as JWK from a fresh
// KeyObject: exporting the KeyObject that generateKeyPairSync returns can deadlock Node.js 20
// (a GC during export() runs the key-generation job's destructor, which waits for the lock that
// export() holds on the same key; seen here in about one start out of twenty).
function signingKey(type, options, alg) {
  const { privateKey } = generateKeyPairSync(type, {
    ...options,
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  const jwk = createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
  return { ...jwk, kid: `${alg.toLowerCase()}-${thumbprint(jwk).slice(0, 16)}`, alg, use: 'sig' };
}

function generateKeys() {
  return [
    signingKey('rsa', { modulusLength: 2048 }, 'RS256'),
    signingKey('ec', { namedCurve: 'P-256' }, 'ES256'),
  ];
}

function checkKeys(keys, file) {
  const rsa = keys?.find?.((k) => k?.kty === 'RSA' && k.alg === 'RS256');
  const ec = keys?.find?.((k) => k?.kty === 'EC' && k.crv === 'P-256' && k.alg === 'ES256');
  if (!rsa?.d || !ec?.d || !rsa.kid || !ec.kid || rsa.kid === ec.kid) {
    die(`${file}: expected {"keys": [...]} with a private RS256 RSA key and a private ES256 P-256 key with distinct kids; delete the file to have new keys generated`);
  }
  return [rsa, ec];
}

function loadOrCreateKeys(file) {
  if (!file) return generateKeys();
  try {
    return checkKeys(JSON.parse(readFileSync(file, 'utf8')).keys, file);
  } catch (err) {
    if (err.code !== 'ENOENT') die(`cannot read OIDC_KEYS_FILE ${file}: ${err.message}`);
  }
  // First start: write the keys to a temporary file, then link it into place, which fails if
  // another process got there first (then its complete file is used).
  const keys = generateKeys();
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
    try {
      linkSync(tmp, file);
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      return checkKeys(JSON.parse(readFileSync(file, 'utf8')).keys, file);
    } finally {
      unlinkSync(tmp);
    }
  } catch (err) {
    die(`cannot write OIDC_KEYS_FILE ${file}: ${err.message}`);
  }
  return keys;
}

const KEYS = loadOrCreateKeys(KEYS_FILE);

// ---------------------------------------------------------------------------------------------
// Pages (Japanese first; no external resources, no script)

const STYLE = [
  ':root{color-scheme:light;font-family:system-ui,"Hiragino Sans","Noto Sans CJK JP","Noto Sans JP","Yu Gothic UI",sans-serif;line-height:1.6}',
  'body{margin:0;background:#f3f5f7;color:#1a1a1a}',
  '*{overflow-wrap:anywhere}',
  'main{box-sizing:border-box;width:100%;max-width:30rem;margin:0 auto;padding:1.5rem 1rem}',
  'h1{font-size:1.5rem;line-height:1.3;margin:0 0 .5rem}',
  'p{margin:0 0 1rem}',
  '.note{font-size:.875rem;color:#454d55}',
  'form.card{background:#fff;border:1px solid #c3c9cf;border-radius:.5rem;padding:1rem}',
  'label{display:block;font-weight:700;margin:0 0 .25rem}',
  'input{box-sizing:border-box;display:block;width:100%;font:inherit;color:inherit;background:#fff;padding:.625rem .75rem;border:2px solid #5c6670;border-radius:.375rem;margin:0 0 1rem}',
  'button{box-sizing:border-box;display:block;width:100%;min-height:2.75rem;font:inherit;font-weight:700;color:#fff;background:#0b57d0;border:2px solid #0b57d0;border-radius:.375rem;padding:.5rem 1rem;margin:0 0 .75rem;cursor:pointer}',
  'button:hover{background:#0842a0;border-color:#0842a0}',
  'button.secondary{color:#0b57d0;background:#fff}',
  'input:focus-visible,button:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}',
  '.alert{border-left:.375rem solid #b3261e;background:#fdecea;color:#7a1c17;padding:.75rem 1rem;margin:0 0 1rem;border-radius:.25rem}',
  'dl{margin:0 0 1rem}dt{font-weight:700}dd{margin:0 0 .5rem;font-family:ui-monospace,monospace}',
].join('');
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');
const CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'none'; base-uri 'none'; frame-ancestors 'none'`;
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const esc = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}（開発用認証サーバー）</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function loginPage(uid, { login = '', error = false } = {}) {
  const invalid = error ? ' aria-invalid="true" aria-describedby="login-error"' : '';
  return page('サインイン', `<h1>サインイン</h1>
<p class="note">避難所運営システム（職員用）の開発・テスト専用の認証サーバーです。</p>
${error ? '<div class="alert" id="login-error" role="alert">ユーザー名またはパスワードが違います。</div>\n' : ''}<form class="card" method="post" action="/interaction/${esc(uid)}/login">
<label for="login">ユーザー名</label>
<input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${esc(login)}"${invalid}>
<label for="password">パスワード</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}>
<button type="submit">サインイン</button>
</form>`);
}

function errorPage(message, details = {}) {
  const rows = Object.entries(details)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
    .join('');
  return page('エラー', `<h1>エラー</h1>
<p role="alert">${esc(message)}</p>
${rows ? `<dl>${rows}</dl>` : ''}`);
}

function send(req, res, status, html, extraHeaders = {}) {
  const body = Buffer.from(html, 'utf8');
  res.writeHead(status, { ...PAGE_HEADERS, 'content-length': body.length, ...extraHeaders });
  res.end(req.method === 'HEAD' ? undefined : body);
}

// oidc-provider's own pages (errors, RP-initiated logout), in the same style.
async function renderError(ctx, out) {
  ctx.set(PAGE_HEADERS);
  ctx.type = 'html';
  ctx.body = errorPage('認証の処理中にエラーが発生しました。', out);
}

async function logoutSource(ctx, form) {
  ctx.set(PAGE_HEADERS);
  ctx.body = page('サインアウト', `<h1>サインアウトしますか？</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">サインアウトする</button>
<button type="submit" form="op.logoutForm" class="secondary">サインインしたままにする</button>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.set(PAGE_HEADERS);
  ctx.body = page('サインアウト', '<h1>サインアウトしました。</h1>');
}

// ---------------------------------------------------------------------------------------------
// Provider configuration

// All clients here are first-party: consent is given on their behalf, for these scopes and claims.
const GRANTABLE_SCOPES = ['openid', 'profile'];
const GRANTABLE_CLAIMS = ['sub', 'name'];

const client = (clientId, alg) => ({
  client_id: clientId,
  client_name: '避難所運営システム（職員用）',
  application_type: 'web',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code'],
  response_types: ['code'],
  redirect_uris: REDIRECT_URIS,
  id_token_signed_response_alg: alg,
});

const configuration = {
  clients: [client('bosai-staff', 'ES256'), client('bosai-staff-rs256', 'RS256')],
  jwks: { keys: KEYS },
  enabledJWA: { idTokenSigningAlgValues: ['ES256', 'RS256'] },
  responseTypes: ['code'],
  clientAuthMethods: ['none'], // public clients only: the code is bound by PKCE, not a secret
  pkce: { required: () => true }, // S256 is the only method oidc-provider 9 supports
  scopes: GRANTABLE_SCOPES,
  claims: { openid: ['sub'], profile: ['name'] },
  // Put the granted claims (name) in the id_token itself, not only at the userinfo endpoint.
  conformIdTokenClaims: false,
  async findAccount(_ctx, sub) {
    const account = ACCOUNTS_BY_SUB.get(sub);
    if (!account) return undefined;
    return { accountId: account.sub, claims: async () => ({ sub: account.sub, name: account.name }) };
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  ttl: {
    IdToken: 600,
    AccessToken: 600,
    AuthorizationCode: 60,
    Interaction: 60 * 60,
    Grant: 8 * 60 * 60,
    Session: 8 * 60 * 60,
  },
  // The relying party exchanges codes server-side: no browser CORS for the client endpoints.
  clientBasedCORS: () => false,
  renderError,
};

// ---------------------------------------------------------------------------------------------
// Interactions

async function readForm(req, limit = 16 * 1024) {
  const type = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return null;
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// Adds the missing first-party scopes and claims to the grant; false if something else is asked for.
function addToGrant(grant, { missingOIDCScope = [], missingOIDCClaims = [], missingResourceScopes = {} } = {}) {
  grant.addOIDCScope(GRANTABLE_SCOPES.join(' '));
  const claims = missingOIDCClaims.filter((c) => GRANTABLE_CLAIMS.includes(c));
  if (claims.length) grant.addOIDCClaims(claims);
  return missingOIDCScope.every((s) => GRANTABLE_SCOPES.includes(s))
    && missingOIDCClaims.every((c) => GRANTABLE_CLAIMS.includes(c))
    && Object.keys(missingResourceScopes).length === 0;
}

async function grantFor(provider, details, accountId) {
  let grant;
  if (details.grantId && details.session?.accountId === accountId) {
    grant = await provider.Grant.find(details.grantId);
  }
  grant ||= new provider.Grant({ accountId, clientId: details.params.client_id });
  const complete = addToGrant(grant, details.prompt.name === 'consent' ? details.prompt.details : {});
  return complete ? grant.save() : null;
}

const ACCESS_DENIED = {
  error: 'access_denied',
  error_description: 'only the openid and profile scopes (claims sub, name) can be granted',
};

function createHandler(provider) {
  const callback = provider.callback();

  async function interaction(req, res, uid) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new SessionNotFound('interaction uid does not match the cookie');
    return details;
  }

  async function show(req, res, uid) {
    const details = await interaction(req, res, uid);
    if (details.prompt.name === 'login') {
      return send(req, res, 200, loginPage(uid));
    }
    if (details.prompt.name === 'consent' && details.session?.accountId) {
      // First-party clients: no consent page.
      const grantId = await grantFor(provider, details, details.session.accountId);
      const result = grantId ? { consent: { grantId } } : ACCESS_DENIED;
      return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
    }
    return send(req, res, 400, errorPage(`未対応の確認（${details.prompt.name}）です。`));
  }

  async function login(req, res, uid) {
    const details = await interaction(req, res, uid);
    const form = await readForm(req);
    if (!form) return send(req, res, 400, errorPage('フォームの送信内容が正しくありません。'));
    const account = authenticate(form.get('login'), form.get('password'));
    if (!account) {
      return send(req, res, 401, loginPage(uid, { login: form.get('login') ?? '', error: true }));
    }
    const grantId = await grantFor(provider, details, account.sub);
    const result = grantId
      ? { login: { accountId: account.sub }, consent: { grantId } }
      : ACCESS_DENIED;
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  return async (req, res) => {
    try {
      const { pathname } = new URL(req.url, 'http://127.0.0.1');
      let m = /^\/interaction\/([\w-]+)$/.exec(pathname);
      if (m) {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          return send(req, res, 405, errorPage('このメソッドは使えません。'), { allow: 'GET, HEAD' });
        }
        return await show(req, res, m[1]);
      }
      m = /^\/interaction\/([\w-]+)\/login$/.exec(pathname);
      if (m) {
        if (req.method !== 'POST') {
          return send(req, res, 405, errorPage('このメソッドは使えません。'), { allow: 'POST' });
        }
        return await login(req, res, m[1]);
      }
      return callback(req, res);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
      } else if (err instanceof SessionNotFound) {
        send(req, res, 400, errorPage('サインインの有効期限が切れたか、Cookie が無効です。はじめからやり直してください。'));
      } else {
        console.error('oidc-provider: interaction error:', err);
        send(req, res, 500, errorPage('サーバーでエラーが発生しました。'));
      }
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Start: listen first (the issuer needs the real port), then build the provider.

let handler = (_req, res) => {
  res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('starting\n');
};
const server = createServer((req, res) => handler(req, res));
server.on('clientError', (_err, socket) => socket.destroy());
await new Promise((ok) => {
  server.once('error', (err) => die(`cannot listen on 127.0.0.1:${PORT}: ${err.message}`));
  server.listen(PORT, '127.0.0.1', ok);
});

const ISSUER = `http://127.0.0.1:${server.address().port}`;
let provider;
try {
  provider = new Provider(ISSUER, configuration);
} catch (err) {
  die(`invalid provider configuration: ${err.message}`);
}
provider.on('server_error', (_ctx, err) => console.error('oidc-provider: server error:', err));
handler = createHandler(provider);

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// Started by the local stack with its stdin a pipe: when the stack dies, even by SIGKILL, the
// pipe closes and the provider goes with it instead of living on as an orphan.
if (process.env.OIDC_STOP_ON_STDIN_END === '1') {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

process.stdout.write(`OIDC_READY ${ISSUER}\n`);
