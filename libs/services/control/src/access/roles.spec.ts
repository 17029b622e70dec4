import { PERMISSIONS, heldPermissions } from './roles';

describe('heldPermissions', () => {
  it('gives the operator every permission, org-wide', () => {
    const held = heldPermissions(true, []);
    expect(held.map((entry) => entry.permission).sort()).toEqual(Object.keys(PERMISSIONS).sort());
    expect(held.every((entry) => entry.teamId === null && !entry.ownOnly)).toBe(true);
  });

  it("names where each role's permissions hold, and the developer's own-only key permissions", () => {
    const held = heldPermissions(false, [
      { role: 'viewer', teamId: null },
      { role: 'developer', teamId: 'team-1' },
    ]);
    expect(held).toContainEqual({ permission: 'key.read', teamId: null, ownOnly: false });
    expect(held).toContainEqual({ permission: 'key.write', teamId: 'team-1', ownOnly: true });
    expect(held.some((entry) => entry.permission === 'key.write' && !entry.ownOnly)).toBe(false);
    expect(held.some((entry) => entry.permission === 'credits.write')).toBe(false);
  });
});
