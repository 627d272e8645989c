// The per-request deadline (JHE_REQUEST_TIMEOUT_MS, doc/robustness.md "Cost bounds"): a request
// still running when it passes has its statement cancelled, is rolled back whole and answers 503
// with Retry-After, well before the 10 s statement_timeout; the worker goes on serving.
// The running stack's workers get a 2 s deadline through their configuration file and SIGHUP
// (the documented reload), and the original configuration is restored the same way afterwards.
import { test, before, after } from 'node:test';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { get, post, sql, token, holdTable, assert, expectStatus, sleep, workerPids } from './lib.mjs';
import { observation, bundle, fhirPost } from './fhir_helpers.mjs';

const SRC = new URL('../../', import.meta.url).pathname;
const VAR = `${SRC}var/${process.env.JHE_INSTANCE || 'test'}`;
const CONF = `${VAR}/etc/jhe.conf`;
const LOG = `${VAR}/log`;
const DEADLINE_MS = 2000;

// Tokens are issued before any table is locked (issuing one writes rows the locks would block).
let maryTok, peterTok;
const mary = () => maryTok;
const peter = () => peterTok;
const logText = () => readdirSync(LOG).filter((f) => /^worker-\d+\.log$/.test(f))
  .map((f) => readFileSync(`${LOG}/${f}`, 'utf8')).join('');
const count = (text, s) => text.split(s).length - 1;
const timed = async (f) => { const t = Date.now(); const r = await f(); return [r, Date.now() - t]; };

// Write the configuration and SIGHUP every worker; resolves once each has logged the reload.
async function reloadWith(text) {
  writeFileSync(CONF, text);
  const pids = workerPids();
  const seen = count(logText(), 'configuration reloaded');
  execFileSync('kill', ['-HUP', ...pids]);
  for (let i = 0; i < 100; i++) {
    if (count(logText(), 'configuration reloaded') >= seen + pids.length) return;
    await sleep(100);
  }
  throw new Error('the workers did not log "configuration reloaded" within 10 s');
}

let original;
before(async () => {
  maryTok = token('manager_mary@example.com');
  peterTok = token('ll_patient_peter@example.com');
  original = readFileSync(CONF, 'utf8');
  const kept = original.split('\n').filter((l) => !l.startsWith('JHE_REQUEST_TIMEOUT_MS=')).join('\n');
  await reloadWith(`${kept.replace(/\n*$/, '\n')}JHE_REQUEST_TIMEOUT_MS=${DEADLINE_MS}\n`);
});

after(async () => {
  await reloadWith(original);
});

test('Admin API write blocked past the deadline: 503 + Retry-After after ~2 s, nothing written', async () => {
  const name = `Deadline Org ${randomUUID()}`;
  const logBefore = count(logText(), 'request deadline (JHE_REQUEST_TIMEOUT_MS) passed');
  const { done } = await holdTable('organization', 6);
  const [r, ms] = await timed(() => post('/api/v1/organizations', { name, type: 'edu', partOf: 20001 }, { token: mary() }));
  expectStatus(r, 503);
  assert.deepEqual(r.json, { detail: 'Service temporarily unavailable.' });
  assert.equal(r.headers.get('retry-after'), '5');
  // the deadline, not the 10 s statement_timeout nor the 6 s lock, ended it
  assert.ok(ms >= DEADLINE_MS - 100, `${ms} ms`); // the lock (6 s) would end in 201/200, statement_timeout is 10 s
  assert.equal(count(logText(), 'request deadline (JHE_REQUEST_TIMEOUT_MS) passed'), logBefore + 1);
  await done;
  assert.equal(sql(`SELECT count(*) FROM organization WHERE name = '${name}'`)[0][0], '0');
});

test('FHIR transaction blocked past the deadline: 503 OperationOutcome, no entry written', async () => {
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  const b = bundle('transaction', ids.map((ident) => observation({ ident })));
  const { done } = await holdTable('observation', 6);
  const [r, ms] = await timed(() => fhirPost('/FHIR/R5', b, peter()));
  expectStatus(r, 503);
  assert.equal(r.json.resourceType, 'OperationOutcome');
  assert.equal(r.headers.get('retry-after'), '5');
  assert.ok(ms >= DEADLINE_MS - 100, `${ms} ms`); // the lock (6 s) would end in 201/200, statement_timeout is 10 s
  await done;
  const n = sql(`SELECT count(*) FROM observation_identifier WHERE value IN ('${ids.join("','")}')`)[0][0];
  assert.equal(n, '0');
});

test('after a deadline every worker serves again, and requests under the deadline are untouched', async () => {
  // more requests than workers, so each worker answers at least one after its cancelled statement
  const n = workerPids().length * 4;
  const rs = await Promise.all(Array.from({ length: n }, () => get('/api/v1/organizations?pageSize=1', { token: mary() })));
  for (const r of rs) expectStatus(r, 200);
  // a write that waits 0.5 s on a lock (less than the deadline) still succeeds
  const name = `Deadline Org ok ${randomUUID()}`;
  const { done } = await holdTable('organization', 0.5);
  const r = await post('/api/v1/organizations', { name, type: 'edu', partOf: 20001 }, { token: mary() });
  expectStatus(r, 201);
  await done;
  assert.equal(sql(`SELECT count(*) FROM organization WHERE name = '${name}'`)[0][0], '1');
  sql(`DELETE FROM organization WHERE name = '${name}'`);
});
