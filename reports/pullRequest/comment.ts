/**
 * The gate's pull-request comment: one per suite (and comment key), found again by a hidden marker,
 * so a new push updates the comment the last one wrote instead of adding another.
 */

/** GitHub refuses comment bodies over 65,536 characters; a gate table never comes near, a summary of many plugin figures might. */
export const MAX_COMMENT_CHARS = 65_536;

/**
 * The HTML comment that marks the gate's comment for `suite` (invisible in the rendered comment).
 * `key` tells apart two jobs gating the same suite (two candidates, say): each keeps its own comment.
 */
export function gateCommentMarker(suite: string, key?: string): string {
  // Suite names and keys are plain ids (letters, digits, `.`, `_`, `-`): they cannot hold the `-->` that would end the comment.
  return key === undefined || key === '' || key === suite ? `<!-- logbench:gate suite=${suite} -->` : `<!-- logbench:gate suite=${suite} key=${key} -->`;
}

/** Which commit and which workflow run the comment judges, and when it was written. */
export interface GateCommentProvenance {
  /** The pull request's head commit (the event's pull_request.head.sha, else GITHUB_SHA). */
  headSha?: string | undefined;
  /** GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID. */
  runUrl?: string | undefined;
  at: Date;
}

export interface GateCommentInput {
  suite: string;
  key?: string | undefined;
  /** What `logbench gate --summary` wrote: the verdict table, or why the runs could not be judged. */
  summaryMarkdown: string;
  /** The uploaded report artifact's URL (actions/upload-artifact's `artifact-url` output); none when the upload did not happen. */
  artifactUrl?: string | undefined;
  artifactName?: string | undefined;
  /** False when `logbench report` failed: the artifact holds the gate summary only, so no `<suite>.html` is named. */
  reportBuilt?: boolean | undefined;
  provenance: GateCommentProvenance;
}

function reportLine(input: GateCommentInput): string {
  if (input.artifactUrl === undefined || input.artifactUrl === '') return '_No report artifact was uploaded for this run._';
  const link = `[${input.artifactName ?? 'artifact'}](${input.artifactUrl})`;
  if (input.reportBuilt === false) return `📎 Gate summary: ${link} (the HTML report could not be built for this run; the artifact holds \`${input.suite}.md\`)`;
  return `📎 HTML report: ${link} (download the artifact, open \`${input.suite}.html\`)`;
}

function footerLine(input: GateCommentInput): string {
  const { headSha, runUrl, at } = input.provenance;
  const parts = [`logbench gate · suite \`${input.suite}\``];
  if (input.key && input.key !== input.suite) parts.push(`key \`${input.key}\``);
  if (headSha) parts.push(`commit ${headSha}`);
  if (runUrl) parts.push(`[workflow run](${runUrl})`);
  parts.push(`${at.toISOString().replace(/\.\d{3}Z$/, 'Z')}`);
  parts.push('this comment is updated on every run of the workflow');
  return `<sub>${parts.join(' · ')}</sub>`;
}

/**
 * The first `length` characters of `markdown`, cut where Markdown stays whole: never between the two
 * halves of a surrogate pair, and a code fence left open is closed (else the footer renders as code).
 */
function cutMarkdown(markdown: string, length: number): string {
  const closing = '\n```';
  let kept = markdown.slice(0, Math.max(length - closing.length, 0));
  const last = kept.charCodeAt(kept.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) kept = kept.slice(0, -1);
  const fences = kept.split('\n').filter((line) => /^\s{0,3}(```|~~~)/.test(line)).length;
  return fences % 2 === 1 ? kept + closing : kept;
}

/** The comment's Markdown: marker, the gate's own summary, where the report lies, and what it judges. */
export function gateCommentBody(input: GateCommentInput): string {
  const report = reportLine(input);
  const footer = footerLine(input);
  const marker = gateCommentMarker(input.suite, input.key);
  const body = [marker, input.summaryMarkdown.trimEnd(), '', report, '', footer, ''].join('\n');
  if (body.length <= MAX_COMMENT_CHARS) return body;
  const cut = '\n\n… (cut: the full table is in the job summary and the report)\n\n' + report + '\n\n' + footer + '\n';
  return cutMarkdown(body, MAX_COMMENT_CHARS - cut.length) + cut;
}
