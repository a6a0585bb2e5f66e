// The message a root user reads when the data folder is out of the postgres user's reach: the blocking folder, its
// mode and owner, and each way out, written out as a person would type it.
import { expect } from 'chai';
import { unreachableDataMessage } from '../../infrastructure/db/postgres-user-access.js';

describe('the unreachable data folder message', () => {
  it('names the data folder, the folder that blocks (mode in octal, owner) and the three ways out', () => {
    const m = unreachableDataMessage({ target: '/root/MasterTrade/.data/postgres', blocked: '/root', mode: 0o40700, owner: 'root' });
    expect(m).to.include('cannot keep its data in /root/MasterTrade/.data/postgres');
    expect(m).to.include('`postgres` user, which cannot enter /root (mode 700, owner root)');
    expect(m).to.include('`DATA_DIR=/var/lib/mastertrade npm start`');
    expect(m).to.include('DATABASE_URL=postgres://');
    expect(m).to.include('a user other than root');
  });
  it('without a readable mode it still names the folder', () => {
    expect(unreachableDataMessage({ target: '/a/b/postgres', blocked: '/a' })).to.include('cannot enter /a. Do one of these');
  });
});
