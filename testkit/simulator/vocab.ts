// Word lists for generated data. Subjects and titles deliberately contain nothing resembling a PII marker.

export const FIRST_NAMES = [
  'Ava', 'Liam', 'Noah', 'Emma', 'Mia', 'Lucas', 'Sofia', 'Ethan', 'Chloe', 'Mateo', 'Zoe', 'Hugo', 'Ines', 'Omar',
  'Priya', 'Kenji', 'Amara', 'Lars', 'Nadia', 'Tomas',
] as const;

export const LAST_NAMES = [
  'Smith', 'Garcia', 'Muller', 'Rossi', 'Nguyen', 'Kim', 'Okafor', 'Silva', 'Dubois', 'Novak', 'Larsen', 'Haddad',
  'Tanaka', 'Walsh', 'Costa', 'Ivanova',
] as const;

export const JOB_TITLES = ['Support Engineer', 'Support Lead', 'Customer Success Manager', 'Billing Specialist', 'Support Agent'] as const;

export const TEAM_NAMES = ['Tier 1 Support', 'Billing', 'Technical Support', 'Onboarding', 'VIP', 'Escalations', 'Sales'] as const;

export const TAG_NAMES = ['bug', 'refund', 'feature-request', 'vip', 'churn-risk', 'billing', 'onboarding', 'urgent', 'feedback'] as const;

/** Subjects that are safe to send raw: no '<', '>', '&' or quotes, so their plain text is themselves. */
export const RAW_SUBJECTS = [
  'Refund request', 'Cannot log in', 'Billing question', 'Upgrade to the annual plan', 'Export is not working',
  'Password reset', 'Invoice missing', 'Shipping delay', 'Feature request: dark mode', 'API rate limits',
  'Cancel my subscription', 'Two-factor authentication', 'Data import failed', 'Wrong charge on my card',
  'How do I add a teammate?', 'Integration with Slack', 'Account locked', 'Change billing address',
] as const;

/** Subjects with characters that must be escaped in HTML; only ever sent HTML-encoded. */
export const SPECIAL_SUBJECTS = [
  'Refund & return', "Can't log in", 'Pricing for the <enterprise> tier', '"Urgent" billing question', 'Q&A session',
  "Order #1234 didn't arrive", 'Terms & conditions <update>',
] as const;

export const TITLES = [
  'Refund for order', 'Login problem', 'Billing dispute', 'Onboarding call', 'Bug report', 'Plan downgrade',
  'Security review', 'Data deletion request',
] as const;

/** Empty-looking HTML subjects: their plain text is empty, so the title (or nothing) is the subject. */
export const EMPTY_HTML_SUBJECTS = ['<p></p>', '<p> </p>', '<br>', '&nbsp;', '<p>\n</p>'] as const;

export const CONTACT_LINES = [
  'Hi, my account is {m} and I need help with my invoice.',
  'Hello! I was charged twice, my card ends with {m}.',
  'I cannot log in, my email is {m}.',
  'The export keeps failing for {m}, can you look?',
  'Any update on this? Reach me at {m}.',
  'Thanks, that worked for {m}.',
] as const;

export const ADMIN_LINES = [
  'Hi {m}, thanks for reaching out! Let me check.',
  'I have refunded the duplicate charge for {m}.',
  'Could you send a screenshot, {m}?',
  'This is fixed now for {m}. Anything else?',
] as const;

export const NOTE_LINES = ['Customer {m} is on the legacy plan.', 'Escalating {m} to billing.', 'Checked logs for {m}.'] as const;

export const BOT_LINES = [
  'Thanks for your message {m}. The team typically replies in a few minutes.',
  'Give the team a way to reach you, {m}.',
] as const;

export const AI_LINES = [
  'Here is what I found for {m}: you can reset your password from the login page.',
  'I can help with that, {m}. Refunds are processed within 5 business days.',
] as const;
