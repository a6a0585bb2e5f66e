// The replay's range and checkpoint rules (domain/pipeline/replay.ts), hand-worked.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { decideReplay, initialReplayState, replayRange } from '../../domain/pipeline/replay.js';

const left = (e: either.Either<string, unknown>) => (either.isLeft(e) ? e.left : undefined);

describe('replay range and checkpoints', () => {
  it('2023-09-01 → 2023-10-31 is 60 days, 1440 hours, from 00:00 to 00:00 UTC', () => {
    const r = replayRange('2023-09-01', '2023-10-31');
    expect(either.isRight(r) && r.right).to.deep.equal({
      from: '2023-09-01',
      to: '2023-10-31',
      start: Date.UTC(2023, 8, 1),
      end: Date.UTC(2023, 9, 31),
      hours: 1440,
    });
    // 2024 is a leap year: 29 February exists, and the range over it has 2 days.
    const leap = replayRange('2024-02-28', '2024-03-01');
    expect(either.isRight(leap) && leap.right.hours).to.equal(48);
  });

  it('refuses a malformed day, a day that does not exist, a missing one and <to> not after <from>', () => {
    expect(left(replayRange('2023-9-1', '2023-10-31'))).to.match(/<from> "2023-9-1" is not a day: write YYYY-MM-DD/);
    expect(left(replayRange('2023-09-01', '2023-02-29'))).to.match(/<to> "2023-02-29" is not a day/);
    expect(left(replayRange('2023-09-01', undefined))).to.match(/needs two days/);
    expect(left(replayRange('2023-09-01', '2023-09-01'))).to.match(/<to> must come after <from>/);
    expect(left(replayRange('2023-09-02', '2023-09-01'))).to.match(/<to> must come after <from>/);
  });

  it('records a checkpoint once, after the last one, on a whole hour inside the range', () => {
    const cmd = (hour: number) => ({ type: 'CompleteReplayHour' as const, data: { from: '2023-09-01', to: '2023-09-04', hour } });
    const day2 = Date.UTC(2023, 8, 2);
    const ok = decideReplay(cmd(day2), initialReplayState());
    expect(either.isRight(ok) && ok.right).to.deep.equal([
      { type: 'ReplayHourCompleted', data: { from: '2023-09-01', to: '2023-09-04', hour: day2, hoursDone: 24 } },
    ]);
    expect(either.isLeft(decideReplay(cmd(day2), { lastHour: day2 }))).to.equal(true);
    expect(either.isLeft(decideReplay(cmd(day2 - 3_600_000), { lastHour: day2 }))).to.equal(true);
    expect(either.isLeft(decideReplay(cmd(Date.UTC(2023, 8, 1)), initialReplayState()))).to.equal(true); // <from> 00:00 is no hour of the range
    expect(either.isLeft(decideReplay(cmd(Date.UTC(2023, 8, 4, 1)), initialReplayState()))).to.equal(true); // after <to>
    expect(either.isLeft(decideReplay(cmd(day2 + 60_000), initialReplayState()))).to.equal(true); // not a whole hour
  });
});
