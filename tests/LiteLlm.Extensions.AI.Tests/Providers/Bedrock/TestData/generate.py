#!/usr/bin/env python3
"""Generates the Bedrock test data used by the C# tests; run from this folder.

- eventstream.json: application/vnd.amazon.eventstream bodies. Frames are encoded here (botocore
  has no encoder) and every good frame is decoded again with botocore.eventstream.EventStreamBuffer,
  which verifies both CRCs; every damaged body must make botocore raise.
- converse-sigv4.json: a Converse request signed by botocore.auth.SigV4Auth at a fixed date.
"""
import base64, binascii, datetime, json, struct, uuid
from unittest import mock

from botocore import eventstream
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def header(name, type_, value):
    out = bytes([len(name)]) + name.encode() + bytes([type_])
    if type_ in (0, 1):
        return out
    if type_ == 2:
        return out + struct.pack('>b', value)
    if type_ == 3:
        return out + struct.pack('>h', value)
    if type_ == 4:
        return out + struct.pack('>i', value)
    if type_ in (5, 8):
        return out + struct.pack('>q', value)
    if type_ == 6:
        return out + struct.pack('>H', len(value)) + value
    if type_ == 7:
        raw = value.encode()
        return out + struct.pack('>H', len(raw)) + raw
    if type_ == 9:
        return out + value.bytes
    raise ValueError(type_)


def frame(headers, payload):
    hdrs = b''.join(header(*h) for h in headers)
    total = 12 + len(hdrs) + len(payload) + 4
    prelude = struct.pack('>II', total, len(hdrs))
    prelude += struct.pack('>I', binascii.crc32(prelude) & 0xffffffff)
    body = prelude + hdrs + payload
    return body + struct.pack('>I', binascii.crc32(body) & 0xffffffff)


def event(event_type, payload):
    return frame([(':event-type', 7, event_type), (':content-type', 7, 'application/json'), (':message-type', 7, 'event')],
                 json.dumps(payload, separators=(',', ':')).encode())


def exception(exception_type, payload):
    return frame([(':exception-type', 7, exception_type), (':content-type', 7, 'application/json'), (':message-type', 7, 'exception')],
                 json.dumps(payload, separators=(',', ':')).encode())


def decode(body):
    buf = eventstream.EventStreamBuffer()
    buf.add_data(body)
    return list(buf)


PAD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'
streams = {}
streams['allHeaderTypes'] = frame([
    ('true', 0, True), ('false', 1, False), ('byte', 2, -7), ('short', 3, -1234), ('int', 4, 123456789),
    ('long', 5, -1234567890123), ('bytes', 6, b'\x00\x01\xfe\xff'), ('string', 7, 'h\u00e9llo'),
    ('timestamp', 8, 1735787045000), ('uuid', 9, uuid.UUID('0102030405060708090a0b0c0d0e0f10')),
], b'{"ok":true}')
streams['emptyFrame'] = frame([], b'')
streams['textStream'] = b''.join([
    event('messageStart', {'p': PAD[:5], 'role': 'assistant'}),
    event('contentBlockDelta', {'contentBlockIndex': 0, 'delta': {'text': 'Hel'}, 'p': PAD[:12]}),
    event('contentBlockDelta', {'contentBlockIndex': 0, 'delta': {'text': 'lo '}, 'p': PAD[:3]}),
    event('contentBlockDelta', {'contentBlockIndex': 0, 'delta': {'text': 'there!'}, 'p': PAD[:20]}),
    event('contentBlockStop', {'contentBlockIndex': 0, 'p': PAD[:7]}),
    event('messageStop', {'p': PAD[:9], 'stopReason': 'end_turn'}),
    event('metadata', {'metrics': {'latencyMs': 412}, 'p': PAD[:2],
                       'usage': {'inputTokens': 12, 'outputTokens': 5, 'totalTokens': 17, 'cacheReadInputTokens': 3, 'cacheWriteInputTokens': 4}}),
])
streams['toolStream'] = b''.join([
    event('messageStart', {'p': PAD[:5], 'role': 'assistant'}),
    event('contentBlockDelta', {'contentBlockIndex': 0, 'delta': {'text': 'Let me check.'}, 'p': PAD[:4]}),
    event('contentBlockStop', {'contentBlockIndex': 0, 'p': PAD[:6]}),
    event('contentBlockStart', {'contentBlockIndex': 1, 'p': PAD[:8], 'start': {'toolUse': {'name': 'get_weather', 'toolUseId': 'tooluse_1'}}}),
    event('contentBlockDelta', {'contentBlockIndex': 1, 'delta': {'toolUse': {'input': '{"loc'}}, 'p': PAD[:10]}),
    event('contentBlockDelta', {'contentBlockIndex': 1, 'delta': {'toolUse': {'input': 'ation": "Pa'}}, 'p': PAD[:1]}),
    event('contentBlockDelta', {'contentBlockIndex': 1, 'delta': {'toolUse': {'input': 'ris"}'}}, 'p': PAD[:15]}),
    event('contentBlockStop', {'contentBlockIndex': 1, 'p': PAD[:6]}),
    event('messageStop', {'p': PAD[:9], 'stopReason': 'tool_use'}),
    event('metadata', {'metrics': {'latencyMs': 700}, 'p': PAD[:2], 'usage': {'inputTokens': 20, 'outputTokens': 9, 'totalTokens': 29}}),
])
streams['reasoningStream'] = b''.join([
    event('messageStart', {'role': 'assistant'}),
    event('contentBlockDelta', {'contentBlockIndex': 0, 'delta': {'reasoningContent': {'text': 'Thinking'}}}),
    event('contentBlockDelta', {'contentBlockIndex': 0, 'delta': {'reasoningContent': {'signature': 'sig-123'}}}),
    event('contentBlockStop', {'contentBlockIndex': 0}),
    event('contentBlockDelta', {'contentBlockIndex': 1, 'delta': {'text': 'Done.'}}),
    event('contentBlockStop', {'contentBlockIndex': 1}),
    event('messageStop', {'stopReason': 'end_turn'}),
])
streams['midStreamServiceUnavailable'] = b''.join([
    event('messageStart', {'p': PAD[:5], 'role': 'assistant'}),
    event('contentBlockDelta', {'contentBlockIndex': 0, 'delta': {'text': 'Hel'}, 'p': PAD[:12]}),
    exception('serviceUnavailableException', {'message': 'Bedrock is unable to process your request.'}),
])
streams['midStreamThrottling'] = b''.join([
    event('contentBlockDelta', {'contentBlockIndex': 0, 'delta': {'text': 'Hel'}}),
    exception('throttlingException', {'message': 'Too many tokens, please wait before trying again.'}),
])
streams['midStreamValidation'] = b''.join([
    event('contentBlockDelta', {'contentBlockIndex': 0, 'delta': {'text': 'Hel'}}),
    exception('validationException', {'message': 'Input is too long for requested model.'}),
])
streams['midStreamModelError'] = b''.join([
    event('contentBlockDelta', {'contentBlockIndex': 0, 'delta': {'text': 'Hel'}}),
    exception('modelStreamErrorException', {'message': 'Model failed to stream.', 'originalStatusCode': 500, 'originalMessage': 'boom'}),
])
streams['midStreamInternal'] = b''.join([
    event('contentBlockDelta', {'contentBlockIndex': 0, 'delta': {'text': 'Hel'}}),
    exception('internalServerException', {'message': 'The server encountered an internal error.'}),
])
streams['errorFrame'] = b''.join([
    event('contentBlockDelta', {'contentBlockIndex': 0, 'delta': {'text': 'Hel'}}),
    frame([(':message-type', 7, 'error'), (':error-code', 7, 'ThrottlingException'), (':error-message', 7, 'Slow down.')], b''),
])

for name, body in streams.items():
    decoded = decode(body)  # raises on any CRC or length problem
    assert decoded, name

good = event('contentBlockDelta', {'contentBlockIndex': 0, 'delta': {'text': 'Hel'}})
bad_prelude = bytearray(good); bad_prelude[8] ^= 0xFF
bad_message = bytearray(good); bad_message[-1] ^= 0xFF
bad_payload = bytearray(good); bad_payload[-6] ^= 0x01  # a payload byte: only the message CRC can tell
truncated = good + good[:len(good) - 5]
truncated_prelude = good + good[:7]
damaged = {
    'badPreludeCrc': bytes(bad_prelude), 'badMessageCrc': bytes(bad_message), 'badPayloadByte': bytes(bad_payload),
    'truncatedFrame': truncated, 'truncatedPrelude': truncated_prelude,
}
for name, body in damaged.items():
    buf = eventstream.EventStreamBuffer()
    buf.add_data(body)
    try:
        list(buf)
        if name.startswith('truncated'):
            assert buf._data, name  # botocore waits for more bytes; the leftover is the cut frame
        else:
            raise AssertionError(name + ' was accepted by botocore')
    except eventstream.ChecksumMismatch:
        assert not name.startswith('truncated'), name

out = {'$comment': 'Generated by generate.py; every good body decodes with botocore ' + __import__('botocore').__version__ + ', every damaged one is rejected or incomplete.'}
out.update({k: base64.b64encode(v).decode() for k, v in {**streams, **damaged}.items()})
with open('eventstream.json', 'w') as f:
    json.dump(out, f, indent=1)
    f.write('\n')

# A Converse request as BedrockChatClient sends it, signed by botocore at a fixed time.
fixed = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
cases = []
for name, token in (('session', 'fixture-session-token'), ('longTerm', None)):
    creds = Credentials('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', token)
    url = 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse'
    body = '{"messages":[{"role":"user","content":[{"text":"Say hello"}]}]}'
    req = AWSRequest(method='POST', url=url, data=body.encode(), headers={'Content-Type': 'application/json'})
    auth = SigV4Auth(creds, 'bedrock', 'us-east-1')
    with mock.patch('botocore.auth.get_current_datetime', return_value=fixed.replace(tzinfo=None)):
        auth.add_auth(req)
    cases.append({
        'name': name, 'url': url, 'body': body, 'sessionToken': token,
        'authorization': req.headers['Authorization'], 'xAmzDate': req.headers['X-Amz-Date'],
    })
with open('converse-sigv4.json', 'w') as f:
    json.dump({'$comment': 'Signed by botocore ' + __import__('botocore').__version__ + ' SigV4Auth (service bedrock, region us-east-1) at 2025-01-02T03:04:05Z; AWS documentation example credentials.',
               'signingDate': '2025-01-02T03:04:05Z', 'region': 'us-east-1', 'accessKeyId': 'AKIDEXAMPLE',
               'secretAccessKey': 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'cases': cases}, f, indent=1)
    f.write('\n')
print('ok')
