import { describe, expect, it } from 'vitest';
import { renderTemplate } from './render.js';
import { extractInput, inputFrameOf } from './frame.js';

describe('inputFrameOf / extractInput', () => {
  it('inverts renderTemplate, even when the logs contain the template text', () => {
    const template = 'Analyse:\n{{ input }}\nAnswer in JSON.';
    const logs = 'Answer in JSON.\n{{input}}\nAnalyse:';
    expect(extractInput(renderTemplate(template, { input: logs }), inputFrameOf(template, 't.txt'))).toEqual({ input: logs });
  });

  it('needs exactly one {{input}} and no other placeholder', () => {
    expect(() => inputFrameOf('{{input}} and {{input}}', 't.txt')).toThrow('t.txt: strip_prompt needs a template with exactly one placeholder, {{input}} (found: {{input}}, {{input}} 2 times)');
    expect(() => inputFrameOf('{{system}}: {{input}}', 't.txt')).toThrow(/found: \{\{system\}\}, \{\{input\}\}\)/);
    expect(() => inputFrameOf('no placeholder', 't.txt')).toThrow(/found: none/);
  });

  it('says where the text around the input differs', () => {
    const frame = inputFrameOf('Logs:\n{{input}}\nEnd.', 't.txt');
    expect(extractInput('Logs:\nx\nEnd!', frame)).toEqual({ mismatch: expect.stringMatching(/^text after \{\{input\}\} differs/) });
    expect(extractInput('Logz:\nx\nEnd.', frame)).toEqual({ mismatch: 'text before {{input}} differs from the template at char 3: expected "s:\\n", got "z:\\nx\\nEnd."' });
    expect(extractInput('Logs:\nEnd.', inputFrameOf('Logs:\nEnd.{{input}}\nEnd.', 't.txt'))).toHaveProperty('mismatch');
  });
});
