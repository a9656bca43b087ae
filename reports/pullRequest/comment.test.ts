import { describe, expect, it } from 'vitest';
import { gateCommentBody, gateCommentMarker, MAX_COMMENT_CHARS } from './comment.js';

const provenance = { headSha: 'c0ffee0000000000000000000000000000000001', runUrl: 'https://github.com/o/r/actions/runs/4242', at: new Date('2026-12-07T02:30:00.123Z') };
const summary = '### ✅ logbench gate: pass (3 metrics)\n\n| metric | candidate |\n| --- | ---: |\n| fuzzy | 1 |\n';

describe('gateCommentBody', () => {
  it('starts with the suite’s marker, then the gate summary, the report link and a footer', () => {
    const body = gateCommentBody({ suite: 'default', summaryMarkdown: summary, artifactUrl: 'https://github.com/o/r/actions/runs/1/artifacts/2', artifactName: 'gate-report', provenance });
    expect(body.split('\n')[0]).toBe('<!-- logbench:gate suite=default -->');
    expect(body.split('\n')[0]).toBe(gateCommentMarker('default'));
    expect(body).toContain(summary.trimEnd());
    expect(body).toContain('📎 HTML report: [gate-report](https://github.com/o/r/actions/runs/1/artifacts/2) (download the artifact, open `default.html`)');
    expect(body.trimEnd().split('\n').at(-1)).toBe(
      '<sub>logbench gate · suite `default` · commit c0ffee0000000000000000000000000000000001 · [workflow run](https://github.com/o/r/actions/runs/4242) · 2026-12-07T02:30:00Z · this comment is updated on every run of the workflow</sub>',
    );
  });

  it('says so when no artifact was uploaded (an empty artifact-url output)', () => {
    expect(gateCommentBody({ suite: 'default', summaryMarkdown: summary, artifactUrl: '', provenance })).toContain('_No report artifact was uploaded for this run._');
  });

  it('stays within GitHub’s 65,536 characters, keeping the marker, the link and the footer', () => {
    const huge = summary + '| x | 1 |\n'.repeat(10_000);
    const body = gateCommentBody({ suite: 'big', summaryMarkdown: huge, artifactUrl: 'https://example.invalid/a', provenance });
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(body.startsWith(gateCommentMarker('big'))).toBe(true);
    expect(body).toContain('… (cut: the full table is in the job summary and the report)');
    expect(body).toContain('(https://example.invalid/a)');
    expect(body.trimEnd().endsWith('</sub>')).toBe(true);
  });

  it('does not name an HTML report the artifact lacks (logbench report failed)', () => {
    const body = gateCommentBody({ suite: 'default', summaryMarkdown: summary, artifactUrl: 'https://a/1', artifactName: 'rep', reportBuilt: false, provenance });
    expect(body).not.toContain('default.html');
    expect(body).toContain('📎 Gate summary: [rep](https://a/1) (the HTML report could not be built for this run; the artifact holds `default.md`)');
  });

  it('a comment key gives its own marker, and the suite name as key is the plain marker', () => {
    expect(gateCommentMarker('default', 'model-b')).toBe('<!-- logbench:gate suite=default key=model-b -->');
    expect(gateCommentMarker('default', 'default')).toBe(gateCommentMarker('default'));
    const body = gateCommentBody({ suite: 'default', key: 'model-b', summaryMarkdown: summary, provenance });
    expect(body.split('\n')[0]).toBe('<!-- logbench:gate suite=default key=model-b -->');
    expect(body).toContain('suite `default` · key `model-b`');
  });

  it('cut inside a code fence: the fence is closed, so the link and the footer render as Markdown', () => {
    const failure = ['### ⚠️ logbench gate: could not judge the candidate (exit 3)', '', '```text', 'x'.repeat(70_000), '```', ''].join('\n');
    const body = gateCommentBody({ suite: 'default', summaryMarkdown: failure, artifactUrl: 'https://a/1', provenance });
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    const beforeFooter = body.slice(0, body.indexOf('… (cut'));
    expect(beforeFooter.match(/^```/gm)).toHaveLength(2);
    expect(body.match(/^```/gm)).toHaveLength(2);
  });

  it('never cuts between the halves of a surrogate pair', () => {
    for (let pad = 0; pad < 2; pad++) {
      const body = gateCommentBody({ suite: 'default', summaryMarkdown: 'a'.repeat(pad) + '😀'.repeat(40_000), artifactUrl: 'https://a/1', provenance });
      expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
      expect(body).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
  });
});
