// Helpers of the FHIR integration tests: OMH data points, Observations, Bundles.
import { randomUUID } from 'node:crypto';
import { post, get } from './lib.mjs';

export const OMH = 'https://w3id.org/openmhealth';

export function hrPoint(value = 70, when = '2025-06-01T10:00:00Z', unit = 'beats/min') {
  return {
    header: {
      uuid: randomUUID(),
      schema_id: { namespace: 'omh', name: 'heart-rate', version: '2.0' },
      source_creation_date_time: when,
      modality: 'sensed',
    },
    body: { heart_rate: { value, unit }, effective_time_frame: { date_time: when } },
  };
}

export function bpPoint(when = '2025-06-01T10:00:00Z') {
  return {
    header: {
      uuid: randomUUID(),
      schema_id: { namespace: 'omh', name: 'blood-pressure', version: '4.0' },
      source_creation_date_time: when,
      modality: 'sensed',
    },
    body: {
      systolic_blood_pressure: { value: 120, unit: 'mmHg' },
      diastolic_blood_pressure: { value: 80, unit: 'mmHg' },
      effective_time_frame: { date_time: when },
    },
  };
}

export const b64 = (o) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64');

export function observation({ patient = 40001, code = 'omh:heart-rate:2.0', system = OMH, device = 70001,
  point, ident = randomUUID(), identSystem = 'https://test.example/obs', status = 'final' } = {}) {
  const o = {
    resourceType: 'Observation',
    status,
    code: { coding: [{ system, code }] },
    subject: { reference: `Patient/${patient}` },
    device: { reference: `Device/${device}` },
    valueAttachment: { contentType: 'application/json', data: b64(point ?? hrPoint()) },
  };
  if (ident !== null) o.identifier = [{ system: identSystem, value: ident }];
  return o;
}

export function bundle(type, resources, ifNoneExist = []) {
  return {
    resourceType: 'Bundle',
    type,
    entry: resources.map((resource, i) => ({
      resource,
      request: { method: 'POST', url: 'Observation', ...(ifNoneExist[i] ? { ifNoneExist: ifNoneExist[i] } : {}) },
    })),
  };
}

export const fhirPost = (path, body, tok, headers = {}) =>
  post(path, body, { token: tok, headers: { 'Content-Type': 'application/fhir+json', ...headers } });

// Follow next links from url; returns {ids, pages, totals}.
export async function followAll(url, tok, max = 1000) {
  const ids = [];
  const totals = [];
  let pages = 0;
  let next = url;
  while (next && pages < max) {
    const r = await get(next, { token: tok });
    if (r.status !== 200) throw new Error(`page ${pages + 1}: ${r.status} ${r.text.slice(0, 300)}`);
    pages++;
    totals.push(r.json.total);
    for (const e of r.json.entry) ids.push(e.resource.id);
    const n = r.json.link.find((l) => l.relation === 'next');
    next = n ? n.url : null;
  }
  return { ids, pages, totals };
}
