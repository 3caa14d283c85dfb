import { describe, expect, it } from 'vitest';
import { checkAccess } from '../../../src/adapters/chat/permissions.ts';
import type { AccessPolicy } from '../../../src/adapters/chat/permissions.ts';

/** An empty policy, as a front end with no access settings has: everyone may talk, nobody is an admin. */
const OPEN_POLICY: AccessPolicy = {
  allowedUsers: new Set(),
  allowedRoles: new Set(),
  allowedChannels: new Set(),
  adminUsers: new Set(),
  adminChannel: undefined,
};

const policy: AccessPolicy = {
  allowedUsers: new Set(['alice']),
  allowedRoles: new Set(['helpers']),
  allowedChannels: new Set(['general']),
  adminUsers: new Set(['root']),
  adminChannel: 'ops',
};

describe('checkAccess', () => {
  it('lets everyone in under an open policy, nobody an admin', () => {
    expect(checkAccess(OPEN_POLICY, { userId: 'x', roleIds: [], channelId: 'any' })).toEqual({
      allowed: true,
      isAdmin: false,
      adminChannel: false,
    });
  });

  it('admits listed users, or members of a listed role', () => {
    expect(
      checkAccess(policy, { userId: 'alice', roleIds: [], channelId: 'general' }).allowed,
    ).toBe(true);
    expect(
      checkAccess(policy, { userId: 'bob', roleIds: ['helpers'], channelId: 'general' }).allowed,
    ).toBe(true);
    expect(
      checkAccess(policy, { userId: 'bob', roleIds: ['others'], channelId: 'general' }).allowed,
    ).toBe(false);
  });

  it('restricts channels but not DMs, and always allows the admin channel', () => {
    expect(checkAccess(policy, { userId: 'alice', roleIds: [], channelId: 'random' }).allowed).toBe(
      false,
    );
    expect(
      checkAccess(policy, { userId: 'alice', roleIds: [], channelId: undefined }).allowed,
    ).toBe(true);
    expect(checkAccess(policy, { userId: 'alice', roleIds: [], channelId: 'ops' })).toEqual({
      allowed: true,
      isAdmin: false,
      adminChannel: true,
    });
  });

  it('always admits admins and marks them', () => {
    expect(checkAccess(policy, { userId: 'root', roleIds: [], channelId: 'ops' })).toEqual({
      allowed: true,
      isAdmin: true,
      adminChannel: true,
    });
    expect(checkAccess(policy, { userId: 'root', roleIds: [], channelId: 'random' }).allowed).toBe(
      false,
    );
  });
});
