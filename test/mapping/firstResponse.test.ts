import { firstResponse, isAdminReply, isHuman } from '../../src/mapping/firstResponse';
import { adminComment, contact, conversation, part } from './fixtures';

describe('first response (the seed rule)', () => {
  it('is the first admin comment, measured from created_at in whole seconds', () => {
    const c = conversation([contact(1_010), adminComment(1_100), adminComment(1_200)]);
    expect(firstResponse(c)).toEqual({ firstRespondedAt: 1_100, firstResponseDuration: 100, firstResponderAdminId: '7', partsTruncated: false });
  });

  it('skips a bot answer and AI-agent answers before the first human comment, even under an admin name', () => {
    const c = conversation([
      contact(1_005),
      part({ part_type: 'comment', created_at: 1_020, author: { type: 'bot', id: 'b' } }),
      part({ part_type: 'comment', created_at: 1_030, author: { type: 'admin', id: '9', is_ai_answer: true } }),
      part({ part_type: 'comment', created_at: 1_040, author: { type: 'admin', id: '9', from_ai_agent: true } }),
      part({ part_type: 'comment', created_at: 1_050, author: { type: 'admin', id: '9', from_ai_agent: true, is_ai_answer: false } }),
      adminComment(1_300),
    ]);
    expect(firstResponse(c)).toEqual({ firstRespondedAt: 1_300, firstResponseDuration: 300, firstResponderAdminId: '7', partsTruncated: false });
  });

  it('skips an admin note and assignments (even one carrying a message) before the first comment', () => {
    const c = conversation([
      part({ part_type: 'note', created_at: 1_010 }),
      part({ part_type: 'assignment', created_at: 1_020 }),
      part({ part_type: 'default_assignment', created_at: 1_025, author: { type: 'bot' } }),
      part({ part_type: 'assign_and_reopen', created_at: 1_027 }),
      part({ part_type: 'close', created_at: 1_030 }),
      part({ part_type: 'open', created_at: 1_040 }),
      adminComment(1_500),
    ]);
    expect(firstResponse(c)).toMatchObject({ firstRespondedAt: 1_500, firstResponseDuration: 500 });
  });

  it('is null for a contact-only conversation', () => {
    const c = conversation([contact(1_010), contact(1_020), contact(1_030, 'comment')]);
    expect(firstResponse(c)).toEqual({ firstRespondedAt: null, firstResponseDuration: null, firstResponderAdminId: null, partsTruncated: false });
  });

  it('is null while only bots, AI and notes have answered', () => {
    const c = conversation([
      contact(1_010),
      part({ part_type: 'comment', created_at: 1_020, author: { type: 'bot' } }),
      part({ part_type: 'comment', created_at: 1_030, author: { is_ai_answer: true } }),
      part({ part_type: 'note', created_at: 1_040 }),
    ]);
    expect(firstResponse(c)).toEqual({ firstRespondedAt: null, firstResponseDuration: null, firstResponderAdminId: null, partsTruncated: false });
  });

  it('is null with no parts at all', () => {
    expect(firstResponse(conversation([]))).toEqual({ firstRespondedAt: null, firstResponseDuration: null, firstResponderAdminId: null, partsTruncated: false });
  });

  it('orders parts by time, not by position', () => {
    const c = conversation([adminComment(1_900), contact(1_005), adminComment(1_400)]);
    expect(firstResponse(c).firstRespondedAt).toBe(1_400);
  });

  it('keeps Intercom order among parts of the same second', () => {
    const human = adminComment(1_400);
    const bot = part({ part_type: 'comment', created_at: 1_400, author: { type: 'bot' } });
    expect(firstResponse(conversation([bot, human])).firstRespondedAt).toBe(1_400);
    expect(firstResponse(conversation([human, adminComment(1_400)])).firstRespondedAt).toBe(1_400);
  });

  it('does not count an outbound message written by an admin (the source starts the clock)', () => {
    const c = conversation([contact(1_200), adminComment(1_260)], { source: { subject: 'Hi', author: { type: 'admin', id: '7' }, delivered_as: 'admin_initiated' } });
    expect(firstResponse(c)).toMatchObject({ firstRespondedAt: 1_260, firstResponseDuration: 260 });
  });

  it('never gives a negative duration', () => {
    const c = conversation([adminComment(990)]);
    expect(firstResponse(c)).toMatchObject({ firstRespondedAt: 990, firstResponseDuration: 0 });
  });

  describe('truncated conversations (Intercom returns only the 500 most recent parts)', () => {
    it("uses Intercom's first_admin_reply_at, computed over all parts", () => {
      const c = conversation([adminComment(9_000)], {
        conversation_parts: { conversation_parts: [adminComment(9_000)], total_count: 620 },
        statistics: { first_admin_reply_at: 1_060 },
      });
      expect(firstResponse(c)).toEqual({ firstRespondedAt: 1_060, firstResponseDuration: 60, firstResponderAdminId: null, partsTruncated: true });
    });

    it('is unknown (null) without statistics: the first visible reply is not the first reply', () => {
      const visible = [contact(8_000), adminComment(9_000)];
      const c = conversation(visible, { conversation_parts: { conversation_parts: visible, total_count: 700 }, statistics: { first_admin_reply_at: null } });
      expect(firstResponse(c)).toEqual({ firstRespondedAt: null, firstResponseDuration: null, firstResponderAdminId: null, partsTruncated: true });
    });

    it('is null when neither statistics nor visible parts show a reply', () => {
      const visible = [contact(8_000)];
      const c = conversation(visible, { conversation_parts: { conversation_parts: visible, total_count: 501 } });
      expect(firstResponse(c)).toEqual({ firstRespondedAt: null, firstResponseDuration: null, firstResponderAdminId: null, partsTruncated: true });
    });

    it('names the responder when the reply Intercom counts is among the visible parts', () => {
      const visible = [part({ part_type: 'comment', created_at: 1_060, author: { type: 'admin', id: '42' } }), adminComment(9_000)];
      const c = conversation(visible, { conversation_parts: { conversation_parts: visible, total_count: 900 }, statistics: { first_admin_reply_at: 1_060 } });
      expect(firstResponse(c)).toEqual({ firstRespondedAt: 1_060, firstResponseDuration: 60, firstResponderAdminId: '42', partsTruncated: true });
    });

    it('is noticed from either count: total_count counting only the parts returned, or count_conversation_parts counting all', () => {
      const visible = [contact(8_000), adminComment(9_000)];
      // total_count counts only what was returned: count_conversation_parts (all parts + the source) tells.
      const onlyReturned = conversation(visible, {
        conversation_parts: { conversation_parts: visible, total_count: 2 },
        statistics: { first_admin_reply_at: 1_060, count_conversation_parts: 720 },
      });
      expect(firstResponse(onlyReturned)).toMatchObject({ firstRespondedAt: 1_060, partsTruncated: true });
      // total_count counts every part; statistics absent.
      const counted = conversation(visible, { conversation_parts: { conversation_parts: visible, total_count: 719 }, statistics: null });
      expect(firstResponse(counted)).toMatchObject({ firstRespondedAt: null, partsTruncated: true });
      // Both counts agree with what was returned (+1 for the source): not truncated.
      const whole = conversation(visible, {
        conversation_parts: { conversation_parts: visible, total_count: 2 },
        statistics: { first_admin_reply_at: 1_060, count_conversation_parts: 3 },
      });
      expect(firstResponse(whole)).toMatchObject({ firstRespondedAt: 9_000, firstResponderAdminId: '7', partsTruncated: false });
    });

    it('ignores statistics when every part is present: the seed rule (humans only) wins', () => {
      const parts = [part({ part_type: 'comment', created_at: 1_010, author: { is_ai_answer: true } }), adminComment(1_500)];
      const c = conversation(parts, { statistics: { first_admin_reply_at: 1_010 } });
      expect(firstResponse(c)).toEqual({ firstRespondedAt: 1_500, firstResponseDuration: 500, firstResponderAdminId: '7', partsTruncated: false });
    });
  });
});

describe('part classification', () => {
  it('humans are every author but bots and AI answers', () => {
    expect(isHuman({ author: { type: 'admin' } })).toBe(true);
    expect(isHuman({ author: { type: 'user' } })).toBe(true);
    expect(isHuman({ author: { type: 'admin', is_ai_answer: null, from_ai_agent: false } })).toBe(true);
    expect(isHuman({ author: { type: 'bot' } })).toBe(false);
    expect(isHuman({ author: { type: 'admin', is_ai_answer: true } })).toBe(false);
    expect(isHuman({ author: { type: 'admin', from_ai_agent: true } })).toBe(false);
  });

  it('an admin reply is an admin comment', () => {
    expect(isAdminReply({ part_type: 'comment', author: { type: 'admin' } })).toBe(true);
    for (const t of ['note', 'assignment', 'close', 'quick_reply', 'note_and_reopen']) expect(isAdminReply({ part_type: t, author: { type: 'admin' } })).toBe(false);
    for (const a of ['user', 'lead', 'contact', 'team', 'bot']) expect(isAdminReply({ part_type: 'comment', author: { type: a } })).toBe(false);
  });
});
