import type { Platform } from '@mamori/core';
import { LOCAL_OPERATOR, actorOf, addOrg, addUser, createToken, hubContext } from '@mamori/hub';

/**
 * For route tests of the role-guarded parts: one organisation with an `analyst` and a
 * `member` user, each with a read-scoped bearer token (the analyst passes the guard, the
 * member is refused with 403, no token gives 401).
 */
export async function analystAndMemberTokens(platform: Platform, orgName: string): Promise<{ analyst: string; member: string }> {
  const hub = hubContext(platform);
  const actor = actorOf(LOCAL_OPERATOR, 'local');
  const org = await addOrg(hub, LOCAL_OPERATOR, actor, { name: orgName, role: 'coordinator' });
  const token = async (name: 'analyst' | 'member'): Promise<string> => {
    const u = await addUser(hub, LOCAL_OPERATOR, actor, { orgId: org.id, username: name, roles: [name], email: `${name}@example.jp` });
    return (await createToken(hub, LOCAL_OPERATOR, actor, { user: u.id, scopes: ['read'] })).token;
  };
  return { analyst: await token('analyst'), member: await token('member') };
}
