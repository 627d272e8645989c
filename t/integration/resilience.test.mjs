// The stack survives a dead worker and a database restart (issue 2).
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { get, token, stack, assert, expectStatus, sleep, waitHealthy, workerPids } from './lib.mjs';

test('a worker killed with SIGKILL is skipped, then restarted', async () => {
  const pids = workerPids();
  assert.ok(pids.length >= 2, `workers running: ${pids.length}`);
  execFileSync('kill', ['-KILL', pids[0]]);
  const tok = token('manager_mary@example.com');
  for (let i = 0; i < 20; i++) {
    const r = await get('/api/v1/users/profile', { token: tok });
    expectStatus(r, 200);
  }
  let back = false;
  for (let i = 0; i < 50 && !back; i++) {
    await sleep(100);
    const now = workerPids();
    back = now.length >= pids.length && !now.includes(pids[0]);
  }
  assert.ok(back, 'the supervisor restarted the worker');
});

test('database stopped: 503, then recovery after restart', async () => {
  const tok = token('manager_mary@example.com');
  expectStatus(await get('/api/v1/users/profile', { token: tok }), 200);
  stack(['pg-stop']);
  try {
    const r = await get('/api/v1/users/profile', { token: tok });
    expectStatus(r, 503);
    assert.deepEqual(r.json, { detail: 'Service temporarily unavailable.' });
    assert.equal(r.headers.get('retry-after'), '5');
    const h = await get('/health?check=db');
    expectStatus(h, 503);
    assert.deepEqual(h.json, { status: 'unavailable', version: 'v0.0.13' });
    expectStatus(await get('/health'), 200);
  } finally {
    stack(['pg-start']);
  }
  await waitHealthy();
  let ok = false;
  for (let i = 0; i < 40 && !ok; i++) {
    const r = await get('/api/v1/users/profile', { token: tok });
    ok = r.status === 200;
    if (!ok) await sleep(100);
  }
  assert.ok(ok, 'requests succeed again after the database restarts');
  for (let i = 0; i < 10; i++) expectStatus(await get('/api/v1/users/profile', { token: tok }), 200);
});
