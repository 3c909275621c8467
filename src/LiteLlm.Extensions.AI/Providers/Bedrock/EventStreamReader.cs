using System.Buffers.Binary;
using System.Text;

namespace LiteLlm.Providers.Bedrock;

/// <summary>One decoded <c>application/vnd.amazon.eventstream</c> message.</summary>
/// <param name="Headers">
/// The headers by name. Values are <see cref="bool"/>, <see cref="sbyte"/>, <see cref="short"/>,
/// <see cref="int"/>, <see cref="long"/>, <see cref="byte"/>[], <see cref="string"/>,
/// <see cref="DateTimeOffset"/> (timestamps) or <see cref="Guid"/> (uuids).
/// </param>
/// <param name="Payload">The payload bytes.</param>
internal sealed record EventStreamMessage(IReadOnlyDictionary<string, object> Headers, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Gets a string header, or <see langword="null"/>.</summary>
    public string? StringHeader(string name) => Headers.TryGetValue(name, out var v) ? v as string : null;

    /// <summary>Gets <c>:message-type</c> (<c>event</c>, <c>exception</c> or <c>error</c>).</summary>
    public string? MessageType => StringHeader(":message-type");
}

/// <summary>A frame that is not a valid event-stream message (bad checksum, impossible lengths, cut short).</summary>
internal sealed class EventStreamFormatException : FormatException
{
    public EventStreamFormatException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// Reads the AWS event-stream framing: a 12-byte prelude (total length, headers length, CRC-32 of the
/// first 8 bytes), typed headers, the payload and a CRC-32 of everything before it. Both checksums are
/// verified; any damage is an <see cref="EventStreamFormatException"/>, never a hang or a huge allocation.
/// </summary>
internal sealed class EventStreamReader
{
    /// <summary>The smallest frame: prelude plus message CRC.</summary>
    public const int MinimumFrameLength = 16;

    /// <summary>The largest headers section AWS allows (128 KiB).</summary>
    public const int MaxHeadersLength = 128 * 1024;

    /// <summary>The largest payload AWS allows (24 MiB).</summary>
    public const int MaxPayloadLength = 24 * 1024 * 1024;

    private const int PreludeLength = 12;
    private readonly Stream _stream;
    private readonly byte[] _prelude = new byte[PreludeLength];

    public EventStreamReader(Stream stream) => _stream = stream;

    /// <summary>Reads the next message, or returns <see langword="null"/> at a clean end of the stream.</summary>
    public async ValueTask<EventStreamMessage?> ReadAsync(CancellationToken cancellationToken = default)
    {
        var got = await FillAsync(_prelude, cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return null;
        }

        if (got < PreludeLength)
        {
            throw new EventStreamFormatException($"The event stream ended inside a frame's prelude ({got} of {PreludeLength} bytes).");
        }

        var totalLength = BinaryPrimitives.ReadUInt32BigEndian(_prelude);
        var headersLength = BinaryPrimitives.ReadUInt32BigEndian(_prelude.AsSpan(4));
        var preludeCrc = BinaryPrimitives.ReadUInt32BigEndian(_prelude.AsSpan(8));
        var computedPreludeCrc = Crc32.Compute(_prelude.AsSpan(0, 8));
        if (preludeCrc != computedPreludeCrc)
        {
            throw new EventStreamFormatException($"Event-stream prelude checksum mismatch (sent 0x{preludeCrc:x8}, computed 0x{computedPreludeCrc:x8}).");
        }

        if (headersLength > MaxHeadersLength)
        {
            throw new EventStreamFormatException($"Event-stream headers of {headersLength} bytes exceed the {MaxHeadersLength}-byte limit.");
        }

        if (totalLength < MinimumFrameLength + headersLength)
        {
            throw new EventStreamFormatException($"Event-stream frame length {totalLength} cannot hold {headersLength} bytes of headers.");
        }

        var payloadLength = totalLength - headersLength - MinimumFrameLength;
        if (payloadLength > MaxPayloadLength)
        {
            throw new EventStreamFormatException($"Event-stream payload of {payloadLength} bytes exceeds the {MaxPayloadLength}-byte limit.");
        }

        var frame = new byte[totalLength];
        _prelude.CopyTo(frame, 0);
        var rest = frame.AsMemory(PreludeLength);
        got = await FillAsync(rest, cancellationToken).ConfigureAwait(false);
        if (got < rest.Length)
        {
            throw new EventStreamFormatException($"The event stream ended inside a frame ({PreludeLength + got} of {totalLength} bytes).");
        }

        var messageCrc = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan((int)totalLength - 4));
        var computedMessageCrc = Crc32.Compute(frame.AsSpan(0, (int)totalLength - 4));
        if (messageCrc != computedMessageCrc)
        {
            throw new EventStreamFormatException($"Event-stream message checksum mismatch (sent 0x{messageCrc:x8}, computed 0x{computedMessageCrc:x8}).");
        }

        var headers = ParseHeaders(frame.AsSpan(PreludeLength, (int)headersLength));
        return new EventStreamMessage(headers, frame.AsMemory(PreludeLength + (int)headersLength, (int)payloadLength));
    }

    /// <summary>Decodes a headers section.</summary>
    internal static Dictionary<string, object> ParseHeaders(ReadOnlySpan<byte> span)
    {
        var headers = new Dictionary<string, object>(StringComparer.Ordinal);
        var i = 0;
        while (i < span.Length)
        {
            var nameLength = span[i++];
            Need(span, i, nameLength + 1);
            var name = Encoding.UTF8.GetString(span.Slice(i, nameLength));
            i += nameLength;
            var type = span[i++];
            object value;
            switch (type)
            {
                case 0:
                    value = true;
                    break;
                case 1:
                    value = false;
                    break;
                case 2:
                    Need(span, i, 1);
                    value = (sbyte)span[i];
                    i += 1;
                    break;
                case 3:
                    Need(span, i, 2);
                    value = BinaryPrimitives.ReadInt16BigEndian(span[i..]);
                    i += 2;
                    break;
                case 4:
                    Need(span, i, 4);
                    value = BinaryPrimitives.ReadInt32BigEndian(span[i..]);
                    i += 4;
                    break;
                case 5:
                    Need(span, i, 8);
                    value = BinaryPrimitives.ReadInt64BigEndian(span[i..]);
                    i += 8;
                    break;
                case 6:
                case 7:
                    Need(span, i, 2);
                    var length = BinaryPrimitives.ReadUInt16BigEndian(span[i..]);
                    i += 2;
                    Need(span, i, length);
                    value = type == 6 ? span.Slice(i, length).ToArray() : Encoding.UTF8.GetString(span.Slice(i, length));
                    i += length;
                    break;
                case 8:
                    Need(span, i, 8);
                    value = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(span[i..]));
                    i += 8;
                    break;
                case 9:
                    Need(span, i, 16);
                    value = new Guid(span.Slice(i, 16), bigEndian: true);
                    i += 16;
                    break;
                default:
                    throw new EventStreamFormatException($"Event-stream header '{name}' has the unknown value type {type}.");
            }

            headers[name] = value;
        }

        return headers;
    }

    private static void Need(ReadOnlySpan<byte> span, int offset, int count)
    {
        if (offset + count > span.Length)
        {
            throw new EventStreamFormatException("An event-stream header runs past the end of the headers section.");
        }
    }

    private async ValueTask<int> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await _stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
