using System.Text;
using LiteLlm.Providers.Bedrock;

namespace LiteLlm.Tests.Providers.Bedrock;

/// <summary>Frames from TestData/eventstream.json: good ones decode as botocore decodes them, damaged ones fail clearly.</summary>
public class EventStreamReaderTests
{
    [Fact]
    public void Crc32_IsIeee()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
        Assert.Equal(Crc32.Compute("123456789"u8), Crc32.Compute("6789"u8, Crc32.Compute("12345"u8)));
    }

    [Fact]
    public async Task AllHeaderTypes_Decode()
    {
        var reader = Reader("allHeaderTypes");
        var message = await reader.ReadAsync(TestContext.Current.CancellationToken);

        Assert.NotNull(message);
        var h = message.Headers;
        Assert.Equal(true, h["true"]);
        Assert.Equal(false, h["false"]);
        Assert.Equal((sbyte)-7, h["byte"]);
        Assert.Equal((short)-1234, h["short"]);
        Assert.Equal(123456789, h["int"]);
        Assert.Equal(-1234567890123L, h["long"]);
        Assert.Equal(new byte[] { 0x00, 0x01, 0xFE, 0xFF }, (byte[])h["bytes"]);
        Assert.Equal("h\u00e9llo", h["string"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1735787045000), h["timestamp"]);
        Assert.Equal(Guid.Parse("01020304-0506-0708-090a-0b0c0d0e0f10"), h["uuid"]);
        Assert.Equal("{\"ok\":true}", Encoding.UTF8.GetString(message.Payload.Span));
        Assert.Null(await reader.ReadAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task EmptyFrame_Decodes()
    {
        var message = await Reader("emptyFrame").ReadAsync(TestContext.Current.CancellationToken);

        Assert.NotNull(message);
        Assert.Empty(message.Headers);
        Assert.Equal(0, message.Payload.Length);
    }

    [Fact]
    public async Task BedrockStream_DecodesEveryEvent_EvenOneByteAtATime()
    {
        var reader = new EventStreamReader(new TrickleStream(BedrockTestData.Stream("textStream")));
        var types = new List<string?>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken) is { } message)
        {
            Assert.Equal("event", message.MessageType);
            Assert.Equal("application/json", message.StringHeader(":content-type"));
            types.Add(message.StringHeader(":event-type"));
        }

        Assert.Equal(["messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"], types);
    }

    [Theory]
    [InlineData("badPreludeCrc", "prelude checksum")]
    [InlineData("badMessageCrc", "message checksum")]
    [InlineData("badPayloadByte", "message checksum")]
    public async Task DamagedFrame_FailsWithAChecksumError(string name, string expected)
    {
        var error = await Assert.ThrowsAsync<EventStreamFormatException>(async () => await Reader(name).ReadAsync(TestContext.Current.CancellationToken));
        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("truncatedFrame")]
    [InlineData("truncatedPrelude")]
    public async Task TruncatedFrame_FailsAfterTheGoodOne(string name)
    {
        var reader = Reader(name);
        Assert.NotNull(await reader.ReadAsync(TestContext.Current.CancellationToken));

        var error = await Assert.ThrowsAsync<EventStreamFormatException>(async () => await reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Contains("ended inside", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImpossibleLengths_FailWithoutAllocating()
    {
        // total_length 0xFFFFFFF0 with a valid prelude CRC: refused before any read or allocation.
        var prelude = new byte[12];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(prelude, 0xFFFFFFF0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(8), Crc32.Compute(prelude.AsSpan(0, 8)));

        var error = await Assert.ThrowsAsync<EventStreamFormatException>(async () => await new EventStreamReader(new MemoryStream(prelude)).ReadAsync(TestContext.Current.CancellationToken));
        Assert.Contains("exceeds", error.Message, StringComparison.Ordinal);
    }

    private static EventStreamReader Reader(string name) => new(new MemoryStream(BedrockTestData.Stream(name)));

    /// <summary>Hands out one byte per read, as a slow network might.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
