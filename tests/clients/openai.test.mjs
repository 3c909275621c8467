// The official OpenAI Node client against the gateway: every response and stream chunk must match OpenAI's schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { assertSchema } from './schema.mjs';

const baseURL = `${process.env.GATEWAY_URL}/v1`;
const apiKey = process.env.GATEWAY_KEY;
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 20_000 });
const messages = [{ role: 'user', content: 'Say hello.' }];

test('chat completion', async () => {
  const response = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
  assertSchema('CreateChatCompletionResponse', response);
  assert.equal(response.object, 'chat.completion');
  assert.match(response.choices[0].message.content, /Hello from the mock provider/);
  assert.equal(response.choices[0].finish_reason, 'stop');
  assert.ok(response.usage.total_tokens > 0);
});

test('chat completion, streamed with usage', async () => {
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
  let text = '';
  let finish = null;
  let usage = null;
  let chunks = 0;
  for await (const chunk of stream) {
    assertSchema('CreateChatCompletionStreamResponse', chunk);
    assert.equal(chunk.object, 'chat.completion.chunk');
    chunks++;
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? '';
      finish = choice.finish_reason ?? finish;
    }

    if (chunk.usage) {
      assert.equal(chunk.choices.length, 0, 'the usage chunk has no choices');
      usage = chunk.usage;
    }
  }

  assert.ok(chunks > 2, `${chunks} chunks`);
  assert.match(text, /Hello from the mock provider/);
  assert.equal(finish, 'stop');
  assert.ok(usage?.total_tokens > 0, 'stream_options.include_usage gives a final usage chunk');
});

test('tool calls', async () => {
  const tools = [
    { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
    { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
  ];
  const response = await client.chat.completions.create({ model: 'weather', messages, tools });
  assertSchema('CreateChatCompletionResponse', response);
  const calls = response.choices[0].message.tool_calls;
  assert.deepEqual(calls.map(c => c.function.name), ['get_weather', 'get_time']);
  assert.deepEqual(JSON.parse(calls[0].function.arguments), { city: 'Paris', unit: 'c' });
  assert.equal(response.choices[0].finish_reason, 'tool_calls');

  // Streamed: the deltas reassemble into the same calls (the SDK's helper does the accumulating).
  const runner = client.chat.completions.stream({ model: 'weather', messages, tools });
  runner.on('chunk', chunk => assertSchema('CreateChatCompletionStreamResponse', chunk));
  const final = await runner.finalChatCompletion();
  const streamed = final.choices[0].message.tool_calls;
  assert.deepEqual(streamed.map(c => [c.id, c.function.name, JSON.parse(c.function.arguments)]), calls.map(c => [c.id, c.function.name, JSON.parse(c.function.arguments)]));
  assert.equal(final.choices[0].finish_reason, 'tool_calls');
});

test('embeddings, float and base64', async () => {
  const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'], encoding_format: 'float' });
  assertSchema('CreateEmbeddingResponse', floats);
  assert.equal(floats.data.length, 2);

  // The SDK asks for base64 by default and decodes it: the vectors must be the same.
  const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'] });
  assert.equal(decoded.data.length, 2);
  decoded.data.forEach((d, i) => assert.deepEqual(Array.from(d.embedding).map(x => Math.fround(x)), floats.data[i].embedding.map(x => Math.fround(x))));

  const raw = await fetch(`${baseURL}/embeddings`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'text-embedding-3-small', input: 'one', encoding_format: 'base64' }),
  }).then(r => r.json());
  assert.equal(typeof raw.data[0].embedding, 'string');
});

test('legacy completions', async () => {
  const response = await client.completions.create({ model: 'gpt-4o-mini', prompt: 'Say hello.' });
  assertSchema('CreateCompletionResponse', response);
  assert.match(response.choices[0].text, /Hello/);
});

test('models', async () => {
  const page = await client.models.list();
  const ids = [];
  for await (const model of page) {
    assertSchema('Model', model);
    ids.push(model.id);
  }

  assert.ok(ids.includes('gpt-4o-mini') && ids.includes('text-embedding-3-small'), ids.join(','));
  const raw = await fetch(`${baseURL}/models`, { headers: { authorization: `Bearer ${apiKey}` } }).then(r => r.json());
  assertSchema('ListModelsResponse', raw);
});

test('errors are OpenAI-shaped and typed by the SDK', async () => {
  const unknown = await client.chat.completions.create({ model: 'no-such-model', messages }).catch(e => e);
  assert.ok(unknown instanceof OpenAI.NotFoundError, String(unknown));
  assertSchema('ErrorResponse', unknown.error ? { error: unknown.error } : unknown);

  const badKey = new OpenAI({ baseURL, apiKey: 'sk-wrong', maxRetries: 0 });
  const unauthorized = await badKey.chat.completions.create({ model: 'gpt-4o-mini', messages }).catch(e => e);
  assert.ok(unauthorized instanceof OpenAI.AuthenticationError, String(unauthorized));
  assert.doesNotMatch(JSON.stringify(unauthorized.error), /sk-wrong/);

  const invalid = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [], temperature: 7 }).catch(e => e);
  assert.ok(invalid instanceof OpenAI.BadRequestError, String(invalid));
  assertSchema('ErrorResponse', { error: invalid.error });
});
