/**
 * The three questions every operation on an object asks: may this authority read it (and
 * send to it), change it, clone it? Each refusal says who may, and what to do instead.
 */
import { SendError } from '../errors.ts';
import type { Authority } from './authority.ts';
import type { ObjectAccess } from '../model/object-access.ts';
import { SYSTEM } from '../model/principal.ts';

export function mayRead(authority: Authority, access: ObjectAccess): boolean {
  if (access.readable) return true;
  const may = (principal: string, admin: boolean) =>
    admin || access.owner === principal || access.readers.includes(principal);
  // A read-only method reads no more than its owner could, nor than the sender could.
  return (
    may(authority.principal, authority.admin) &&
    (!authority.readOnly || may(authority.sender, authority.senderAdmin))
  );
}

export function mayWrite(authority: Authority, access: ObjectAccess): boolean {
  if (authority.readOnly) return false;
  return authority.admin || access.writable || access.owner === authority.principal;
}

export function mayClone(authority: Authority, access: ObjectAccess): boolean {
  if (authority.readOnly) return false;
  return authority.admin || access.fertile || access.owner === authority.principal;
}

/** The refusal of a read, naming the object (`#10`) and whose it is. */
export function readRefused(label: string, access: ObjectAccess): SendError {
  return new SendError(
    'not-allowed',
    `${label} is private to ${ownerWords(access)}${access.readers.length > 0 ? ' and its participants' : ''}; nothing was done.`,
  );
}

/** The refusal of a write, with the way forward. */
export function writeRefused(label: string, access: ObjectAccess, authority: Authority): SendError {
  if (authority.readOnly)
    return new SendError(
      'not-allowed',
      `This method may only read: the model wrote it for someone who does not own the object it lives on, so it cannot change ${label}. Clone the object and ask your clone instead. Nothing was changed.`,
    );
  return new SendError(
    'not-allowed',
    `${label} belongs to ${ownerWords(access)}; only its owner and admins may change it. To have your own, clone it (\`${label.split(' ')[0]} clone\`) and change the clone. Nothing was changed.`,
  );
}

/** The refusal of a clone. */
export function cloneRefused(label: string, access: ObjectAccess, authority: Authority): SendError {
  if (authority.readOnly) return writeRefused(label, access, authority);
  return new SendError(
    'not-allowed',
    `${label} belongs to ${ownerWords(access)}, who has not let others clone it (its flags lack "f"). Nothing was changed.`,
  );
}

function ownerWords(access: ObjectAccess): string {
  return access.owner === SYSTEM ? 'the system' : access.owner;
}
