// The test push service (functions/push, bin `test-push-service`): a local stand-in for a
// real push service such as FCM, which cannot be reached from here. It holds the keys of N
// "devices", decrypts what the local stack sends them, and has a small control API.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { localBin } from './stack.mjs';

export function testPushBin() {
  return process.env.BOSAI_TEST_PUSH_BIN || join(dirname(localBin()), 'test-push-service');
}

/**
 * Starts the service and resolves once it prints `TEST_PUSH_READY <push origin> <control origin>`.
 * Returns { origin, control, subscription(i), received(i), stats(), stop() }.
 */
export async function startTestPush({ devices = 4, timeoutMs = 15_000 } = {}) {
  const bin = testPushBin();
  if (!existsSync(bin)) {
    throw new Error(`test-push-service not found at ${bin}: build it (cargo build -p bosai-push --features test-receiver --bin test-push-service) or set BOSAI_TEST_PUSH_BIN`);
  }
  // stdin stays open: the service stops by itself when this process goes away.
  const child = spawn(bin, ['--devices', String(devices), '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  const [origin, control] = await new Promise((res, rej) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); rej(new Error(`test-push-service not ready after ${timeoutMs} ms\n${log}`)); }, timeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^TEST_PUSH_READY (http:\/\/\S+) (http:\/\/\S+)$/.exec(line.trim());
      if (m) { clearTimeout(timer); res([m[1], m[2]]); }
    });
    exited.then(({ code, signal }) => { clearTimeout(timer); rej(new Error(`test-push-service exited (code ${code}, signal ${signal})\n${log}`)); });
    child.once('error', (e) => { clearTimeout(timer); rej(e); });
  });
  const get = async (path) => {
    const res = await fetch(`${control}${path}`);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  let stopped = false;
  return {
    origin,
    control,
    /** Device i's `PushSubscription.toJSON()`. */
    subscription: (i) => get(`/_subscription/${i}`),
    /** `{count, last, last_text}`: messages device i accepted, the last one decrypted. */
    received: (i) => get(`/_received/${i}`),
    stats: () => get('/_stats'),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** Waits (polling, no fixed sleep) until `check()` returns a truthy value, and returns it. */
export async function until(check, { timeoutMs = 30_000, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
