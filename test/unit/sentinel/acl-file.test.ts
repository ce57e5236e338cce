import { describe, expect, it } from 'vitest';
import { aclFileText, parseAclFile } from '../../../src/sentinel/server/acl-file.js';

describe('the ACL file', () => {
  it('reads user lines (blank lines allowed), adds the default user when missing, writes users back sorted', () => {
    const r = parseAclFile('\nuser zed on nopass +@all\n  user alice on >pw ~* &* +@all  \n', 'users.acl');
    if (!('users' in r)) throw new Error(r.error);
    expect([...r.users.keys()]).toEqual(['zed', 'alice', 'default']);
    expect(aclFileText(r.users).split('\n')).toEqual([
      expect.stringMatching(/^user alice on #[0-9a-f]{64} ~\* &\* \+@all$/),
      'user default on nopass ~* &* +@all',
      'user zed on nopass resetchannels +@all',
      '',
    ]);
  });

  it("reports every bad line with Redis's words and loads nothing", () => {
    expect(parseAclFile('user a on\n# comment\nuser b on bogus\nuser a on\nusers c\n', 'f.acl')).toEqual({
      error:
        "f.acl:2 should start with user keyword followed by the username. f.acl:3: Syntax error. WARNING: Duplicate user 'a' found on line 4. f.acl:5 should start with user keyword followed by the username. WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
    });
  });
});
