// Who is signed in: the role the server gives the key (viewer, operator, admin), or undefined while unknown. The
// console hides what a role may not do; the server is the judge.
import { createContext } from 'preact';

export type Role = 'viewer' | 'operator' | 'admin';
export interface Who {
  readonly role: Role | undefined;
  /** The actor the server records for this key's overrides (operator:<key name>), from GET /api/auth/me. */
  readonly actor: string;
  readonly name?: string;
}
export const WhoContext = createContext<Who>({ role: undefined, actor: '' });
export const mayOperate = (w: Who) => w.role === 'operator' || w.role === 'admin';
export const mayAdminister = (w: Who) => w.role === 'admin';
