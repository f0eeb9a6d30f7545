import { firstResponse } from '../../src/mapping/firstResponse';
import { adminComment, contact, conversation, part } from './fixtures';

describe('first response (the seed rule)', () => {
  it('is the first admin comment, measured from created_at in whole seconds', () => {
    const c = conversation([contact(1_010), adminComment(1_100), adminComment(1_200)]);
    expect(firstResponse(c)).toEqual({ firstRespondedAt: 1_100, firstResponseDuration: 100, partsTruncated: false });
  });

  it('skips bot replies and AI-agent answers, even when an admin is the author', () => {
    const c = conversation([
      part({ part_type: 'comment', created_at: 1_020, author: { type: 'bot', id: 'b' } }),
      part({ part_type: 'comment', created_at: 1_030, author: { type: 'admin', id: '9', is_ai_answer: true } }),
      part({ part_type: 'comment', created_at: 1_040, author: { type: 'admin', id: '9', from_ai_agent: true } }),
      adminComment(1_300),
    ]);
    expect(firstResponse(c).firstRespondedAt).toBe(1_300);
  });

  it('ignores notes and assignments by admins', () => {
    const c = conversation([
      part({ part_type: 'note', created_at: 1_010 }),
      part({ part_type: 'assignment', created_at: 1_020 }),
      part({ part_type: 'default_assignment', created_at: 1_025 }),
      part({ part_type: 'close', created_at: 1_030 }),
      adminComment(1_500),
    ]);
    expect(firstResponse(c)).toMatchObject({ firstRespondedAt: 1_500, firstResponseDuration: 500 });
  });

  it('is null while no admin has replied', () => {
    const c = conversation([contact(1_010), part({ part_type: 'comment', created_at: 1_020, author: { type: 'bot' } })]);
    expect(firstResponse(c)).toEqual({ firstRespondedAt: null, firstResponseDuration: null, partsTruncated: false });
  });

  it('orders parts by time, not by position', () => {
    const c = conversation([adminComment(1_900), contact(1_005), adminComment(1_400)]);
    expect(firstResponse(c).firstRespondedAt).toBe(1_400);
  });

  it("uses Intercom's first_admin_reply_at when the oldest parts were cut by the 500-part cap", () => {
    const c = conversation([adminComment(9_000)], {
      conversation_parts: { conversation_parts: [adminComment(9_000)], total_count: 620 },
      statistics: { first_admin_reply_at: 1_060 },
    });
    expect(firstResponse(c)).toEqual({ firstRespondedAt: 1_060, firstResponseDuration: 60, partsTruncated: true });
  });
});
