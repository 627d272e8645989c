// Patient rows and invitations never reach a practitioner's or a superuser's account
// (doc/admin-api-notes.md, "Patient accounts"): the account-takeover path replayed and refused at
// both ends, and the legitimate paths still working.
import { test } from 'node:test';
import crypto from 'node:crypto';
import { get, post, patch, del, sql, token, assert, expectStatus } from './lib.mjs';
import { b64url, tokenRequest } from './oauth_lib.mjs';

const MEGAN = () => token('member_megan@example.com'); // member of Lifespan Lab (20003)
const MARY = () => token('manager_mary@example.com');
const ADMIN = () => token('admin@example.com');
const STAFF_EMAIL_MSG = 'This email belongs to a practitioner or superuser account; patients can only be created for new or patient-only accounts.';
const STAFF_INVITE_MSG = "Invitations are only for patient-only accounts; this patient's user is a practitioner or superuser.";
const uniq = `${process.pid}${Date.now() % 100000}`;

// Rows an attack could leave behind, counted.
function state() {
  return sql(`SELECT (SELECT count(*) FROM patient), (SELECT count(*) FROM patient_organization),
                     (SELECT count(*) FROM jhe_user), (SELECT count(*) FROM patient_invitation),
                     (SELECT count(*) FROM oauth_authorization_code), (SELECT count(*) FROM oauth_token_family),
                     (SELECT string_agg(id || ':' || COALESCE(last_login::text, '-'), ',' ORDER BY id) FROM jhe_user WHERE id < 10020)`)[0];
}

async function exchange(grant, tok) {
  return tokenRequest({
    grant_type: 'authorization_code', code: grant.grant.code, redirect_uri: grant.grant.redirect_uri,
    client_id: grant.grant.client_id, code_verifier: b64url(Buffer.from(tok, 'ascii')),
  });
}

// tokens issued up front, so that issuing them does not count as a change
const warm = () => [MEGAN(), MARY(), ADMIN()];

test('POST /patients with a staff email: 400 field error, nothing written', async () => {
  warm();
  const before = state();
  for (const [who, email] of [
    [MEGAN, 'admin@example.com'], [MEGAN, '  ADMIN@Example.com '], [MEGAN, 'manager_mary@example.com'],
    [MARY, 'member_megan@example.com'], [ADMIN, 'viewer_victor@example.com'], [ADMIN, 'admin@example.com'],
  ]) {
    const r = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: email, nameFamily: 'X' }, { token: who() });
    expectStatus(r, 400);
    assert.deepEqual(r.json, { telecomEmail: [STAFF_EMAIL_MSG] });
  }
  // snake_case body, identifiers present: the same
  const s = await post('/api/v1/patients', {
    organization_id: 20003, telecom_email: 'three_org_tom@example.com',
    identifiers: [{ system: 'urn:test', value: `takeover-${uniq}` }],
  }, { token: MEGAN() });
  expectStatus(s, 400);
  assert.deepEqual(s.json, { telecomEmail: [STAFF_EMAIL_MSG] });
  assert.deepEqual(state(), before);
  assert.deepEqual(sql(`SELECT count(*) FROM patient_identifier WHERE value = 'takeover-${uniq}'`), [['0']]);
  assert.deepEqual(sql(`SELECT count(*) FROM patient p JOIN jhe_user u ON u.id = p.jhe_user_id
                         WHERE u.is_superuser OR EXISTS (SELECT 1 FROM practitioner pr WHERE pr.jhe_user_id = u.id)`), [['0']]);
  // the refusal is audited like any other failed create
  const a = sql(`SELECT action, outcome FROM audit_event WHERE resource_type = 'Patient' ORDER BY id DESC LIMIT 1`);
  assert.deepEqual(a, [['create', '400']]);
  // PATCH cannot move a patient onto a staff email either (telecomEmail is read-only there)
  const u = await patch('/api/v1/patients/40001?organizationId=20003', { telecomEmail: 'admin@example.com' }, { token: MEGAN() });
  expectStatus(u, 200);
  assert.equal(u.json.telecomEmail, 'll_patient_peter@example.com');
  assert.equal(u.json.jheUserId, 10006);
});

test('the takeover replayed: invitation create and redeem refuse a staff account, nothing written', async () => {
  // A patient row attached to the superuser, as the old code let a member create (or as data
  // from before this rule may hold).
  const pid = sql(`WITH p AS (INSERT INTO patient (jhe_user_id, name_family) VALUES (10001, 'Takeover') RETURNING id),
                        po AS (INSERT INTO patient_organization (patient_id, organization_id) SELECT id, 20003 FROM p)
                   SELECT id FROM p`)[0][0];
  try {
    warm();
    const before = state();
    const r = await post('/api/v1/invitation', { patient_id: Number(pid), client_id: 1 }, { token: MEGAN() });
    expectStatus(r, 400);
    assert.deepEqual(r.json, [STAFF_INVITE_MSG]);
    assert.deepEqual(state(), before);
    // an invitation minted before the fix (or before the user became staff) cannot be redeemed
    const tok = crypto.randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, 'a').slice(0, 32);
    const hash = b64url(crypto.createHash('sha256').update(tok).digest());
    sql(`INSERT INTO patient_invitation (patient_id, client_id, token_hash, status, created, last_updated)
         VALUES (${pid}, 1, '${hash}', 'issued', now(), now())`);
    const mid = state();
    const red = await post(`/api/v1/invitation/${tok}`);
    expectStatus(red, 403);
    assert.deepEqual(red.json, { detail: 'Invitations cannot be redeemed for a practitioner or superuser account.' });
    assert.deepEqual(state(), mid); // no code, no last_login, no family
    assert.deepEqual(sql(`SELECT status, redeemed_at IS NULL FROM patient_invitation WHERE token_hash = '${hash}'`), [['issued', 't']]);
    assert.deepEqual(sql(`SELECT action, outcome FROM audit_event ORDER BY id DESC LIMIT 1`), [['invitation.redeem_failed', '403']]);
  } finally {
    sql(`DELETE FROM patient WHERE id = ${pid}`);
  }
});

test('legitimate paths: new user and patient-only user get patients; their invitation yields patient tokens', async () => {
  // a patient-only user without a patient row (e.g. created through /users) is reused
  const email0 = `acct-only-${uniq}@example.com`;
  const uid0 = sql(`INSERT INTO jhe_user (email, user_type) VALUES ('${email0}', 'patient') RETURNING id`)[0][0];
  const p0 = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: email0 }, { token: MEGAN() });
  expectStatus(p0, 201);
  assert.equal(String(p0.json.jheUserId), uid0);
  // a new user
  const email = `acct-new-${uniq}@example.com`;
  const p = await post('/api/v1/patients', { organizationId: 20003, telecomEmail: email, nameFamily: 'New' }, { token: MEGAN() });
  expectStatus(p, 201);
  try {
    const inv = await post('/api/v1/invitation', { patient_id: p.json.id, client_id: 1 }, { token: MEGAN() });
    expectStatus(inv, 201);
    const red = await post(`/api/v1/invitation/${inv.json.token}`);
    expectStatus(red, 200);
    const t = await exchange(red.json, inv.json.token);
    expectStatus(t, 200);
    const prof = await get('/api/v1/users/profile', { token: t.json.access_token });
    expectStatus(prof, 200);
    assert.equal(prof.json.isSuperuser, false);
    assert.equal(prof.json.patient.id, p.json.id);

    // The user later becomes a practitioner (dual-role, by a superuser): the patient app's
    // invitation tokens stop working; the practitioner signs in on their own.
    const pr = await post('/api/v1/practitioners', { telecomEmail: email }, { token: ADMIN() });
    expectStatus(pr, 201);
    expectStatus(await get('/api/v1/users/profile', { token: t.json.access_token }), 401);
    const rt = await tokenRequest({ grant_type: 'refresh_token', refresh_token: t.json.refresh_token, client_id: 'carex' });
    expectStatus(rt, 400);
    assert.equal(rt.json.error, 'invalid_grant');
    const again = await post('/api/v1/invitation', { patient_id: p.json.id, client_id: 1 }, { token: MEGAN() });
    expectStatus(again, 400);
    assert.deepEqual(again.json, [STAFF_INVITE_MSG]);
    // a code redeemed before the change cannot be exchanged after it
    expectStatus(await del(`/api/v1/practitioners/${pr.json.id}`, undefined, { token: ADMIN() }), 204);
    const inv2 = await post('/api/v1/invitation', { patient_id: p.json.id, client_id: 1 }, { token: MEGAN() });
    expectStatus(inv2, 201);
    const red2 = await post(`/api/v1/invitation/${inv2.json.token}`);
    expectStatus(red2, 200);
    const pr2 = await post('/api/v1/practitioners', { telecomEmail: email }, { token: ADMIN() });
    expectStatus(pr2, 201);
    const families = sql('SELECT count(*) FROM oauth_token_family')[0][0];
    const t2 = await exchange(red2.json, inv2.json.token);
    expectStatus(t2, 400);
    assert.equal(t2.json.error, 'invalid_grant');
    assert.equal(sql('SELECT count(*) FROM oauth_token_family')[0][0], families);
    expectStatus(await del(`/api/v1/practitioners/${pr2.json.id}`, undefined, { token: ADMIN() }), 204);
  } finally {
    expectStatus(await del(`/api/v1/patients/${p.json.id}?organizationId=20003`, undefined, { token: MEGAN() }), 204);
    expectStatus(await del(`/api/v1/patients/${p0.json.id}?organizationId=20003`, undefined, { token: MEGAN() }), 204);
  }
  assert.deepEqual(sql(`SELECT count(*) FROM jhe_user WHERE email IN ('${email}', '${email0}')`), [['0']]);
});
