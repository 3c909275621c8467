using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LiteLlm.Gateway.Metrics;

/// <summary>
/// A small, bounded, lock-free map from a measurement's tags (as given: keys, values and order) to the point the
/// exporter found for them, so that a tag set seen before costs a hash of a few characters per tag and an equality
/// check instead of formatting the Prometheus label text. The same request after request (key, team, user, model)
/// repeats the same tag values, mostly even the same string instances.
/// </summary>
/// <remarks>
/// A miss is not an error: the caller formats the labels as before and offers the point back with <see cref="Add"/>.
/// Two tag sets that format to the same labels (other order, equal strings) are two entries for the same point.
/// Only values whose equality implies the same label text are cached (strings, null, bool, int, long, and doubles
/// compared bit by bit: 0.0 equals -0.0 but prints "-0"); any other value goes the slow way every time.
/// </remarks>
/// <typeparam name="TPoint">What a tag set maps to.</typeparam>
internal sealed class LabelSetCache<TPoint>
    where TPoint : class
{
    /// <summary>Slots (a power of two); each holds one immutable entry, replaced whole, so readers never lock.</summary>
    internal const int Capacity = 256;

    // A series with more label sets than slots replaces an entry on one miss in 64 only: enough to follow a working
    // set that moves, without allocating a new entry for every measurement of a high-cardinality series. The victim is
    // an entry not hit since the last such decision (a second chance), so that hot label sets stay while others churn.
    private const int ReplaceEvery = 64;

    private readonly Entry?[] _slots = new Entry?[Capacity];
    private int _misses;

    /// <summary>Finds the point cached for these tags.</summary>
    /// <param name="tags">The measurement's tags.</param>
    /// <param name="hash">The tags' hash, for <see cref="Add"/>; 0 when the tags cannot be cached.</param>
    /// <returns>The point, or null (not cached, or not cacheable).</returns>
    public TPoint? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags, out int hash)
    {
        if (!TryHash(tags, out hash))
        {
            return null;
        }

        var slot = hash & (Capacity - 1);
        if (Volatile.Read(ref _slots[slot]) is { } first && first.Hash == hash && first.Matches(tags))
        {
            return first.Hit();
        }

        return Volatile.Read(ref _slots[slot ^ 1]) is { } second && second.Hash == hash && second.Matches(tags) ? second.Hit() : null;
    }

    /// <summary>Caches the point found for tags that <see cref="Find"/> missed (with the hash it gave).</summary>
    /// <param name="tags">The measurement's tags.</param>
    /// <param name="hash">The hash <see cref="Find"/> gave.</param>
    /// <param name="point">The point these tags record into.</param>
    public void Add(ReadOnlySpan<KeyValuePair<string, object?>> tags, int hash, TPoint point)
    {
        if (hash == 0)
        {
            return;
        }

        var slot = hash & (Capacity - 1);
        if (Volatile.Read(ref _slots[slot]) is { } first)
        {
            slot ^= 1;
            if (Volatile.Read(ref _slots[slot]) is { } second)
            {
                // Both slots taken. Races here (a lost increment, a flag cleared twice) only shift which miss replaces
                // which entry: no lock needed.
                if (++_misses % ReplaceEvery != 0)
                {
                    return;
                }

                if (first.Used == 0)
                {
                    slot ^= 1;
                }
                else if (second.Used != 0)
                {
                    first.Used = 0;
                    second.Used = 0;
                    return;
                }
            }
        }

        Volatile.Write(ref _slots[slot], new Entry(hash, tags.ToArray(), point));
    }

    /// <summary>
    /// Hashes the values only (the keys of one call site are the same every time) and of a string only its length and
    /// first and last four characters (where ids and hashes differ): cheap, and a collision only costs a miss.
    /// </summary>
    private static bool TryHash(ReadOnlySpan<KeyValuePair<string, object?>> tags, out int hash)
    {
        var h = (ulong)tags.Length;
        foreach (var tag in tags)
        {
            switch (tag.Value)
            {
                case string text:
                    h = Mix(h, Sample(text));
                    break;
                case null:
                    h = Mix(h, 1);
                    break;
                case bool flag:
                    h = Mix(h, flag ? 2UL : 3UL);
                    break;
                case int number:
                    h = Mix(h, (ulong)number);
                    break;
                case long number:
                    h = Mix(h, (ulong)number);
                    break;
                case double number:
                    h = Mix(h, (ulong)BitConverter.DoubleToInt64Bits(number));
                    break;
                default:
                    hash = 0;
                    return false;
            }
        }

        hash = (int)(h ^ (h >> 32));
        hash = hash == 0 ? 1 : hash; // 0 means "not cacheable"
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong h, ulong value) => BitOperations.RotateLeft((h ^ value) * 0x9E3779B97F4A7C15UL, 29);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Sample(string text)
    {
        var chars = text.AsSpan();
        if (chars.Length < 4)
        {
            var small = (ulong)chars.Length;
            foreach (var c in chars)
            {
                small = (small << 16) | c;
            }

            return small;
        }

        var bytes = MemoryMarshal.AsBytes(chars);
        return (MemoryMarshal.Read<ulong>(bytes) + (ulong)chars.Length) ^ BitOperations.RotateLeft(MemoryMarshal.Read<ulong>(bytes[^8..]), 23);
    }

    private sealed class Entry(int hash, KeyValuePair<string, object?>[] tags, TPoint point)
    {
        public int Hash { get; } = hash;

        public TPoint Point { get; } = point;

#pragma warning disable SA1401, CA1051 // a flag read and written without locks: 1 when hit since the last replacement decision
        public int Used;
#pragma warning restore SA1401, CA1051

        public TPoint Hit()
        {
            // Written only when clear: a hot entry's cache line is not written by every measurement.
            if (Used == 0)
            {
                Used = 1;
            }

            return Point;
        }

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> other)
        {
            if (other.Length != tags.Length)
            {
                return false;
            }

            for (var i = 0; i < tags.Length; i++)
            {
                // string's == compares references first: the usual case (the same instances request after request) is one compare.
                if (tags[i].Key != other[i].Key || !SameValue(tags[i].Value, other[i].Value))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool SameValue(object? cached, object? value) => cached switch
        {
            string text => value is string other && text == other,
            null => value is null,
            bool flag => value is bool other && flag == other,
            int number => value is int other && number == other,
            long number => value is long other && number == other,
            double number => value is double other && BitConverter.DoubleToInt64Bits(number) == BitConverter.DoubleToInt64Bits(other),
            _ => false,
        };
    }
}
