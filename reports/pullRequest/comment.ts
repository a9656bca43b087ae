/**
 * The gate's pull-request comment: one per suite, found again by a hidden marker, so a new push
 * updates the comment the last one wrote instead of adding another.
 */

/** GitHub refuses comment bodies over 65,536 characters; a gate table never comes near, a summary of many plugin figures might. */
export const MAX_COMMENT_CHARS = 65_536;

/** The HTML comment that marks the gate's comment for `suite` (invisible in the rendered comment). */
export function gateCommentMarker(suite: string): string {
  // A suite name is a plain id (letters, digits, `.`, `_`, `-`): it cannot hold the `-->` that would end the comment.
  return `<!-- logbench:gate suite=${suite} -->`;
}

export interface GateCommentInput {
  suite: string;
  /** What `logbench gate --summary` wrote: the verdict table, or why the runs could not be judged. */
  summaryMarkdown: string;
  /** The uploaded report artifact's URL (actions/upload-artifact's `artifact-url` output); none when the upload did not happen. */
  artifactUrl?: string | undefined;
  artifactName?: string | undefined;
}

/** The comment's Markdown: marker, the gate's own summary, and where the HTML report lies. */
export function gateCommentBody(input: GateCommentInput): string {
  const report =
    input.artifactUrl === undefined || input.artifactUrl === ''
      ? '_No report artifact was uploaded for this run._'
      : `📎 HTML report: [${input.artifactName ?? 'artifact'}](${input.artifactUrl}) (download the artifact, open \`${input.suite}.html\`)`;
  const footer = `<sub>logbench gate · suite \`${input.suite}\` · this comment is updated on every run of the workflow</sub>`;
  const body = [gateCommentMarker(input.suite), input.summaryMarkdown.trimEnd(), '', report, '', footer, ''].join('\n');
  if (body.length <= MAX_COMMENT_CHARS) return body;
  const cut = '\n\n… (cut: the full table is in the job summary and the report)\n\n' + report + '\n\n' + footer + '\n';
  return body.slice(0, MAX_COMMENT_CHARS - cut.length) + cut;
}
