// The public API of the mail core: bytes in, values out. Nothing here touches the file system or
// the network; attachment bodies leave through the AttachmentSink the caller passes in.
export type { Address, AttachmentInfo, AttachmentSink, Header, Message } from './message.js';
export { parseMessage, cleanSubject, SYNTHETIC_ID_DOMAIN, type ParseOptions } from './parse.js';
export { classify, LOOP_HEADER, type Classification } from './classify.js';
export { CLASSIFICATION_KINDS, type ClassificationKind } from './classification-kinds.js';
export { UnparseableMessageError, type UnparseableReason } from './errors.js';
export { safeFileName, MAX_FILE_NAME_BYTES } from './safe-file-name.js';
export { parseMailDate } from './dates.js';
export { headerValue, headerValues } from './headers.js';
export { findTicketReference, normalizeMessageId, parseMessageIdList } from './references.js';
export { contentIdKey, quotedImageIds, splitReply, type ReplySource, type ReplySplit } from './reply/index.js';
export { domainOf } from './domain.js';
export { bouncedOriginal, deliveryFailed, type BouncedOriginal, type BouncedRecipient } from './bounce-original.js';
