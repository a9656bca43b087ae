export { gateCommentBody, gateCommentMarker, MAX_COMMENT_CHARS, type GateCommentInput, type GateCommentProvenance } from './comment.js';
export { ACTIONS_BOT_LOGIN, upsertMarkedComment, type PullRequestTarget, type UpsertedComment, type UpsertOptions } from './github.js';
