// The official OpenAI Node client's Responses API against the gateway: every response object and stream event must
// match OpenAI's schema (Response, ResponseStreamEvent); bridged to mock deployments (one OpenAI-named, one Anthropic-named).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { readFileSync } from 'node:fs';
import { assertSchema } from './schema.mjs';

// Each stream event is validated against the member of ResponseStreamEvent its type names (the union's own errors are unreadable).
const specPath = process.env.OPENAI_SPEC ?? new URL('../../../shared/specs/openai-openapi.json', import.meta.url);
const schemas = JSON.parse(readFileSync(specPath, 'utf8')).components.schemas;
const eventSchemas = new Map(schemas.ResponseStreamEvent.anyOf.map(r => r.$ref.split('/').at(-1)).map(name => [schemas[name].properties.type.enum[0], name]));
function assertEvent(event) {
  const name = eventSchemas.get(event.type);
  assert.ok(name, `${event.type} is not a ResponseStreamEvent`);
  assertSchema(name, event);
}

const client = new OpenAI({ baseURL: `${process.env.GATEWAY_URL}/v1`, apiKey: process.env.GATEWAY_KEY, maxRetries: 0, timeout: 20_000 });
const tools = [
  { type: 'function', name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } } }, strict: false },
  { type: 'function', name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } }, strict: false },
];

/** Reads a stream, validating every event and its sequence number; returns the events. */
async function collect(stream) {
  const events = [];
  for await (const event of stream) {
    assertEvent(event);
    assert.equal(event.sequence_number, events.length, `sequence_number of ${event.type}`);
    events.push(event);
  }

  return events;
}

for (const model of ['gpt-4o-mini', 'claude-sonnet-4']) {
  test(`responses.create (${model})`, async () => {
    const response = await client.responses.create({ model, input: 'Say hello.', instructions: 'Be brief.' });
    assertSchema('Response', response);
    assert.equal(response.object, 'response');
    assert.equal(response.status, 'completed');
    assert.match(response.output_text, /Hello from the mock provider/);
    assert.equal(response.instructions, 'Be brief.');
    assert.ok(response.usage.total_tokens > 0);
  });

  test(`responses.create streamed (${model})`, async () => {
    const events = await collect(await client.responses.create({ model, input: 'Say hello.', stream: true }));
    const types = events.map(e => e.type);
    assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    const text = events.filter(e => e.type === 'response.output_text.delta').map(e => e.delta).join('');
    assert.match(text, /Hello from the mock provider/);
    const completed = events.at(-1).response;
    assertSchema('Response', completed);
    assert.equal(completed.id, events[0].response.id);
    assert.equal(completed.output[0].content[0].text, text);
  });
}

test('function tool round trip', async () => {
  const first = await client.responses.create({ model: 'weather', input: 'Weather and time in Paris?', tools });
  assertSchema('Response', first);
  const calls = first.output.filter(i => i.type === 'function_call');
  assert.deepEqual(calls.map(c => c.name), ['get_weather', 'get_time']);
  assert.deepEqual(JSON.parse(calls[0].arguments), { city: 'Paris', unit: 'c' });

  // Streamed, the arguments arrive as delta/done events per call.
  const events = await collect(await client.responses.create({ model: 'weather', input: 'Weather and time in Paris?', tools, stream: true }));
  assert.deepEqual(events.filter(e => e.type === 'response.function_call_arguments.done').map(e => e.name), ['get_weather', 'get_time']);

  // The outputs go back with previous_response_id; a model answers in text.
  const second = await client.responses.create({
    model: 'gpt-4o-mini',
    previous_response_id: first.id,
    input: calls.map(c => ({ type: 'function_call_output', call_id: c.call_id, output: c.name === 'get_weather' ? '18C' : '14:00' })),
    tools,
  });
  assertSchema('Response', second);
  assert.equal(second.previous_response_id, first.id);
  assert.match(second.output_text, /Hello from the mock provider/);
});

test('previous_response_id chains three turns; retrieve, input_items, delete', async () => {
  const one = await client.responses.create({ model: 'claude-sonnet-4', input: 'one' });
  const two = await client.responses.create({ model: 'gpt-4o-mini', input: 'two', previous_response_id: one.id });
  const threeEvents = await collect(await client.responses.create({ model: 'claude-sonnet-4', input: 'three', previous_response_id: two.id, stream: true }));
  const three = threeEvents.at(-1).response;
  assert.equal(three.previous_response_id, two.id);

  // The chain reached the third call: its prompt counts every earlier turn.
  const alone = await client.responses.inputTokens.count({ model: 'claude-sonnet-4', input: 'three' });
  const chained = await client.responses.inputTokens.count({ model: 'claude-sonnet-4', input: 'three', previous_response_id: two.id });
  assert.ok(chained.input_tokens > alone.input_tokens + 10, `${chained.input_tokens} vs ${alone.input_tokens}`);

  const retrieved = await client.responses.retrieve(three.id);
  assertSchema('Response', retrieved);
  delete retrieved.output_text; // the SDK's own convenience, added on the client side
  assert.deepEqual(retrieved, three);

  const items = await client.responses.inputItems.list(two.id);
  assert.equal(items.data[0].content[0].text, 'two');
  const raw = await fetch(`${process.env.GATEWAY_URL}/v1/responses/${two.id}/input_items`, { headers: { authorization: `Bearer ${process.env.GATEWAY_KEY}` } });
  assertSchema('ResponseItemList', await raw.json());

  await client.responses.delete(one.id);
  await assert.rejects(client.responses.retrieve(one.id), e => e.status === 404);
});

test('a built-in tool is refused with a 400 naming it', async () => {
  await assert.rejects(
    client.responses.create({ model: 'claude-sonnet-4', input: 'x', tools: [{ type: 'web_search' }] }),
    e => e.status === 400 && /web_search/.test(e.message) && e.param === 'tools[0].type');
});
