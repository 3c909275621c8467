// A Claude-Code-shaped session from the official Anthropic Node client, through the gateway, to a loopback Anthropic API
// started here (the gateway's `claude-code` deployment points at it): three streamed turns with a cached system array, ten
// tools, thinking with the interleaved-thinking beta, a tool_use -> tool_result round trip, and count_tokens before each
// turn. The upstream must receive each body as sent (only `model` changes) with the client's anthropic-* headers, and the
// client must receive every event, thinking signatures included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';

const fixtures = new URL('./fixtures/claude-code/', import.meta.url);
const conversation = JSON.parse(readFileSync(new URL('conversation.json', fixtures), 'utf8'));
const port = Number(process.env.CLAUDE_CODE_UPSTREAM_PORT);
const received = [];
const answers = [];
const counts = [];
let upstream;

before(async () => {
  upstream = createServer((request, response) => {
    let body = '';
    request.on('data', chunk => { body += chunk; });
    request.on('end', () => {
      received.push({ path: request.url, headers: request.headers, body: JSON.parse(body) });
      if (request.url === '/v1/messages/count_tokens') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ input_tokens: counts.shift() }));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(answers.shift());
    });
  });
  await new Promise(resolve => upstream.listen(port, '127.0.0.1', resolve));
});

after(() => upstream?.close());

/** The events of an SSE transcript, as the SDK yields them (it skips pings). */
function events(transcript) {
  return transcript.split('\n\n').filter(f => f.trim()).map(frame => {
    const data = frame.split('\n').find(l => l.startsWith('data: '));
    return JSON.parse(data.slice('data: '.length));
  }).filter(e => e.type !== 'ping');
}

test('a three-turn Claude Code session is lossless', async () => {
  const client = new Anthropic({ baseURL: process.env.GATEWAY_URL, apiKey: process.env.GATEWAY_KEY, maxRetries: 0, timeout: 20_000 });
  const headers = conversation.headers;
  for (const turn of conversation.turns) {
    const transcript = readFileSync(new URL(turn.stream, fixtures), 'utf8');
    counts.push(turn.inputTokens);
    answers.push(transcript);

    const count = await client.messages.countTokens(turn.countTokens, { headers });
    assert.equal(count.input_tokens, turn.inputTokens);
    const counted = received.shift();
    assert.equal(counted.path, '/v1/messages/count_tokens');
    assert.deepEqual(counted.body, { ...turn.countTokens, model: conversation.upstreamModel });

    const stream = client.messages.stream(turn.request, { headers });
    const got = [];
    // Copied as they arrive: the stream helper later grows message_start's message into the final message.
    stream.on('streamEvent', event => got.push(structuredClone(event)));
    const message = await stream.finalMessage();

    const sent = received.shift();
    assert.equal(sent.path, '/v1/messages');
    assert.deepEqual(sent.body, { ...turn.request, model: conversation.upstreamModel });
    assert.equal(sent.headers['anthropic-beta'], headers['anthropic-beta']);
    assert.equal(sent.headers['anthropic-version'], headers['anthropic-version']);
    assert.equal(sent.headers['x-api-key'], 'sk-ant-upstream-client-suite');
    assert.equal(sent.headers.authorization, undefined);

    assert.deepEqual(got, events(transcript));
    const thinking = message.content.find(b => b.type === 'thinking');
    assert.ok(thinking.signature.length > 20, 'the thinking block keeps its signature');
  }
  assert.equal(received.length, 0);
});
