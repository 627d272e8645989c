// Organization + study selection shared by Patients, Observations (and Studies for the organization).
import { selectField } from './dom.js';
import { get, getAll } from './api.js';

// Options for the organization selector: the caller's memberships (users/organizations); superusers
// additionally get every organization when `all` is set (for structure pages such as Studies).
export async function orgOptions(app, { all = false } = {}) {
  if (all && app.isSuper) {
    const orgs = await getAll('organizations');
    return orgs.filter((o) => o.id !== 0).sort((a, b) => a.name.localeCompare(b.name));
  }
  return app.myOrgs;
}

// Resolves {orgs, orgId, studies, studyId}, or null when the caller has no organization.
export async function orgAndStudy(app, { all = false } = {}) {
  const orgs = await orgOptions(app, { all });
  if (!orgs.length) return null;
  const orgId = app.pickOrg(orgs);
  const studies = (await get('studies', { organizationId: orgId, pageSize: 1000 })).results || [];
  app.rememberSelection(orgId, null, { removeStudy: false });
  const studyId = app.pickStudy(studies);
  return { orgs, orgId, studies, studyId, org: orgs.find((o) => String(o.id) === String(orgId)) };
}

export function studySelector(app, studies, value) {
  return selectField('Study', [['', 'All Studies'], ...studies.map((s) => [s.id, s.name])], value,
    (v) => app.setParams({ studyId: v, patientId: null, page: null, dialog: null, id: null }), { name: 'studyId' });
}
