// A real incident's roster after the incident, in the browser against the real local stack: HQ
// opens and closes a disaster (API), a family is checked in and out at the desk during it, and
// the shelter's staff read back who stayed there — also those who left — on their phone at 360 px.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertAccessible, launchBrowser, screenshot } from './lib/browser.mjs';
import { SHELTER, residents, staffSignIn } from './lib/shelter.mjs';
import { startStack } from './lib/stack.mjs';

let stack;
let staffToken, hqToken, household, api;

before(async () => {
  stack = await startStack();
  ({ staffToken, hqToken, household, api } = residents(stack));
});
after(async () => { await stack?.stop(); });

test('staff read back who stayed during a closed disaster', async (t) => {
  const hq = await hqToken();
  const staff = await staffToken();
  await api(hq, 'POST', '/api/hq/incidents', { incident_id: 'typhoon-19', name: '台風19号', kind: 'real' });
  const family = await household('taro', [{ id: 'kid-1', name: '防災 はな', birth: '2018' }]);
  const scan = (id, kind) => ({ device_id: 'tablet-1', records: [{ event_id: id, kind, at: Date.now(), credential: family.credential }] });
  await api(staff, 'POST', `/api/shelters/${SHELTER}/scans`, scan('ev-typhoon-01', 'check_in'));
  await api(staff, 'POST', `/api/shelters/${SHELTER}/scans`, scan('ev-typhoon-02', 'check_out'));
  const closed = await api(hq, 'POST', '/api/hq/incidents/typhoon-19/close');
  assert.ok(closed.personal_data_until > closed.closed_at);

  const b = await launchBrowser({ viewport: { width: 360, height: 740 }, locale: 'ja-JP' });
  t.after(() => b.close());
  const { page } = b;
  await staffSignIn(page, stack.url, staff);
  const panel = page.locator('section[aria-labelledby="past-roster-h"]');
  await panel.getByRole('button', { name: '過去の名簿を表示' }).click();
  const roster = panel.locator('.past-roster[data-incident="typhoon-19"]');
  await roster.getByRole('heading', { name: '台風19号' }).waitFor();
  await roster.getByText(/に削除されます · 2人/).waitFor();
  for (const name of ['防災 太郎', '防災 はな']) {
    const row = roster.locator('tr').filter({ hasText: name });
    await row.waitFor();
    assert.doesNotMatch(await row.textContent(), /最後まで滞在/, `${name} left`);
  }
  await assertAccessible(page, '/shelter past rosters');
  await roster.scrollIntoViewIfNeeded();
  await screenshot(page, 'shelter-past-roster-360', { fullPage: false });
  // The read is in the audit log of the shelter's municipality.
  const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo' }).format(new Date());
  const log = await api(hq, 'GET', `/api/hq/audit?date=${today}&action=past_roster_view`);
  assert.equal(log.length, 1);
});
