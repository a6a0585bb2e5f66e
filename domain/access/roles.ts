// Who may do what through the API: three roles, each allowing everything the one below it allows
// (viewer < operator < admin). doc/security.md says which routes need which role.
import * as t from 'io-ts';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export const Role = t.keyof({ viewer: null, operator: null, admin: null }, 'Role (viewer | operator | admin)');
export type Role = t.TypeOf<typeof Role>;

const RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 };

/** Whether a key of role `have` may use a route that needs `need`. */
export const roleAllows = (have: Role, need: Role): boolean => RANK[have] >= RANK[need];
