// An example mailbind plugin: a condition that reads the spam score a filter (SpamAssassin, rspamd)
// wrote into the message, and an action that tags the item a rule creates. Plain ESM JavaScript, no
// build step: copy it, rename the phrases, and point MAILBIND_PLUGINS at your file:
//
//   MAILBIND_PLUGINS=./spam-score.mjs mailbind rules check rules.txt
//
// with rules such as
//
//   when spam score above 5 then ignore because 'spam'
//   when spam score above 2.5 then create request in project 1 and tag as spam
//   then attach to project 1 and create request in project 1
//
// docs/plugins.md explains every part; this file shows the whole shape in one place.

/** Names the plugin in error messages, the rules reference and the editor. Without it: the path. */
export const name = 'spam-score';

/**
 * The score from the X-Spam-Score header, or why there is none. Only the first value counts (a
 * message that passed two filters has two; the nearest is on top), read as parseFloat reads it, so
 * '7.5', '7.5 (spam)' and '-1.2' all work.
 */
function spamScore(message) {
  const [value] = message.header('X-Spam-Score');
  if (value === undefined) return { problem: 'the message has no X-Spam-Score header' };
  const score = Number.parseFloat(value);
  if (!Number.isFinite(score)) return { problem: `the X-Spam-Score header '${value.trim()}' is not a number` };
  return { score };
}

export const conditions = [
  {
    // Words, then slots in braces. {number:score} reads a number such as 5 or 2.5 and calls it
    // "score" in error messages ("expected a score (digits) but found …").
    pattern: 'spam score above {number:score}',
    // One line, shown in the rules reference and by the editor.
    help: 'the X-Spam-Score header (written by SpamAssassin or rspamd) is above the number',

    // test(args, ctx): args are the slots' values in order (here one number); ctx.message is the
    // message as rules see it. Return whether it matched and why: the reason is what `rules test`
    // and a message's trace show. A missing or unreadable header is "not matched", never an error.
    test([limit], ctx) {
      const found = spamScore(ctx.message);
      if (found.problem) return { matched: false, reason: found.problem };
      return found.score > limit
        ? { matched: true, reason: `the spam score ${found.score} is above ${limit}` }
        : { matched: false, reason: `the spam score ${found.score} is not above ${limit}` };
    },

    // Optional fast path: called once per rule with the slots' values, it returns a check that only
    // says true or false (no reason to build). It must agree with test. Worth it when a rule set is
    // long; mailbind builds the verdicts only for the rules a trace shows.
    holds([limit]) {
      return (ctx) => {
        const found = spamScore(ctx.message);
        return found.problem === undefined && found.score > limit;
      };
    },
  },
];

export const actions = [
  {
    pattern: 'tag as spam',
    help: "tags the item the rule created with 'spam'",
    // A modifier changes the item the rule created just before it; the parser refuses it without
    // a 'create …' action before it, as it does for the built-in 'add tag'.
    role: 'modifier',
    // Actions never write anything themselves: they return plan steps, and mailbind carries out the
    // plan (or only shows it, in a dry run). Here the same step 'add tag' makes.
    steps: () => [{ do: 'tag', tag: 'spam' }],
  },
];
