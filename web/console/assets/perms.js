// Roles and permissions (console.md §4), from CONSTANTS.ROLE_PERMISSIONS (admin-api.md §2.2).
export const C = () => window.CONSTANTS;

export function ifRoleCan(role, permission) {
  if (!role) return false;
  const list = C().ROLE_PERMISSIONS[role];
  return Array.isArray(list) && list.includes(permission);
}

export function roleLabel(role) {
  if (role === 'super_user') return 'Superuser';
  return C().ROLE_LABELS[role] || role || '';
}

export function orgTypeLabel(type) { return C().ORGANIZATION_TYPES[type] || type || ''; }
export function dataSourceTypeLabel(type) { return C().DATA_SOURCE_TYPES[type] || type || ''; }

// Organization types offered in forms: everything except root.
export function orgTypeOptions() {
  return Object.entries(C().ORGANIZATION_TYPES).filter(([k]) => k !== 'root');
}
