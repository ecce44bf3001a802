// Start and stop the local stack (bosai-local) for browser tests.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

// Same defaults as scripts/lib.sh.
export function localBin() {
  if (process.env.BOSAI_LOCAL_BIN) return process.env.BOSAI_LOCAL_BIN;
  const cache = process.env.BOSAI_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'bosai');
  return join(process.env.CARGO_TARGET_DIR || join(cache, 'target'), 'debug', 'bosai-local');
}

/**
 * Starts bosai-local on a free port with a fresh data dir and resolves once it
 * prints `BOSAI_READY <url>`. Returns { url, stop() }.
 * Options: dist (default $BOSAI_DIST or <repo>/dist), dataDir (reuse one to test persistence),
 * env (extra variables), timeoutMs.
 */
export async function startStack({ dist = process.env.BOSAI_DIST || join(REPO, 'dist'), dataDir, env = {}, timeoutMs = 30_000 } = {}) {
  const bin = localBin();
  if (!existsSync(bin)) {
    throw new Error(`bosai-local not found at ${bin}: build it (cargo build -p bosai-local) or set BOSAI_LOCAL_BIN`);
  }
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html missing: run scripts/build-app.sh first`);
  }
  const ownDataDir = !dataDir;
  dataDir ??= mkdtempSync(join(tmpdir(), 'bosai-data-'));

  const child = spawn(bin, [], {
    cwd: REPO,
    // The tests read the public shelter list right after changing it: no snapshot (unit-tested in Rust).
    env: { ...process.env, BOSAI_PORT: '0', BOSAI_DATA_DIR: dataDir, BOSAI_DIST: dist, BOSAI_PUBLIC_CACHE_SECONDS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));

  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`bosai-local not ready after ${timeoutMs} ms\n${log}`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const m = /^BOSAI_READY (http:\/\/\S+)$/.exec(line.trim());
      if (m) { clearTimeout(timer); res(m[1]); }
    });
    // Exiting before READY: port taken, bad env, panic. Fail with its output.
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rej(new Error(`bosai-local exited (code ${code}, signal ${signal}) before ready\n${log}`));
    });
    child.once('error', (e) => { clearTimeout(timer); rej(e); });
  });

  let stopped = false;
  return {
    url,
    dataDir,
    pid: child.pid,
    get log() { return log; },
    /** The power cord: SIGKILL, no graceful shutdown. */
    async kill() {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(kill);
      }
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
