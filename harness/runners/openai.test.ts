import { describe, expect, it } from 'vitest';
import { parseCompletion } from './openai.js';

const body = (value: unknown) => JSON.stringify(value);
const choice = (content: unknown, finish_reason: unknown = 'stop') => ({ index: 0, message: { role: 'assistant', content }, finish_reason });

describe('parseCompletion', () => {
  it('takes the first choice and the usage of a well-formed answer, extra fields and all', () => {
    expect(parseCompletion(body({ id: 'x', choices: [choice('{"a":1}'), choice('second')], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } }))).toEqual({
      ok: true,
      text: '{"a":1}',
      tokensIn: 12,
      tokensOut: 3,
    });
    expect(parseCompletion(body({ choices: [choice('no usage')] }))).toEqual({ ok: true, text: 'no usage' });
    expect(parseCompletion(body({ choices: [choice('null usage', null)], usage: null }))).toEqual({ ok: true, text: 'null usage' });
  });

  it('keeps an answer whose usage is odd, its counts unknown: NaN where a count is not a number, none where it is null', () => {
    const answered = (usage: unknown) => parseCompletion(body({ choices: [choice('normal')], usage }));
    expect(answered({ prompt_tokens: '12', completion_tokens: 3 })).toEqual({ ok: true, text: 'normal', tokensIn: Number.NaN, tokensOut: 3 });
    expect(answered({ prompt_tokens: { a: 1 }, completion_tokens: [1] })).toEqual({ ok: true, text: 'normal', tokensIn: Number.NaN, tokensOut: Number.NaN });
    expect(answered({ prompt_tokens: null, completion_tokens: null })).toEqual({ ok: true, text: 'normal' });
    expect(answered('lots')).toEqual({ ok: true, text: 'normal' });
  });

  it('refuses, retryably and with the reason, whatever the schema refuses', () => {
    const refused = [
      'not json',
      body(null),
      body([]),
      body({ choices: [] }),
      body({ choices: [{ finish_reason: 'stop' }] }),
      body({ choices: [choice(42)] }),
      body({ choices: [choice('x', 7)] }),
    ];
    for (const text of refused) {
      const outcome = parseCompletion(text);
      expect(outcome, text).toMatchObject({ ok: false, retryable: true });
      expect(outcome.ok === false && outcome.message, text).toMatch(/^malformed response body/);
    }
  });

  it('does not retry an answer without content', () => {
    expect(parseCompletion(body({ choices: [choice(null, 'length')] }))).toEqual({
      ok: false,
      retryable: false,
      message: 'response has no content (finish_reason length)',
    });
  });
});
