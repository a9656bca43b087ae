import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { logllmMessages, maskLogVariables } from './logllmPreprocess.js';

const REFERENCE_FILE = path.resolve(import.meta.dirname, '../../models/logllm-bgl-tiny/reference_logits.json');
const Reference = z.object({ windows: z.array(z.object({ id: z.string(), input: z.string(), preprocessed: z.array(z.string()) })) });

describe('maskLogVariables (LogLLM replace_patterns)', () => {
  // Expected values are what LogLLM's Python replace_patterns returns for each input.
  it.each([
    ['instruction cache parity error corrected', 'instruction cache parity error corrected'],
    ['generating core.2275', 'generating <*>'],
    ['63543 double-hummer alignment exceptions', '<*> double-hummer alignment exceptions'],
    ['ciod: Error reading message prefix on CioStream socket to 172.16.96.116:42213, Link has been severed', 'ciod: Error reading message prefix on CioStream socket to <*>, Link has been severed'],
    // The path pattern's last segment runs to the next space, closing parenthesis included.
    ['LOGIN chdir(/p/gb2/glosli/8M_5000K/t800) failed', 'LOGIN chdir(<*> failed'],
    // The month pattern swallows "Jun 14 " including its trailing space.
    ['session closed for user root on Mon Jun 14 10:18:50 2005', 'session closed for user root on <*> <*><*> <*>'],
    ['Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown', '<*><*> combo sshd(pam_unix)[<*>]: check pass; user unknown'],
    ['mac 00:1a:2b:3c:4d:5e up', 'mac <*> up'],
    ['register: 0x00800000', 'register: <*>'],
    ['flag is True, other false', 'flag is <*>, other <*>'],
    ['one two three items', '<*> <*> <*> items'],
    ['mail root@dn228.example-x failed', 'mail <*> failed'],
    [String.raw`path C:\dir\file.txt ok`, 'path <*> ok'],
    ['wait... done', 'wait..  done'],
  ])('%s', (input, expected) => {
    expect(maskLogVariables(input)).toBe(expected);
  });

  it('splits a window on the separator after masking and keeps the first max messages', () => {
    const window = ['node 12 up', 'node 13 down', 'node 14 up'].join(' ;-; ');
    expect(logllmMessages(window, 128)).toEqual(['node <*> up', 'node <*> down', 'node <*> up']);
    expect(logllmMessages(window, 2)).toEqual(['node <*> up', 'node <*> down']);
  });

  it("matches the Python preprocessing recorded with the shipped model's reference windows", () => {
    const reference = Reference.parse(JSON.parse(readFileSync(REFERENCE_FILE, 'utf8')));
    expect(reference.windows.length).toBeGreaterThan(0);
    for (const window of reference.windows) expect(logllmMessages(window.input, 128), window.id).toEqual(window.preprocessed);
  });
});
