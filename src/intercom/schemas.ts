import { z } from 'zod';

// The subset of Intercom's REST API (version pinned in ./version.ts) that the sync reads.
// z.object strips unknown keys: new fields Intercom adds are tolerated and never reach our code,
// and neither do fields we do not model (message bodies, contacts' names and emails).

const unixSeconds = z.number().int().nonnegative();
const id = z.union([z.string(), z.number().int()]).transform(String);

export const errorListSchema = z.object({
  type: z.literal('error.list'),
  request_id: z.string().nullish(),
  errors: z.array(z.object({ code: z.string(), message: z.string().nullish(), field: z.string().nullish() })),
});
export type ErrorList = z.infer<typeof errorListSchema>;

export const tokenResponseSchema = z.object({
  token_type: z.string().optional(),
  token: z.string().optional(),
  access_token: z.string().optional(),
}).refine((t) => Boolean(t.access_token ?? t.token), { message: 'access_token or token is required' });

export const meSchema = z.object({
  type: z.literal('admin'),
  id,
  app: z.object({
    type: z.string().optional(),
    id_code: z.string().min(1),
    name: z.string(),
    region: z.string().nullish(),
    timezone: z.string().nullish(),
  }),
});
export type Me = z.infer<typeof meSchema>;

export const partAuthorSchema = z.object({
  type: z.string(), // admin | bot | user | lead | contact | team
  id: id.nullish(),
  from_ai_agent: z.boolean().nullish(),
  is_ai_answer: z.boolean().nullish(),
});
export type PartAuthor = z.infer<typeof partAuthorSchema>;

export const conversationPartSchema = z.object({
  type: z.literal('conversation_part').optional(),
  id,
  part_type: z.string(),
  created_at: unixSeconds,
  author: partAuthorSchema,
});
export type ConversationPart = z.infer<typeof conversationPartSchema>;

export const conversationStateSchema = z.enum(['open', 'closed', 'snoozed']);
export type ConversationState = z.infer<typeof conversationStateSchema>;

/** Fields present on both search results and single-conversation responses. */
export const conversationSummarySchema = z.object({
  type: z.literal('conversation').optional(),
  id,
  title: z.string().nullish(),
  created_at: unixSeconds,
  updated_at: unixSeconds,
  state: conversationStateSchema,
  open: z.boolean().optional(),
  source: z
    .object({
      type: z.string().nullish(),
      id: id.nullish(),
      subject: z.string().nullish(),
      delivered_as: z.string().nullish(),
      author: partAuthorSchema.nullish(),
    })
    .nullish(),
  first_contact_reply: z
    .object({ created_at: unixSeconds.nullish(), type: z.string().nullish() })
    .nullish(),
  statistics: z
    .object({
      first_admin_reply_at: unixSeconds.nullish(),
      count_conversation_parts: z.number().int().nullish(),
    })
    .nullish(),
  // Attribution. Ids arrive as integers (2.14 spec) or strings; null (or absent) when unassigned.
  admin_assignee_id: id.nullish(),
  team_assignee_id: id.nullish(),
  priority: z.string().nullish(),
  /** The conversation's tags (queues); a tag item without an id is dropped rather than failing the conversation. */
  tags: z
    .object({ tags: z.array(z.object({ id: id.nullish() })).nullish() })
    .nullish(),
});
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;

export const conversationSchema = conversationSummarySchema.extend({
  conversation_parts: z.object({
    type: z.literal('conversation_part.list').optional(),
    conversation_parts: z.array(conversationPartSchema),
    total_count: z.number().int().nonnegative(),
  }),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const searchResponseSchema = z.object({
  type: z.literal('conversation.list'),
  conversations: z.array(conversationSummarySchema),
  total_count: z.number().int().nonnegative(),
  pages: z
    .object({
      type: z.literal('pages').optional(),
      page: z.number().int().optional(),
      per_page: z.number().int().optional(),
      total_pages: z.number().int().optional(),
      next: z.object({ per_page: z.number().int().optional(), starting_after: z.string().nullish() }).nullish(),
    })
    .optional(),
});
export type SearchResponse = z.infer<typeof searchResponseSchema>;

export const adminSchema = z.object({
  type: z.literal('admin').optional(),
  id,
  name: z.string().nullish(),
  email: z.string().nullish(),
  away_mode_enabled: z.boolean(),
  away_mode_reassign: z.boolean().nullish(),
  team_ids: z.array(id).nullish(),
});
export type Admin = z.infer<typeof adminSchema>;

export const adminListSchema = z.object({ type: z.literal('admin.list'), admins: z.array(adminSchema) });

export const teamSchema = z.object({
  type: z.literal('team').optional(),
  id,
  name: z.string(),
  admin_ids: z.array(id).nullish(),
});
export type Team = z.infer<typeof teamSchema>;
export const teamListSchema = z.object({ type: z.literal('team.list'), teams: z.array(teamSchema) });

export const tagSchema = z.object({ type: z.literal('tag').optional(), id, name: z.string() });
export type Tag = z.infer<typeof tagSchema>;
export const tagListSchema = z.object({ type: z.literal('list'), data: z.array(tagSchema) });

/** One entry of GET /conversations/deleted (API 2.16+): an id and when it was deleted; nothing else is kept. */
export const deletedConversationSchema = z.object({
  type: z.string().nullish(),
  id,
  deleted_at: unixSeconds,
  metrics_retained: z.boolean().nullish(),
});
export type DeletedConversation = z.infer<typeof deletedConversationSchema>;

/** GET /conversations/deleted: page-number pagination, newest deletion first by default. */
export const deletedConversationListSchema = z.object({
  type: z.string().nullish(), // conversations.list
  conversations: z.array(deletedConversationSchema),
  total_count: z.number().int().nonnegative().nullish(),
  pages: z
    .object({
      type: z.string().nullish(),
      page: z.number().int().nullish(),
      per_page: z.number().int().nullish(),
      total_pages: z.number().int().nullish(),
      next: z.string().nullish(),
    })
    .nullish(),
});
export type DeletedConversationList = z.infer<typeof deletedConversationListSchema>;

// ---- Search request (what we send) ----

export type SearchField = 'created_at' | 'updated_at' | 'id';
export interface SearchFilter {
  field: SearchField;
  operator: '>' | '<' | '=';
  value: number | string;
}
export interface SearchGroup {
  operator: 'AND' | 'OR';
  value: Array<SearchFilter | SearchGroup>;
}
export type SearchQuery = SearchFilter | SearchGroup;
export interface SearchRequest {
  query: SearchQuery;
  pagination?: { per_page?: number; starting_after?: string | null };
}
