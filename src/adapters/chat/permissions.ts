/** The allowlist and admin model both chat front ends share. */

/** Who may talk to the bot, and who counts as an admin. Empty sets mean "no restriction". */
export interface AccessPolicy {
  /** Users allowed to talk to the bot. With `allowedRoles`, either one admits a user. */
  readonly allowedUsers: ReadonlySet<string>;
  /** Roles (Discord) whose members may talk to the bot. */
  readonly allowedRoles: ReadonlySet<string>;
  /** Channels the bot answers in; DMs are governed by the user and role lists alone. */
  readonly allowedChannels: ReadonlySet<string>;
  /** Admins: always allowed, and marked `isAdmin` on their sends. */
  readonly adminUsers: ReadonlySet<string>;
  /** The one channel whose sends are marked `adminChannel`; always allowed. */
  readonly adminChannel: string | undefined;
}

/** Where a message came from, as far as permissions care. */
export interface Origin {
  readonly userId: string;
  readonly roleIds: readonly string[];
  /** The channel, or `undefined` for a DM. */
  readonly channelId: string | undefined;
}

/** The outcome of {@link checkAccess}. */
export type Access =
  | { readonly allowed: true; readonly isAdmin: boolean; readonly adminChannel: boolean }
  | { readonly allowed: false };

/** What the bot says, briefly and without detail, to someone it will not serve here. */
export const NOT_ALLOWED_TEXT = "Sorry, I'm not allowed to take requests from you here.";

/** Decides whether a message may become a send, and with which admin flags. */
export function checkAccess(policy: AccessPolicy, origin: Origin): Access {
  const isAdmin = policy.adminUsers.has(origin.userId);
  const adminChannel = origin.channelId !== undefined && origin.channelId === policy.adminChannel;
  const userRestricted = policy.allowedUsers.size > 0 || policy.allowedRoles.size > 0;
  const userOk =
    isAdmin ||
    !userRestricted ||
    policy.allowedUsers.has(origin.userId) ||
    origin.roleIds.some((role) => policy.allowedRoles.has(role));
  const channelOk =
    origin.channelId === undefined ||
    adminChannel ||
    policy.allowedChannels.size === 0 ||
    policy.allowedChannels.has(origin.channelId);
  return userOk && channelOk ? { allowed: true, isAdmin, adminChannel } : { allowed: false };
}
