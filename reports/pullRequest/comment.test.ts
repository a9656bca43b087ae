import { describe, expect, it } from 'vitest';
import { gateCommentBody, gateCommentMarker, MAX_COMMENT_CHARS } from './comment.js';

const summary = '### ✅ logbench gate: pass (3 metrics)\n\n| metric | candidate |\n| --- | ---: |\n| fuzzy | 1 |\n';

describe('gateCommentBody', () => {
  it('starts with the suite’s marker, then the gate summary, the report link and a footer', () => {
    const body = gateCommentBody({ suite: 'default', summaryMarkdown: summary, artifactUrl: 'https://github.com/o/r/actions/runs/1/artifacts/2', artifactName: 'gate-report' });
    expect(body.split('\n')[0]).toBe('<!-- logbench:gate suite=default -->');
    expect(body.split('\n')[0]).toBe(gateCommentMarker('default'));
    expect(body).toContain(summary.trimEnd());
    expect(body).toContain('📎 HTML report: [gate-report](https://github.com/o/r/actions/runs/1/artifacts/2) (download the artifact, open `default.html`)');
    expect(body.trimEnd().split('\n').at(-1)).toBe('<sub>logbench gate · suite `default` · this comment is updated on every run of the workflow</sub>');
  });

  it('says so when no artifact was uploaded (an empty artifact-url output)', () => {
    expect(gateCommentBody({ suite: 'default', summaryMarkdown: summary, artifactUrl: '' })).toContain('_No report artifact was uploaded for this run._');
  });

  it('stays within GitHub’s 65,536 characters, keeping the marker, the link and the footer', () => {
    const huge = summary + '| x | 1 |\n'.repeat(10_000);
    const body = gateCommentBody({ suite: 'big', summaryMarkdown: huge, artifactUrl: 'https://example.invalid/a' });
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(body.startsWith(gateCommentMarker('big'))).toBe(true);
    expect(body).toContain('… (cut: the full table is in the job summary and the report)');
    expect(body).toContain('(https://example.invalid/a)');
    expect(body.trimEnd().endsWith('</sub>')).toBe(true);
  });
});
