// Who is signed in: the role the server gives the key (viewer, operator, admin), or undefined while unknown. The
// console hides what a role may not do; the server is the judge.
import { createContext } from 'preact';

export type Role = 'viewer' | 'operator' | 'admin';
export interface Who {
  readonly role: Role | undefined;
  /** The actor written into overrides (operator:<name>). */
  readonly actor: string;
  /** The server has no key check (before the auth module): every role is allowed there. */
  readonly open: boolean;
}
export const WhoContext = createContext<Who>({ role: undefined, actor: 'operator:console', open: false });
export const mayOperate = (w: Who) => w.open || w.role === 'operator' || w.role === 'admin';
export const mayAdminister = (w: Who) => w.open || w.role === 'admin';
