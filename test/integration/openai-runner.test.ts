import { afterEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { RenderedRequest } from '../../core/prediction.js';
import { OpenAIChatRunner, type OpenAIChatRunnerOptions } from '../../harness/runners/openai.js';
import {
  logAnalysisAnswer,
  promptHash,
  startLoopbackOpenAI,
  type FaultRule,
  type LoopbackOpenAI,
  type LoopbackOptions,
} from '../support/loopback-openai.js';

const system = 'You analyse logs. Answer in JSON.';
const keyEnv = 'LOGBENCH_TEST_OPENAI_KEY';
const keyValue = 'sk-test-9f8e7d6c5b4a-secret';

function request(id: string, input: string): RenderedRequest {
  return {
    sample: { id, input, meta: {} },
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: input },
    ],
  };
}
const promptOf = (input: string): string => `${system}\n${input}`;
const hashOf = (input: string): string => promptHash(promptOf(input));

let server: LoopbackOpenAI | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(
  serverOptions: LoopbackOptions = {},
  runnerOptions: Partial<OpenAIChatRunnerOptions> = {},
): Promise<{ loopback: LoopbackOpenAI; runner: OpenAIChatRunner }> {
  const loopback = await startLoopbackOpenAI({ apiKey: keyValue, ...serverOptions });
  server = loopback;
  const runner = new OpenAIChatRunner({
    model: 'loopback',
    baseURL: loopback.url,
    apiKeyEnv: keyEnv,
    env: { [keyEnv]: keyValue },
    timeoutMs: 2_000,
    maxRetries: 3,
    retryBaseMs: 1,
    retryMaxMs: 5,
    ...runnerOptions,
  });
  return { loopback, runner };
}

const rule = (match: string, fault: FaultRule['fault'], extra: Partial<FaultRule> = {}): FaultRule => ({
  match,
  fault,
  ...extra,
});

/** Server timestamps of every request for one prompt, in arrival order. */
const arrivals = (loopback: LoopbackOpenAI, input: string): number[] =>
  loopback.stats().log.filter((r) => r.promptHash === hashOf(input)).map((r) => r.receivedAt);

describe('OpenAIChatRunner against the loopback server', () => {
  it('returns content, usage tokens and latency, and sends the decoding parameters', async () => {
    const { loopback, runner } = await setup(
      {},
      { decoding: { temperature: 0, seed: 7, max_tokens: 256, stop: ['</end>'], response_format: { type: 'json_object' } } },
    );
    const inputs = ['sshd: Failed password for root', 'kernel: Out of memory', 'disk sda: I/O error'];
    const predictions = await runner.runBatch(inputs.map((input, i) => request(`s${i}`, input)));

    expect(predictions.map((p) => p.sampleId)).toEqual(['s0', 's1', 's2']);
    predictions.forEach((p, i) => {
      const prompt = promptOf(inputs[i] ?? '');
      const expected = logAnalysisAnswer(prompt);
      expect(p.error).toBeUndefined();
      expect(p.text).toBe(expected);
      expect(p.tokensIn).toBe(Math.ceil(prompt.length / 4));
      expect(p.tokensOut).toBe(Math.ceil(expected.length / 4));
      expect(Number.isFinite(p.latencyMs)).toBe(true);
      expect(p.latencyMs).toBeGreaterThan(0);
    });
    expect(loopback.stats().lastRequest).toMatchObject({
      model: 'loopback',
      temperature: 0,
      seed: 7,
      max_tokens: 256,
      stop: ['</end>'],
      response_format: { type: 'json_object' },
    });
    expect(loopback.stats().requests).toBe(3);
  });

  it('waits at least Retry-After (seconds) after a 429, then succeeds', async () => {
    const { loopback, runner } = await setup({
      faults: [rule('rate', { kind: 'status', status: 429, retryAfterS: 1 }, { first: 1 })],
    });
    const [p] = await runner.runBatch([request('a', 'rate limited once')]);
    expect(p?.error).toBeUndefined();
    expect(p?.text).toBe(logAnalysisAnswer(promptOf('rate limited once')));
    const [first, second, ...rest] = arrivals(loopback, 'rate limited once');
    expect(rest).toEqual([]);
    // The backoff alone is capped at 5 ms here, so the gap comes from Retry-After.
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('honours retry-after-ms over Retry-After', async () => {
    const { loopback, runner } = await setup({
      faults: [rule('ms', { kind: 'status', status: 429, retryAfterMs: 150, retryAfterS: 30 }, { first: 1 })],
    });
    const [p] = await runner.runBatch([request('a', 'ms header')]);
    expect(p?.error).toBeUndefined();
    const [first, second] = arrivals(loopback, 'ms header');
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(150);
  });

  it('fails the sample when Retry-After exceeds retryAfterMaxMs, without waiting', async () => {
    const { loopback, runner } = await setup(
      { faults: [rule('long', { kind: 'status', status: 429, retryAfterS: 3600 })] },
      { retryAfterMaxMs: 1_000 },
    );
    const [p] = await runner.runBatch([request('a', 'long wait')]);
    expect(p?.error).toMatch(/429.*retry after 3600000 ms, over the 1000 ms limit/);
    expect(loopback.stats().requests).toBe(1);
  });

  it('retries 500, 502 and 503 and then succeeds', async () => {
    const { loopback, runner } = await setup({
      faults: [500, 502, 503].map((status) => rule(`status-${status}`, { kind: 'status', status }, { first: 2 })),
    });
    const inputs = ['status-500', 'status-502', 'status-503'];
    const predictions = await runner.runBatch(inputs.map((input) => request(input, input)));
    expect(predictions.map((p) => p.error)).toEqual([undefined, undefined, undefined]);
    for (const input of inputs) expect(loopback.stats().byPromptHash.get(hashOf(input))).toBe(3);
  });

  it.each(['headers', 'body'] as const)('times out a response slow in its %s, retries, then records the error', async (stage) => {
    const { loopback, runner } = await setup(
      // Generous against the timeout, so a loaded machine cannot abort an attempt before the server has seen it.
      { faults: [rule('slow', { kind: 'slow', delayMs: 5_000, stage })] },
      { timeoutMs: 200, maxRetries: 2 },
    );
    const [p] = await runner.runBatch([request('a', 'slow one')]);
    expect(p?.text).toBeUndefined();
    expect(p?.error).toBe('timed out after 200 ms (gave up after 3 attempts)');
    expect(loopback.stats().byPromptHash.get(hashOf('slow one'))).toBe(3);
  });

  it('retries a malformed 200 body; gives up when it stays malformed', async () => {
    const { loopback, runner } = await setup(
      {
        faults: [
          rule('once', { kind: 'malformed' }, { first: 1 }),
          rule('always', { kind: 'malformed' }),
        ],
      },
      { maxRetries: 2 },
    );
    const [once, always] = await runner.runBatch([request('once', 'malformed once'), request('always', 'malformed always')]);
    expect(once?.text).toBe(logAnalysisAnswer(promptOf('malformed once')));
    expect(always?.error).toMatch(/^malformed response body .*gave up after 3 attempts/);
    expect(loopback.stats().byPromptHash.get(hashOf('malformed once'))).toBe(2);
    expect(loopback.stats().byPromptHash.get(hashOf('malformed always'))).toBe(3);
  });

  it.each(['headers', 'body'] as const)('retries a connection dropped before the %s ends', async (stage) => {
    const { loopback, runner } = await setup({ faults: [rule('drop', { kind: 'drop', stage }, { first: 1 })] });
    const [p] = await runner.runBatch([request('a', 'drop me')]);
    expect(p?.error).toBeUndefined();
    expect(p?.text).toBe(logAnalysisAnswer(promptOf('drop me')));
    expect(loopback.stats().byPromptHash.get(hashOf('drop me'))).toBe(2);
  });

  it.each([400, 401])('does not retry %i', async (status) => {
    const { loopback, runner } = await setup({ faults: [rule('bad', { kind: 'status', status })] });
    const [p] = await runner.runBatch([request('a', 'bad request')]);
    expect(p?.error).toBe(`HTTP ${status} injected status ${status} (not retryable, 1 attempt)`);
    expect(loopback.stats().requests).toBe(1);
  });

  it('keeps at most `concurrency` requests in flight, across concurrent batches too', async () => {
    const { loopback, runner } = await setup({ latencyMs: 10 }, { concurrency: 3 });
    const batch = (prefix: string) => Array.from({ length: 10 }, (_, i) => request(`${prefix}${i}`, `${prefix} line ${i}`));
    const [a, b] = await Promise.all([runner.runBatch(batch('a')), runner.runBatch(batch('b'))]);
    expect([...(a ?? []), ...(b ?? [])].filter((p) => p.error !== undefined)).toEqual([]);
    expect(loopback.stats().requests).toBe(20);
    expect(loopback.stats().maxInFlight).toBe(3);
  });

  describe('the API key', () => {
    it('is sent as the bearer token (the server rejects anything else)', async () => {
      const { loopback, runner } = await setup();
      const [p] = await runner.runBatch([request('a', 'authorised')]);
      expect(p?.error).toBeUndefined();
      expect(loopback.stats().unauthorized).toBe(0);
    });

    it('never appears in a Prediction, even when the server echoes it', async () => {
      const { loopback, runner } = await setup({
        faults: [
          rule('echo-401', { kind: 'status', status: 401, message: `Incorrect API key provided: ${keyValue}` }),
          rule('echo-500', { kind: 'status', status: 500, message: `upstream rejected ${keyValue}` }),
        ],
      });
      const predictions = await runner.runBatch([request('a', 'echo-401'), request('b', 'echo-500')]);
      expect(predictions[0]?.error).toBe('HTTP 401 Incorrect API key provided: [redacted] (not retryable, 1 attempt)');
      expect(predictions[1]?.error).toMatch(/^HTTP 500 upstream rejected \[redacted\] \(gave up/);
      expect(JSON.stringify(predictions)).not.toContain(keyValue);
      expect(loopback.stats().requests).toBe(5);
    });

    it('is scrubbed when the server echoes a wrong key back', async () => {
      const loopback = await startLoopbackOpenAI({ apiKey: 'the-right-key' });
      server = loopback;
      const runner = new OpenAIChatRunner({
        model: 'loopback',
        baseURL: loopback.url,
        apiKeyEnv: keyEnv,
        env: { [keyEnv]: keyValue },
      });
      const [p] = await runner.runBatch([request('a', 'wrong key')]);
      expect(p?.error).toBe('HTTP 401 Incorrect API key provided: [redacted] (not retryable, 1 attempt)');
      expect(loopback.stats().unauthorized).toBe(1);
    });

    it('missing from the environment fails construction, naming the variable only', () => {
      const construct = () =>
        new OpenAIChatRunner({ model: 'm', baseURL: 'http://127.0.0.1:9/v1', apiKeyEnv: keyEnv, env: {} });
      expect(construct).toThrow(`environment variable ${keyEnv} (API key for model m) is not set`);
    });

    it('is replaced by a dummy key when no variable is named', async () => {
      const loopback = await startLoopbackOpenAI();
      server = loopback;
      const runner = new OpenAIChatRunner({ model: 'loopback', baseURL: loopback.url });
      const [p] = await runner.runBatch([request('a', 'no key')]);
      expect(p?.error).toBeUndefined();
    });
  });

  it('completes a batch of 50 with mixed faults: exactly the expected errors, no sample lost or repeated', async () => {
    // Fault by i % 10: transient ones recover within maxRetries = 2; 401 and a persistent 503 do not.
    const faultOf: Record<number, { rule: FaultRule['fault']; first?: number; attempts: number; fails: boolean }> = {
      1: { rule: { kind: 'status', status: 429, retryAfterMs: 2 }, first: 1, attempts: 2, fails: false },
      2: { rule: { kind: 'status', status: 500 }, first: 2, attempts: 3, fails: false },
      3: { rule: { kind: 'malformed' }, first: 1, attempts: 2, fails: false },
      4: { rule: { kind: 'drop' }, first: 1, attempts: 2, fails: false },
      5: { rule: { kind: 'status', status: 401 }, attempts: 1, fails: true },
      7: { rule: { kind: 'status', status: 503 }, attempts: 3, fails: true },
    };
    const inputs = Array.from({ length: 50 }, (_, i) => `case ${i} [fault-${i % 10}]`);
    const faults: FaultRule[] = inputs.flatMap((input, i) => {
      const f = faultOf[i % 10];
      return f ? [rule(input, f.rule, f.first === undefined ? {} : { first: f.first })] : [];
    });
    const { loopback, runner } = await setup({ faults }, { concurrency: 4, maxRetries: 2 });

    const predictions = await runner.runBatch(inputs.map((input, i) => request(`id-${i}`, input)));

    expect(predictions.map((p) => p.sampleId)).toEqual(inputs.map((_, i) => `id-${i}`));
    const failedIds = predictions.filter((p) => p.error !== undefined).map((p) => p.sampleId);
    expect(failedIds).toEqual(inputs.map((_, i) => i).filter((i) => faultOf[i % 10]?.fails).map((i) => `id-${i}`));
    predictions.forEach((p, i) => {
      if (p.error === undefined) expect(p.text).toBe(logAnalysisAnswer(promptOf(inputs[i] ?? '')));
    });
    const counts = loopback.stats().byPromptHash;
    inputs.forEach((input, i) => expect(counts.get(hashOf(input)), input).toBe(faultOf[i % 10]?.attempts ?? 1));
  });

  it('rejects with the abort reason and cancels in-flight requests when the signal aborts', async () => {
    const { loopback, runner } = await setup({ faults: [rule('hang', { kind: 'slow', delayMs: 60_000 })] }, { concurrency: 2 });
    const controller = new AbortController();
    const running = runner.runBatch(
      Array.from({ length: 5 }, (_, i) => request(`h${i}`, `hang ${i}`)),
      controller.signal,
    );
    while (loopback.stats().inFlight < 2) await new Promise((resolve) => setTimeout(resolve, 2));
    controller.abort(new Error('run cancelled'));
    await expect(running).rejects.toThrow('run cancelled');
    while (loopback.stats().inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(loopback.stats().requests).toBe(2);
  });
});

describe('OpenAIChatRunner aborted while waiting to retry', () => {
  it('rejects with the abort reason without waiting out Retry-After', async () => {
    const { loopback, runner } = await setup({ faults: [rule('wait', { kind: 'status', status: 429, retryAfterS: 30 })] });
    const controller = new AbortController();
    const running = runner.runBatch([request('w', 'wait long')], controller.signal);
    while (loopback.stats().inFlight > 0 || loopback.stats().requests === 0) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    controller.abort(new Error('run cancelled'));
    await expect(running).rejects.toThrow('run cancelled');
    expect(loopback.stats().requests).toBe(1);
  });
});

describe('OpenAIChatRunner options', () => {
  it.each([
    [{ timeoutMs: 0 }, 'timeoutMs must be an integer >= 1, got 0'],
    [{ timeoutMs: 1.5 }, 'timeoutMs must be an integer >= 1, got 1.5'],
    [{ maxRetries: -1 }, 'maxRetries must be an integer >= 0, got -1'],
    [{ concurrency: 0 }, 'concurrency must be a positive integer, got 0'],
  ])('rejects %j', (bad, message) => {
    expect(() => new OpenAIChatRunner({ model: 'm', baseURL: 'http://127.0.0.1:9/v1', ...bad })).toThrow(message);
  });
});

describe('loopback server', () => {
  it('lists models and serves /stats', async () => {
    const loopback = await startLoopbackOpenAI({ models: ['base', 'tuned'] });
    server = loopback;
    const client = new OpenAI({ baseURL: loopback.url, apiKey: 'unused', maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['base', 'tuned']);
    await client.chat.completions.create({ model: 'base', messages: [{ role: 'user', content: 'hi' }] });
    const stats: unknown = await (await fetch(`http://127.0.0.1:${loopback.port}/stats`)).json();
    expect(stats).toMatchObject({ requests: 1, distinctPrompts: 1, faultsInjected: 0 });
  });

  it('wraps a non-JSON answer in JSON when response_format asks for JSON', async () => {
    const loopback = await startLoopbackOpenAI({ answer: (prompt) => `echo: ${prompt}` });
    server = loopback;
    const client = new OpenAI({ baseURL: loopback.url, apiKey: 'unused', maxRetries: 0 });
    const plain = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    const json = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_object' },
    });
    expect(plain.choices[0]?.message.content).toBe('echo: x');
    expect(JSON.parse(json.choices[0]?.message.content ?? '')).toEqual({ answer: 'echo: x' });
  });

  it('decides probability faults by prompt and attempt, whatever the arrival order', async () => {
    const faults: FaultRule[] = [{ fault: { kind: 'status', status: 400 }, probability: 0.5, seed: 11 }];
    const inputs = Array.from({ length: 40 }, (_, i) => `p${i}`);
    const failedFor = async (order: string[]): Promise<string[]> => {
      const loopback = await startLoopbackOpenAI({ faults });
      const client = new OpenAI({ baseURL: loopback.url, apiKey: 'unused', maxRetries: 0 });
      const failed: string[] = [];
      for (const input of order) {
        await client.chat.completions
          .create({ model: 'm', messages: [{ role: 'user', content: input }] })
          .catch(() => failed.push(input));
      }
      await loopback.close();
      return failed.sort();
    };
    const forward = await failedFor(inputs);
    const backward = await failedFor([...inputs].reverse());
    expect(forward).toEqual(backward);
    expect(forward.length).toBeGreaterThan(5);
    expect(forward.length).toBeLessThan(35);
  });

  it('applies `every` to the Nth matching request', async () => {
    const loopback = await startLoopbackOpenAI({ faults: [{ fault: { kind: 'status', status: 400 }, every: 3 }] });
    server = loopback;
    const client = new OpenAI({ baseURL: loopback.url, apiKey: 'unused', maxRetries: 0 });
    const outcomes: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(
        await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: `q${i}` }] }).then(
          () => true,
          () => false,
        ),
      );
    }
    expect(outcomes).toEqual([true, true, false, true, true, false]);
  });
});
