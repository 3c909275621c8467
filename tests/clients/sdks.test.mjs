// The Vercel AI SDK's default OpenAI provider and the OpenAI Agents SDK's default model both speak the Responses API:
// each drives the gateway (a mock deployment that answers with tool calls) through a tool call it executes itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, tool, stepCountIs } from 'ai';
import { Agent, run, tool as agentTool, setDefaultOpenAIClient, setTracingDisabled } from '@openai/agents';
import OpenAI from 'openai';
import { z } from 'zod';

const baseURL = `${process.env.GATEWAY_URL}/v1`;
const apiKey = process.env.GATEWAY_KEY;

/** A fetch that records the paths it called. */
function recordingFetch(paths) {
  return (url, init) => {
    paths.push(new URL(url).pathname);
    return fetch(url, init);
  };
}

const weatherInput = z.object({ city: z.string(), unit: z.string() });

test('Vercel AI SDK: openai(model) calls /v1/responses, runs the tool, sends its output back', async () => {
  const paths = [];
  const openai = createOpenAI({ baseURL, apiKey, fetch: recordingFetch(paths) });
  const seen = [];
  const result = await generateText({
    model: openai('weather'),
    prompt: 'Weather in Paris?',
    tools: {
      get_weather: tool({ inputSchema: weatherInput, execute: async input => { seen.push(input); return '18C'; } }),
      get_time: tool({ inputSchema: z.object({ tz: z.string() }), execute: async () => '14:00' }),
    },
    stopWhen: stepCountIs(2),
  });
  assert.deepEqual(paths, ['/v1/responses', '/v1/responses']);
  assert.deepEqual(seen[0], { city: 'Paris', unit: 'c' });
  assert.equal(result.steps.length, 2);
  assert.deepEqual(result.steps[0].toolResults.map(r => r.output), ['18C', '14:00']);
  assert.ok(result.totalUsage.inputTokens > 0);
});

test('Vercel AI SDK: streamText over the Responses stream', async () => {
  const openai = createOpenAI({ baseURL, apiKey });
  const result = streamText({ model: openai('gpt-4o-mini'), prompt: 'Say hello.' });
  let text = '';
  for await (const delta of result.textStream) {
    text += delta;
  }

  assert.match(text, /Hello from the mock provider/);
  assert.equal(await result.finishReason, 'stop');
});

test('OpenAI Agents SDK: the default (Responses) model runs a tool', async () => {
  setTracingDisabled(true);
  setDefaultOpenAIClient(new OpenAI({ baseURL, apiKey, maxRetries: 0 }));
  const seen = [];
  const getWeather = agentTool({ name: 'get_weather', description: 'Weather in a city', parameters: weatherInput, execute: async input => { seen.push(input); return '18C and sunny'; } });
  const getTime = agentTool({ name: 'get_time', description: 'Time', parameters: z.object({ tz: z.string() }), execute: async () => '14:00' });
  const agent = new Agent({ name: 'Weather', instructions: 'Answer with the weather.', model: 'weather', tools: [getWeather, getTime], toolUseBehavior: 'stop_on_first_tool' });
  const result = await run(agent, 'Weather in Paris?');
  assert.deepEqual(seen, [{ city: 'Paris', unit: 'c' }]);
  assert.equal(result.finalOutput, '18C and sunny');
});

test('OpenAI Agents SDK: a plain answer', async () => {
  setDefaultOpenAIClient(new OpenAI({ baseURL, apiKey, maxRetries: 0 }));
  const result = await run(new Agent({ name: 'Greeter', instructions: 'Greet.', model: 'claude-sonnet-4' }), 'Hello?');
  assert.match(result.finalOutput, /Hello from the mock provider/);
});
