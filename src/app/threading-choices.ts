// The threading settings' choices for the command line's option lists. Its own module because the CLI
// builds its options at start (`--help`, `deliver`), and threading-input.ts loads zod.
export { CLOSED_REPLIES, DEFAULT_THREADING, type ClosedReplies, type ThreadingSettings } from '../store/threading-settings.js';
