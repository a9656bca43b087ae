export { gateCommentBody, gateCommentMarker, MAX_COMMENT_CHARS, type GateCommentInput } from './comment.js';
export { upsertMarkedComment, type PullRequestTarget, type UpsertedComment } from './github.js';
