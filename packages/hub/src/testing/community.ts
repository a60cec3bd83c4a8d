/**
 * A small community for tests (here and in ./stix): the coordinator, two finance operators,
 * the finance CEPTOAR secretariat, a gas operator, a ministry, and one user each, with
 * API tokens. Runs through the real write paths (audited), as the local operator.
 */
import type { Principal } from '../access/policy.js';
import { actorOf } from '../audit/log.js';
import { createToken, LOCAL_OPERATOR, principalOf } from '../auth/principal.js';
import type { HubContext } from '../context.js';
import { addGroup, addOrg, addUser, type Organisation, type SharingGroup } from '../model/community.js';
import type { UserRole } from '../model/sectors.js';

export interface TestMember {
  org: Organisation;
  userId: string;
  username: string;
  token: string;
  principal: Principal;
}

export interface TestCommunity {
  coordinator: TestMember;   // NISC-like coordinator, admin + analyst
  financeA: TestMember;      // finance operator, member
  financeAReader: TestMember; // same organisation, reader only
  financeB: TestMember;      // another finance operator, member
  financeSec: TestMember;    // finance CEPTOAR secretariat
  gas: TestMember;           // gas operator, member
  ministry: TestMember;      // a ministry, analyst
  financeGroup: SharingGroup;
}

export async function createTestCommunity(hub: HubContext, password?: string): Promise<TestCommunity> {
  const actor = actorOf(LOCAL_OPERATOR, 'local');
  const org = (name: string, role: Organisation['role'], sector?: string): Promise<Organisation> => addOrg(hub, LOCAL_OPERATOR, actor, { name, role, sector });
  const member = async (o: Organisation, username: string, roles: UserRole[]): Promise<TestMember> => {
    const u = await addUser(hub, LOCAL_OPERATOR, actor, { orgId: o.id, username, roles, email: `${username}@example.jp`, password });
    const scopes = roles.includes('reader') && roles.length === 1 ? ['read'] : roles.includes('admin') ? ['read', 'write', 'admin'] : ['read', 'write'];
    const { token } = await createToken(hub, LOCAL_OPERATOR, actor, { user: u.id, scopes });
    return { org: o, userId: u.id, username, token, principal: await principalOf(hub, u.id, scopes as Principal['scopes'], 'token') };
  };
  const coordOrg = await org('NISC', 'coordinator');
  const finA = await org('Bank A', 'operator', 'finance');
  const finB = await org('Bank B', 'operator', 'finance');
  const finSec = await org('Finance CEPTOAR', 'ceptoar-secretariat', 'finance');
  const gasOrg = await org('Gas Co', 'operator', 'gas');
  const minOrg = await org('FSA', 'ministry');
  const financeGroup = await addGroup(hub, LOCAL_OPERATOR, actor, { name: 'finance CEPTOAR', kind: 'ceptoar', sector: 'finance' });
  const c: Omit<TestCommunity, 'financeGroup'> = {
    coordinator: await member(coordOrg, 'nisc-duty', ['admin', 'analyst']),
    financeA: await member(finA, 'bank-a', ['member']),
    financeAReader: await member(finA, 'bank-a-reader', ['reader']),
    financeB: await member(finB, 'bank-b', ['member']),
    financeSec: await member(finSec, 'fin-sec', ['secretariat']),
    gas: await member(gasOrg, 'gas-co', ['member']),
    ministry: await member(minOrg, 'fsa', ['analyst']),
  };
  return { ...c, financeGroup };
}
