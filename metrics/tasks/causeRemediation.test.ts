import { describe, expect, it } from 'vitest';
import { causeRemediationCorpus, parseCauseRemediation } from './causeRemediation.js';

describe('parseCauseRemediation', () => {
  it('splits the ALSATE format', () => {
    expect(parseCauseRemediation('Cause - The disk is full.\nRemediation - Free some space.')).toEqual({
      parsed: true,
      cause: 'The disk is full.',
      remediation: 'Free some space.',
    });
  });

  it('keeps a multi-line remediation, as in ALSATE’s training example', () => {
    const answer =
      'Cause - The network driver failed to load, preventing system connectivity.  \nRemediation -  \n1. Reinstall or update the network driver.  \n2. Check the network adapter.  \n';
    expect(parseCauseRemediation(answer)).toEqual({
      parsed: true,
      cause: 'The network driver failed to load, preventing system connectivity.',
      remediation: '1. Reinstall or update the network driver.  \n2. Check the network adapter.',
    });
  });

  it('drops a literal \\n between the parts, as ALSATE’s app does', () => {
    expect(parseCauseRemediation('Cause - A race in GDM.\\nRemediation - Update GDM.')).toMatchObject({
      cause: 'A race in GDM.',
      remediation: 'Update GDM.',
    });
  });

  it('matches markers case-insensitively but only as whole words', () => {
    expect(parseCauseRemediation('cause - x\nREMEDIATION - y')).toEqual({ parsed: true, cause: 'x', remediation: 'y' });
    expect(parseCauseRemediation('It failed because - well - the disk.').cause).toBeNull();
  });

  it('ends the cause only at "Remediation -", not at the word', () => {
    expect(parseCauseRemediation('Cause - No remediation was applied.\nRemediation - Apply it.').cause).toBe(
      'No remediation was applied.',
    );
  });

  it('is unparsed when "Remediation -" is missing or a part is empty', () => {
    expect(parseCauseRemediation('Cause - The disk is full. Free some space.')).toEqual({
      parsed: false,
      cause: 'The disk is full. Free some space.',
      remediation: null,
    });
    expect(parseCauseRemediation('Cause - \nRemediation - Restart.')).toEqual({ parsed: false, cause: null, remediation: 'Restart.' });
    expect(parseCauseRemediation('Input does not appear to be a valid system log. Unable to assist.')).toEqual({
      parsed: false,
      cause: null,
      remediation: null,
    });
  });
});

describe('causeRemediationCorpus', () => {
  it('reports the share of answers with both parts and with each part', () => {
    expect(
      causeRemediationCorpus(['Cause - a\nRemediation - b', 'Cause - a', 'Remediation - b', 'nothing']),
    ).toEqual({ n: 4, parseRate: 0.25, causeRate: 0.5, remediationRate: 0.5 });
  });

  it('rejects an empty corpus', () => {
    expect(() => causeRemediationCorpus([])).toThrow(RangeError);
  });
});
