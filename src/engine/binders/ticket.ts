// Layer 3: `Ticket#N` in the body, for TargetProcess compatibility (its notifications carried the
// token, and replies quote it). The new words are read first: someone who writes "about Ticket#7"
// above a quote of Ticket#5 means 7. Then the whole body, quote included, as TargetProcess read it.
import { findTicketReference } from '../../mail/index.js';
import { itemWords } from './item-words.js';
import type { Binder } from './types.js';

export const ticketBinder: Binder = {
  layer: 'ticket',
  // `input.split` is a getter that splits the reply on first use: destructured in the parameter list it
  // would run for every message, token or not.
  *candidates(input) {
    const { message, snapshot } = input;
    const inBody = findTicketReference(message.text) ?? (message.html ? findTicketReference(message.html) : null);
    if (inBody === null) return; // no token anywhere: the split is not even needed
    const inReply = findTicketReference(input.split.reply);
    const ticket = inReply ?? inBody;
    const where = inReply !== null ? 'in the new words of the reply' : 'in the quoted part of the body';
    if (!snapshot.item(ticket)) yield { refused: `Ticket#${ticket} ${where} names no item` };
    else yield { itemId: ticket, layer: 'ticket', evidence: `Ticket#${ticket} ${where} names ${itemWords(snapshot, ticket)}` };
  },
};
