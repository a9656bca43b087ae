/**
 * The floor under `bench:harness`: the same chat requests through the `openai` client (with the
 * runner's node:http fetch, concurrency 16) in a fresh process that does nothing else — no suite,
 * scoring, storage or statistics. Whatever `logbench run` takes beyond this is the harness's own.
 * Usage: node dist/bench/clientFloor.js URL REQUESTS
 */
import OpenAI from 'openai';
import { nodeHttpFetch } from '../harness/runners/nodeHttpFetch.js';
import { HARNESS_PROMPT_HEAD, makeHarnessCases } from './harnessCases.js';

const [url, count] = process.argv.slice(2);
if (url === undefined || count === undefined) throw new Error('usage: clientFloor.js URL REQUESTS');
const requests = Number(count);
const cases = makeHarnessCases(requests);
const client = new OpenAI({ baseURL: url, apiKey: 'logbench-no-key', maxRetries: 0, logLevel: 'off', fetch: nodeHttpFetch });
const prompt = (i: number) => `${HARNESS_PROMPT_HEAD}${cases[i % cases.length]!.logs}`;
let next = 0;
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next < requests) {
      const i = next++;
      const completion = await client.chat.completions.create({ model: 'floor', messages: [{ role: 'user', content: prompt(i) }] });
      if (typeof completion.choices[0]?.message.content !== 'string') throw new Error(`request ${i}: no content`);
    }
  }),
);
