// The threading choices the faces list (the CLI's --help among them), from the import-free core: no
// schema library is loaded to print a flag's choices.
export { CLOSED_REPLIES, DEFAULT_THREADING, type ClosedReplies, type ThreadingSettings } from '../store/threading-settings-core.js';
