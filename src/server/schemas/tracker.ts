// The builtin tracker as the API speaks it: projects and items in full (what rules set on an item
// included); the other kinds as objects with an id. The types below make a listing row and its schema
// agree: a field added to one and not the other fails to compile.
import { z } from '@hono/zod-openapi';
import { ITEM_LISTS, ITEM_STATES, type Listable } from '../../app/tracker-kinds.js';
import type { TrackerRow } from '../../app/tracker.js';

export const TrackerObject = z.object({ id: z.number().int() }).passthrough().openapi('TrackerObject');
export type TrackerObject = z.infer<typeof TrackerObject>;

export const TrackerProject = z
  .object({
    id: z.number().int(),
    name: z.string(),
    code: z.string().nullable().openapi({ description: 'short code rules may name the project by; unique without case', example: 'ACME' }),
    companyId: z.number().int().nullable(),
    deleted: z.boolean(),
  })
  .openapi('TrackerProject');

export const TrackerItem = z
  .object({
    id: z.number().int(),
    kind: z.enum(Object.values(ITEM_LISTS)),
    projectId: z.number().int(),
    name: z.string(),
    description: z.string(),
    state: z.enum(ITEM_STATES),
    priority: z.string().nullable(),
    severity: z.string().nullable().openapi({ description: 'bugs only' }),
    assigneeId: z.number().int().nullable().openapi({ description: 'the staff user the item is assigned to' }),
    assignee: z.string().nullable().openapi({ description: "the assignee's email address" }),
    tags: z.array(z.string()),
    fields: z.record(z.string(), z.string()).openapi({ description: 'custom fields, name → value' }),
    isPrivate: z.boolean(),
    teamId: z.number().int().nullable(),
    requesterIds: z.array(z.number().int()),
    messageIds: z.array(z.number().int()),
    participants: z.array(z.string()).openapi({ description: "people Cc'd onto the thread who may reply besides the requesters" }),
    followsUp: z.number().int().nullable().openapi({ description: 'the closed item this one was made from a reply to' }),
    followedUpBy: z.array(z.number().int()).openapi({ description: 'the items made from replies to this one once it was closed, oldest first' }),
    createdAt: z.string(),
  })
  .openapi('TrackerItem');

/** The schema of one row of a listing of `kind`. */
export function rowSchema(kind: Listable): z.ZodObject {
  if (kind === 'projects') return TrackerProject;
  if (kind in ITEM_LISTS) return TrackerItem;
  return TrackerObject;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>(): T | undefined => undefined;
agree<Same<z.infer<typeof TrackerProject>, TrackerRow<'projects'>>>();
agree<Same<z.infer<typeof TrackerItem>, TrackerRow<'requests'>>>();
