// The official Anthropic Node client against the gateway's /v1/messages (x-api-key and Bearer both accepted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

const baseURL = process.env.GATEWAY_URL;
const client = new Anthropic({ baseURL, apiKey: process.env.GATEWAY_KEY, maxRetries: 0, timeout: 20_000 });
const request = { model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'Say hello.' }] };

test('message', async () => {
  const message = await client.messages.create(request);
  assert.equal(message.type, 'message');
  assert.equal(message.role, 'assistant');
  assert.match(message.id, /^msg_/);
  assert.equal(message.content[0].type, 'text');
  assert.match(message.content[0].text, /Hello from the mock provider/);
  assert.equal(message.stop_reason, 'end_turn');
  assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
});

test('message, streamed', async () => {
  const stream = client.messages.stream(request);
  const types = [];
  stream.on('streamEvent', event => types.push(event.type));
  const message = await stream.finalMessage();
  assert.match(message.content[0].text, /Hello from the mock provider/);
  assert.equal(message.stop_reason, 'end_turn');
  assert.equal(types[0], 'message_start');
  assert.equal(types.at(-1), 'message_stop');
  for (const type of ['content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta']) {
    assert.ok(types.includes(type), `${type} in ${types.join(',')}`);
  }
});

test('bearer authorization is accepted too', async () => {
  const bearer = new Anthropic({ baseURL, authToken: process.env.GATEWAY_KEY, apiKey: null, maxRetries: 0 });
  const message = await bearer.messages.create(request);
  assert.equal(message.type, 'message');
});

test('errors are Anthropic-shaped and typed by the SDK', async () => {
  const wrong = new Anthropic({ baseURL, apiKey: 'sk-wrong', maxRetries: 0 });
  const error = await wrong.messages.create(request).catch(e => e);
  assert.ok(error instanceof Anthropic.AuthenticationError, String(error));
  assert.equal(error.error?.type, 'error');
});
