// The edge of the stack: Host checks (NGINX default server, the workers' allowed hosts), the TLS
// 1.2 cipher suites, and the redirect URI rules at registration and at /o/authorize.
import { test } from 'node:test';
import https from 'node:https';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { BASE, get, post, patch, del, sql, token, stack, assert, expectStatus, snapshotIds, deleteCreatedSince } from './lib.mjs';
import { authorize, codeParams } from './oauth_lib.mjs';

const PORT = Number(new URL(BASE).port || 443);
const VAR = new URL(`../../var/${process.env.JHE_INSTANCE || 'test'}/`, import.meta.url).pathname;

// One HTTPS request with full control of the TLS name (SNI) and the Host header.
function raw(path, { servername = 'localhost', host, connectTo = '127.0.0.1' } = {}) {
  return new Promise((resolve, reject) => {
    const r = https.request({
      host: connectTo, port: PORT, path, method: 'GET', servername, agent: false,
      // the test certificate names localhost only; a forged SNI name cannot verify
      rejectUnauthorized: servername === 'localhost',
      headers: host === undefined ? {} : { Host: host },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    r.on('error', reject);
    r.end();
  });
}

// A minimal FastCGI client (one GET request, role responder) to talk to a worker's socket as NGINX
// does, with the X-Forwarded-Host that a wider NGINX server_name could pass on.
function fcgiGet(socket, path, forwardedHost) {
  const rec = (type, body) => {
    const pad = (8 - (body.length % 8)) % 8;
    const h = Buffer.from([1, type, 0, 1, body.length >> 8, body.length & 255, pad, 0]);
    return Buffer.concat([h, body, Buffer.alloc(pad)]);
  };
  const len = (n) => (n < 128 ? Buffer.from([n]) : Buffer.from([(n >>> 24) | 0x80, (n >> 16) & 255, (n >> 8) & 255, n & 255]));
  const params = {
    REQUEST_METHOD: 'GET', REQUEST_URI: path, DOCUMENT_URI: path, QUERY_STRING: '', SCRIPT_NAME: path,
    SERVER_PROTOCOL: 'HTTP/1.1', HTTPS: 'on', REMOTE_ADDR: '127.0.0.1', SERVER_PORT: String(PORT),
    HTTP_HOST: forwardedHost, HTTP_X_FORWARDED_PROTO: 'https', HTTP_X_FORWARDED_HOST: forwardedHost,
    HTTP_X_FORWARDED_FOR: '127.0.0.1', REQUEST_ID: 'edge-test-fcgi',
  };
  const kv = Buffer.concat(Object.entries(params).flatMap(([k, v]) => {
    const kb = Buffer.from(k), vb = Buffer.from(v);
    return [len(kb.length), len(vb.length), kb, vb];
  }));
  const msg = Buffer.concat([rec(1, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0])), rec(4, kv), rec(4, Buffer.alloc(0)), rec(5, Buffer.alloc(0))]);
  return new Promise((resolve, reject) => {
    const s = net.createConnection(socket);
    const chunks = [];
    s.setTimeout(10000, () => { s.destroy(); reject(new Error('FastCGI timeout')); });
    s.on('data', (d) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => {
      const all = Buffer.concat(chunks);
      let out = '';
      for (let i = 0; i + 8 <= all.length;) {
        const type = all[i + 1], n = all.readUInt16BE(i + 4), pad = all[i + 6];
        if (type === 6) out += all.subarray(i + 8, i + 8 + n).toString('utf8');
        i += 8 + n + pad;
      }
      const [head, ...body] = out.split('\r\n\r\n');
      resolve({ status: Number(/^Status: (\d+)/m.exec(head)?.[1]), head, text: body.join('\r\n\r\n') });
    });
    s.write(msg);
  });
}

test('NGINX: a request for another host name is refused (421) before any worker sees it', async () => {
  const mark = sql('SELECT COALESCE(max(id), 0) FROM audit_event')[0][0];
  const ok = await raw('/o/.well-known/openid-configuration', { host: `localhost:${PORT}` });
  expectStatus(ok, 200);
  assert.equal(JSON.parse(ok.text).issuer, `${BASE}/o`);
  const forged = [
    { host: 'evil.example' }, // forged Host over a TLS connection for localhost
    { host: `evil.example:${PORT}` },
    { host: `127.0.0.1:${PORT}` }, // a bare address is not the site's name either
    { host: 'localhost.evil.example' },
    { servername: 'evil.example', host: 'evil.example' }, // SNI and Host both forged (curl --resolve)
  ];
  for (const f of forged) {
    const r = await raw('/o/.well-known/openid-configuration', f);
    expectStatus(r, 421);
    assert.deepEqual(JSON.parse(r.text), { detail: 'Misdirected request.' });
    assert.ok(!r.text.includes('evil'));
  }
  // the same on the paths that build absolute links and on the invitation redemption
  for (const p of ['/FHIR/R5/metadata', '/api/v1/users/profile', `/api/v1/invitation/${'E'.repeat(32)}`]) {
    expectStatus(await raw(p, { host: 'evil.example' }), 421);
  }
  // a client-supplied X-Forwarded-Host does not change the issuer either
  const xf = await get('/o/.well-known/openid-configuration', { headers: { 'X-Forwarded-Host': 'evil.example' } });
  assert.equal(xf.json.issuer, `${BASE}/o`);
  // none of the refused requests reached a worker (no audit row for them)
  assert.equal(sql(`SELECT count(*) FROM audit_event WHERE id > ${mark}`)[0][0], '0');
});

test('workers: a host other than the site URL\'s (JHE_ALLOWED_HOSTS default) is refused with 400', async () => {
  const sock = `${VAR}run/w1.sock`;
  const good = await fcgiGet(sock, '/o/.well-known/openid-configuration', `localhost:${PORT}`);
  assert.equal(good.status, 200, good.head);
  assert.equal(JSON.parse(good.text).issuer, `${BASE}/o`);
  for (const h of ['evil.example', `evil.example:${PORT}`, 'localhost', `localhost:${PORT + 1}`, `localhost:${PORT}.evil.example`]) {
    const r = await fcgiGet(sock, '/o/.well-known/openid-configuration', h);
    assert.equal(r.status, 400, `${h}: ${r.head}`);
    assert.deepEqual(JSON.parse(r.text), { detail: 'Invalid host header.' });
    assert.ok(!r.text.includes('evil'));
  }
  // host names compare case-insensitively
  const upper = await fcgiGet(sock, '/health', `LOCALHOST:${PORT}`);
  assert.equal(upper.status, 200, upper.head);
});

function sClient(args) {
  try {
    const out = execFileSync('openssl', ['s_client', '-connect', `localhost:${PORT}`, '-servername', 'localhost', ...args],
      { input: '', encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 10000 });
    const m = /New, (TLSv[\d.]+), Cipher is (\S+)/.exec(out);
    return { ok: true, protocol: m?.[1], cipher: m?.[2], out };
  } catch (e) {
    return { ok: false, out: `${e.stdout}${e.stderr}` };
  }
}

test('TLS 1.2 offers only forward-secret AEAD suites; TLS 1.3 works; older protocols are refused', () => {
  for (const c of ['AES128-SHA256', 'AES128-GCM-SHA256', 'AES256-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384',
    'DHE-RSA-AES128-GCM-SHA256']) {
    const r = sClient(['-tls1_2', '-cipher', c]);
    assert.equal(r.ok, false, `${c} was accepted`);
    assert.match(r.out, /handshake failure|no cipher/);
  }
  for (const c of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305']) {
    const r = sClient(['-tls1_2', '-cipher', c]);
    assert.ok(r.ok, `${c} refused: ${r.out}`);
    assert.equal(r.cipher, c);
  }
  const t13 = sClient(['-tls1_3']);
  assert.ok(t13.ok, t13.out);
  assert.equal(t13.protocol, 'TLSv1.3');
  assert.equal(sClient(['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']).ok, false);
});

test('redirect URIs: hosts parsed exactly at registration (Admin API, jhe-admin) and at /o/authorize', async (t) => {
  const snap = snapshotIds();
  t.after(() => deleteCreatedSince(snap));
  const admin = token('admin@example.com');
  const apps = () => sql('SELECT count(*) FROM oauth_application')[0][0];
  const before = apps();
  const bad = ['http://localhost.evil/', 'http://localhost.evil:8888/cb', 'http://localhost@evil.example/cb',
    'http://localhost:8888@evil.example/cb', 'https://user:pw@hub.example.org/cb', 'http://127.0.0.1.evil.example/cb',
    'http://[::1]evil.example/cb', 'https://hub.example.org/cb#frag', 'https://hub.example.org/c\u0000b',
    'https://hub.example.org/cb\r\nX: y', 'https://hub.example.org/c\tb', 'http://localhost:99999/cb',
    'https://hub.example.org\\@evil.example/', 'http://evil.example/cb'];
  for (const u of bad) {
    const r = await post('/api/v1/oauth_applications', { name: 'Edge', clientId: 'edge-hub', clientType: 'public', redirectUris: [u] }, { token: admin });
    expectStatus(r, 400);
    // (a NUL is refused for the whole body, conventions.md)
    assert.ok(r.json.redirectUris || u.includes("\u0000"), `${JSON.stringify(u)}: ${r.text}`);
    if (u.includes('\u0000')) continue; // cannot be a command-line argument
    assert.throws(() => stack(['admin', 'clients', 'add', '--name', 'Edge', '--client-id', 'edge-cli', '--redirect-uri', u]),
      /invalid redirect URI/, JSON.stringify(u));
  }
  assert.equal(apps(), before, 'nothing registered');
  const c = await post('/api/v1/oauth_applications', { name: 'Edge', clientId: 'edge-hub', clientType: 'public',
    redirectUris: ['http://localhost:8888/cb', 'https://hub.example.org/cb', 'http://[::1]/cb'] }, { token: admin });
  expectStatus(c, 201);
  // updating to a bad list is refused and keeps the old one
  const p = await patch(`/api/v1/oauth_applications/${c.json.id}`, { redirectUris: ['http://localhost.evil/'] }, { token: admin });
  expectStatus(p, 400);
  assert.equal(sql(`SELECT redirect_uris FROM oauth_application WHERE id = ${c.json.id}`)[0][0],
    'http://localhost:8888/cb https://hub.example.org/cb http://[::1]/cb');
  // /o/authorize: a requested URI that only looks like the registered loopback one is refused
  // with the HTML error page, never redirected to
  const { params } = codeParams({ client_id: 'edge-hub' });
  const okPort = await authorize({}, { ...params, redirect_uri: 'http://localhost:8889/cb' });
  expectStatus(okPort, 302); // the loopback port may differ: on to the login page
  assert.ok(okPort.headers.get('location').startsWith('/accounts/login/'));
  for (const u of ['http://localhost:8888@evil.example/cb', 'http://localhost:8888/cb#x', 'http://localhost:8888/cb/../x',
    'http://localhost.evil:8888/cb', 'http://localhost:99999/cb']) {
    const a = await authorize({}, { ...params, redirect_uri: u });
    expectStatus(a, 400);
    assert.equal(a.headers.get('location'), null);
    assert.match(a.text, /Invalid redirect URI\./);
  }
  // a row stored before these rules (the old prefix check let it in) is not used either
  sql(`INSERT INTO oauth_application (client_id, name, client_type, authorization_grant_type, redirect_uris)
       VALUES ('edge-legacy', 'Legacy', 'public', 'authorization-code', 'http://localhost.evil/cb')`);
  for (const q of [{ redirect_uri: 'http://localhost.evil/cb' }, {}]) {
    const { params: lp } = codeParams({ client_id: 'edge-legacy', ...q });
    if (!q.redirect_uri) delete lp.redirect_uri;
    const a = await authorize({}, lp);
    expectStatus(a, 400);
    assert.equal(a.headers.get('location'), null);
  }
  expectStatus(await del(`/api/v1/oauth_applications/${c.json.id}`, undefined, { token: admin }), 204);
});
