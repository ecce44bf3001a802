// Helpers for the shelter staff view tests: staff tokens, residents with households and
// check-in credentials (through the companion CLI and the API), forged credentials, QR
// images of credentials, and the scan screen's own steps.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPrivateKey, randomUUID, sign as cryptoSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { localBin } from './stack.mjs';

const require = createRequire(import.meta.url);
const QRCode = require('qrcode');
const { PNG } = require('pngjs');

const run = promisify(execFile);
const companion = process.env.BOSAI_COMPANION_BIN || join(dirname(localBin()), 'companion');
export const SHELTER = '041009-aoba-katahira-es';
/** The consent text's version the app shows (bosai_types::consent::SENSITIVE_DATA_CONSENT_VERSION). */
export const CONSENT_VERSION = '2026-12';

/** Stack-bound helpers (the stack's own keys, cards and URL). */
export function residents(stack) {
  const keyPath = () => join(stack.dataDir, 'identity', 'keys', 'token-1.pem');
  const cards = () => join(stack.dataDir, 'identity', 'cards');

  async function staffToken(shelter = SHELTER) {
    const { stdout } = await run(companion, ['staff-token', '--role', 'shelter_staff', '--shelter', shelter, '--key', keyPath()]);
    return stdout.trim();
  }

  /** A disaster HQ token for the demo municipality. */
  async function hqToken() {
    const { stdout } = await run(companion, ['staff-token', '--role', 'hq', '--key', keyPath()]);
    return stdout.trim();
  }

  /** A municipality administrator's token (the demo municipality unless `municipality`). */
  async function adminToken(municipality = '041009') {
    const { stdout } = await run(companion, ['staff-token', '--role', 'admin', '--municipality', municipality, '--key', keyPath()]);
    return stdout.trim();
  }

  async function residentToken(card) {
    const { stdout } = await run(companion, ['login', '--server', stack.url, '--card', join(cards(), card), '--share-basic-four']);
    return stdout.trim();
  }

  /** A fresh test card (own resident) from the stack's test CA. */
  async function newCard(name) {
    const out = join(cards(), `t-${randomUUID().slice(0, 8)}`);
    await run(companion, ['card', 'new', '--ca', join(stack.dataDir, 'identity', 'jpki'), '--name', name,
      '--address', '宮城県仙台市青葉区', '--dob', '1985-05-05', '--sex', '3', '--out', out]);
    return out.split('/').pop();
  }

  async function api(token, method, path, body) {
    const res = await fetch(`${stack.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  /** Signs in with `card`, adds `members` ({id, name, birth, allergens?, care?}) and returns a check-in credential for all. */
  async function household(card, members) {
    const token = await residentToken(card);
    // Needs (要配慮個人情報) are stored only with the resident's consent, as the app asks first.
    await api(token, 'PUT', '/api/me/consent', { version: CONSENT_VERSION });
    for (const m of members) {
      await api(token, 'PUT', `/api/household/members/${m.id}`, { display_name: m.name, birth: m.birth, sex: 'no_answer', relationship: m.rel ?? 'child' });
      if (m.allergens || m.care) {
        await api(token, 'PUT', `/api/household/members/${m.id}/needs`, { allergens: m.allergens ?? [], care: m.care ?? [] });
      }
    }
    const ids = ['self', ...members.map((m) => m.id)];
    const { credential } = await api(token, 'POST', '/api/me/checkin-credential', { members: ids });
    return { token, credential, ids };
  }

  /** A check-in credential signed with the server's own key, but expired long ago (made here, as a device offline for days would hold). */
  async function expiredCredential(real) {
    const [h, p] = real.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url'));
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...JSON.parse(Buffer.from(p, 'base64url')), iat: now - 5 * 86400, exp: now - 2 * 86400 };
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b64(header)}.${b64(claims)}`;
    const sig = cryptoSign('sha256', Buffer.from(input), { key: createPrivateKey(readFileSync(keyPath())), dsaEncoding: 'ieee-p1363' });
    return `${input}.${sig.toString('base64url')}`;
  }

  /** The shelter's roster names as the API has them (staff token). */
  async function rosterApi(token, shelter = SHELTER) {
    return (await api(token, 'GET', `/api/shelters/${shelter}/roster`)).map((e) => e.name);
  }

  return { staffToken, hqToken, adminToken, residentToken, newCard, api, household, expiredCredential, rosterApi };
}

/** The same credential with one more member added to its claims: the signature no longer matches. */
export function tampered(credential) {
  const [h, p, s] = credential.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  claims.m.push('intruder');
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
}

/** A PNG (Buffer) of `text` as a QR code, as a phone photo of the resident's screen would show it. */
export function qrPng(text, { scale = 6, margin = 4 } = {}) {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', scale, margin });
}

/** A PNG of soft gray stripes: a picture with no QR code in it. */
export function noQrPng(width = 320, height = 240) {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = 120 + Math.round(60 * Math.sin((x + 2 * y) / 9));
      const i = (y * width + x) * 4;
      png.data[i] = v; png.data[i + 1] = v; png.data[i + 2] = v; png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/**
 * A Y4M video (Chromium's --use-file-for-fake-video-capture) of `frames` identical frames:
 * the QR code of `text` centred on white paper. Y4M 4:2:0: per frame `FRAME\n`, the Y plane
 * (the picture in gray), then the U and V planes at half size, all 128 (no colour).
 */
export function qrY4m(text, { width = 640, height = 480, module = 4, frames = 5 } = {}) {
  assert.ok(width % 2 === 0 && height % 2 === 0, 'even width and height');
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const side = n * module;
  assert.ok(side + 8 * module <= Math.min(width, height), `QR (${n} modules × ${module} px) plus its quiet zone fits ${width}×${height}`);
  // Video levels: black 16, white 235.
  const y = Buffer.alloc(width * height, 235);
  const x0 = Math.floor((width - side) / 2);
  const y0 = Math.floor((height - side) / 2);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < module; dy++) {
        y.fill(16, (y0 + r * module + dy) * width + x0 + c * module, (y0 + r * module + dy) * width + x0 + (c + 1) * module);
      }
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  return Buffer.concat([header, ...Array(frames).fill(frame)]);
}

// ---- the scan screen ----------------------------------------------------------------

export const pending = (page) => page.locator('.scan-pending');
export const waitPending = (page, n, timeout = 30_000) => pending(page).filter({ hasText: `送信待ち ${n}件` }).waitFor({ timeout });

/** Keyboard-wedge scan: the scanner types the code and presses Enter; the staff member presses Enter to confirm. */
export async function scan(page, credential) {
  const input = page.locator('#scan-input');
  await input.focus();
  await page.keyboard.insertText(credential);
  await page.keyboard.press('Enter');
}

/** "Read from a photo" with a picture file made here. */
export async function scanPhoto(page, buffer, { name = 'qr.png', mimeType = 'image/png' } = {}) {
  await page.locator('#scan-photo').setInputFiles({ name, mimeType, buffer });
}

export async function confirm(page) {
  const btn = page.locator('#scan-confirm');
  await btn.waitFor();
  // Focus moves to the confirm button (just after it renders): Enter confirms (one staff action).
  await page.waitForFunction(() => document.activeElement?.id === 'scan-confirm', null, { timeout: 5000 });
  await page.keyboard.press('Enter');
  await page.locator('.scan-msg').filter({ hasText: /を記録しました/ }).waitFor();
}

/** Opens the "sign in with a token" fallback under the staff-account button (idempotent). */
export async function openTokenForm(page) {
  const details = page.locator('details', { has: page.locator('summary', { hasText: 'トークンでサインイン' }) });
  if (!(await details.evaluate((el) => el.open))) await details.locator('summary').click();
}

/** Pastes the staff token on /shelter and waits until the verification keys are cached. */
export async function staffSignIn(page, baseUrl, token) {
  await page.goto(`${baseUrl}/shelter`);
  await openTokenForm(page);
  await page.getByLabel('スタッフトークン').fill(token);
  await page.getByRole('button', { name: 'トークンでサインイン' }).click();
  await waitPending(page, 0);
  await page.waitForFunction(() => !!localStorage.getItem('bosai.staff.jwks.v1'));
}
