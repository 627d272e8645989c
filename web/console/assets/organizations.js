// §5.1 Organizations: top-level selector, tree with role chips, view/add/edit/delete, members, studies.
import { h, button, chip, openDialog, table, dl, loading, replace, selectField, alertBox, confirmDialog } from './dom.js';
import { get, post, patch, del } from './api.js';
import { ifRoleCan, roleLabel, orgTypeLabel, orgTypeOptions } from './perms.js';
import { pageHeader, toolbar, formDialog, confirmAndRun, section, isValidEmail } from './ui.js';
import { refreshMyOrgs } from './main.js';

const MANAGE = 'organization.manage_for_practitioners';

function roleChip(role) {
  return role ? chip(roleLabel(role), `chip-${role === 'super_user' ? 'super' : role}`) : null;
}

function orgFields(org = {}) {
  return [
    { name: 'name', label: 'Name', required: true, value: org.name || '', requiredMessage: 'Name is required.' },
    { name: 'type', label: 'Type', type: 'select', required: true, requiredMessage: 'Type is required.', value: org.type || '',
      options: [['', 'Choose a type…'], ...orgTypeOptions()] },
  ];
}

function descendantsCount(node) {
  let n = 0;
  for (const c of node.children || []) n += 1 + descendantsCount(c);
  return n;
}

function findNode(node, id, parent = null) {
  if (String(node.id) === String(id)) return { node, parent };
  for (const c of node.children || []) { const r = findNode(c, id, node); if (r) return r; }
  return null;
}

export async function render(app, el) {
  const tops = (await get('organizations', { partOf: 0, pageSize: 1000 })).results || [];
  const header = pageHeader('Organizations',
    app.canGlobal('organization.create_top_level') ? button('Create top-level organization', () => createOrg(app, 0, null), { kind: 'primary' }) : null);
  el.append(header);
  if (!tops.length) {
    el.append(app.isSuper ? alertBox('info', 'There are no organizations yet.') : app.noOrgsMessage());
    return;
  }
  // Selected top-level organization: URL, else the one containing the sticky organization, else the first.
  let topId = app.param('topId');
  if (!tops.some((t) => String(t.id) === topId)) topId = null;
  const trees = new Map();
  if (!topId) {
    const sticky = app.profile?.settings?.currentOrganizationId;
    if (sticky) {
      for (const t of tops) {
        const tree = await get(`organizations/${t.id}/tree`);
        trees.set(String(t.id), tree);
        if (findNode(tree, sticky)) { topId = String(t.id); break; }
      }
    }
    topId = topId || String(tops[0].id);
  }
  el.append(toolbar(selectField('Top-level organization', tops.map((t) => [t.id, t.name]), topId,
    (v) => app.setParams({ topId: v, dialog: null, id: null }), { name: 'topId' })));
  const tree = trees.get(topId) || await get(`organizations/${topId}/tree`);
  el.append(h('ul', { class: 'tree', 'aria-label': 'Organization tree' }, nodeEl(app, tree, null)));

  // A dialog named in the URL (reload / Back).
  const dialog = app.param('dialog');
  const id = app.param('id');
  if (dialog && id) {
    const found = findNode(tree, id);
    if (found) {
      if (dialog === 'read') viewOrg(app, found.node);
      else if (dialog === 'update') editOrg(app, found.node, found.parent);
      else if (dialog === 'delete') deleteOrg(app, found.node, found.parent);
      else if (dialog === 'create') createOrg(app, found.node.id, found.node);
    }
  } else if (dialog === 'create' && app.isSuper) createOrg(app, 0, null);
}

function nodeEl(app, node, parent) {
  const role = node.currentUserRole;
  // Edit/delete use the parent's role (the node's own role for a top-level organization).
  const editRole = node.partOf === 0 || !parent ? role : parent.currentUserRole;
  const canEdit = ifRoleCan(editRole, MANAGE) || app.isSuper;
  const canAdd = ifRoleCan(role, MANAGE);
  return h('li', { class: 'tree-node', 'data-org-id': node.id },
    h('div', { class: 'tree-row' },
      h('span', { class: 'tree-name' }, node.name),
      h('span', { class: 'tree-type' }, orgTypeLabel(node.type)),
      roleChip(role),
      h('span', { class: 'row-actions' },
        button('View', () => viewOrg(app, node), { class: 'btn-small', ariaLabel: `View ${node.name}` }),
        canAdd ? button('Add sub-organization', () => createOrg(app, node.id, node), { class: 'btn-small', ariaLabel: `Add sub-organization to ${node.name}` }) : null,
        canEdit ? button('Edit', () => editOrg(app, node, parent), { class: 'btn-small', ariaLabel: `Edit ${node.name}` }) : null,
        canEdit ? button('Delete', () => deleteOrg(app, node, parent), { class: 'btn-small', ariaLabel: `Delete ${node.name}` }) : null)),
    node.children && node.children.length ? h('ul', null, node.children.map((c) => nodeEl(app, c, node))) : null);
}

async function createOrg(app, partOf, parentNode) {
  app.dialogOpened('create', partOf || null);
  const created = await formDialog({
    title: partOf ? `Add a sub-organization to ${parentNode?.name || partOf}` : 'Create a top-level organization',
    fields: orgFields(),
    submitLabel: 'Create',
    onSubmit: (v) => post('organizations', { name: v.name, type: v.type, partOf: partOf || 0 }),
    onClose: () => app.dialogClosed(),
  });
  if (created) {
    await refreshMyOrgs();
    app.pageAlert('success', `Organization "${created.name}" created.`);
    app.setParams({ dialog: null, id: null }, { push: false });
  }
}

async function editOrg(app, node) {
  app.dialogOpened('update', node.id);
  const saved = await formDialog({
    title: `Edit ${node.name}`,
    fields: orgFields(node),
    onSubmit: (v) => patch(`organizations/${node.id}`, { name: v.name, type: v.type }),
    onClose: () => app.dialogClosed(),
  });
  if (saved) { app.pageAlert('success', 'Organization saved.'); app.setParams({}, { push: false }); }
}

async function deleteOrg(app, node) {
  app.dialogOpened('delete', node.id);
  const subs = descendantsCount(node);
  let studies = null;
  try { studies = (await get(`organizations/${node.id}/studies`)).length; } catch { studies = null; }
  const msg = `Delete "${node.name}"? This also deletes ${subs} sub-organization${subs === 1 ? '' : 's'} and ${studies === null ? 'all' : studies} ${studies === 1 ? 'study' : 'studies'} (with their enrolments and consents)${subs ? ' of the organizations below it' : ''}. Patients and observations remain.`;
  const ok = await confirmAndRun(app, 'Delete organization', msg, () => del(`organizations/${node.id}`), { success: `Organization "${node.name}" deleted.` });
  app.dialogClosed();
  if (ok) { await refreshMyOrgs(); app.setParams({}, { push: false }); }
}

// View dialog: details, members (with management for managers/superusers) and studies.
async function viewOrg(app, node) {
  app.dialogOpened('read', node.id);
  const d = openDialog({ title: node.name, wide: true, content: loading(), onClose: () => app.dialogClosed() });
  const reload = async () => {
    let org;
    try { org = await get(`organizations/${node.id}`); } catch (e) { d.banner('error', e.message); replace(d.body); return; }
    const role = org.currentUserRole;
    const parts = [dl([['ID', String(org.id)], ['Name', org.name], ['Type', orgTypeLabel(org.type)], ['Part of', org.partOf === 0 ? window.CONSTANTS.ORGANIZATION_TOP_LEVEL_PART_OF_LABEL : String(org.partOf)], ['Your role', role ? roleLabel(role) : 'None']])];
    let members = null;
    let studies = null;
    let notMember = false;
    try {
      [members, studies] = await Promise.all([get(`organizations/${node.id}/users`), get(`organizations/${node.id}/studies`)]);
    } catch (e) {
      if (e.status === 403) notMember = true; else { d.banner('error', e.message); }
    }
    if (notMember) {
      parts.push(alertBox('info', 'You are not a member of this organization.'));
    } else if (members && studies) {
      parts.push(membersPanel(app, org, role, members, d, reload));
      parts.push(studiesPanel(app, org, role, studies));
    }
    replace(d.body, parts);
  };
  await reload();
}

function membersPanel(app, org, role, members, d, reload) {
  const canManage = ifRoleCan(role, MANAGE);
  const roleOptions = [['manager', 'Manager'], ['member', 'Member'], ['viewer', 'Viewer']];
  const rows = members;
  const columns = [
    { label: 'Email', render: (m) => m.email },
    { label: 'Name', render: (m) => [m.firstName, m.lastName].filter(Boolean).join(' ') },
    { label: 'Role', render: (m) => {
      if (!canManage) return roleChip(m.role);
      const sel = h('select', { 'aria-label': `Role of ${m.email}`, onchange: async () => {
        try { await post(`organizations/${org.id}/user`, { jheUserId: m.id, organizationPartitionerRole: sel.value }); d.banner('success', `${m.email} is now ${roleLabel(sel.value)}.`); if (m.id === app.profile.id) await refreshMyOrgs(); } catch (e) { d.banner('error', e.message); sel.value = m.role; }
      } }, roleOptions.map(([v, l]) => h('option', { value: v }, l)));
      sel.value = m.role;
      return sel;
    } },
  ];
  if (canManage) {
    columns.push({ label: 'Actions', render: (m) => button('Remove', async () => {
      if (!(await confirmDialog('Remove member', `Remove ${m.email} from ${org.name}?`, { confirmLabel: 'Remove', danger: true }))) return;
      try { await del(`organizations/${org.id}/remove_user`, { jheUserId: m.id }); d.banner('success', `${m.email} removed.`); await reload(); } catch (e) { d.banner('error', e.message); }
    }, { class: 'btn-small', ariaLabel: `Remove ${m.email}` }) });
  }
  const panel = section('Members', table({ columns, rows, caption: 'Members', empty: 'No members.' }));
  if (canManage) {
    panel.append(button('Add member', () => addMember(app, org, d, reload), { kind: 'primary', class: 'add-member' }));
  }
  return panel;
}

async function addMember(app, org, parent, reload) {
  const added = await formDialog({
    title: `Add a member to ${org.name}`,
    fields: [
      { name: 'email', label: 'Email', type: 'email', required: true, requiredMessage: 'Email is required.', validate: (v) => (isValidEmail(v) ? null : 'Enter a valid email address.') },
      { name: 'role', label: 'Role', type: 'select', value: 'member', options: [['manager', 'Manager'], ['member', 'Member'], ['viewer', 'Viewer']] },
    ],
    submitLabel: 'Add',
    onSubmit: async (v, form) => {
      const u = await get('users/search_by_email', { email: v.email });
      if (u.id === undefined || u.id === null) { form.fieldErrors({ email: 'No account with this email.' }); return false; }
      if (u.patient && !u.firstName && !u.lastName) {
        form.fieldErrors({ email: 'This is a patient account. Only practitioner accounts can be added to an organization.' });
        return false;
      }
      await post(`organizations/${org.id}/user`, { jheUserId: u.id, organizationPartitionerRole: v.role });
      return u;
    },
  });
  if (added) { await reload(); parent.banner('success', `${added.email} added.`); }
}

function studiesPanel(app, org, role, studies) {
  const panel = section('Studies',
    studies.length ? h('ul', { class: 'link-list' }, studies.map((s) => h('li', null,
      h('a', { href: `/console/studies?organizationId=${org.id}&dialog=read&id=${s.id}`, onclick: (ev) => { ev.preventDefault(); app.navigate('studies', { organizationId: org.id, dialog: 'read', id: s.id }); } }, s.name))))
      : h('p', { class: 'muted' }, 'No studies.'));
  if (ifRoleCan(role, 'study.manage_for_organization')) {
    panel.append(button('Add study', () => app.navigate('studies', { organizationId: org.id, dialog: 'create' }), { kind: 'primary' }));
  }
  return panel;
}
