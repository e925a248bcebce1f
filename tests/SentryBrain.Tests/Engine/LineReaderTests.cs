using System.Text;
using SentryBrain.Engine;

namespace SentryBrain.Tests.Engine;

public sealed class LineReaderTests
{
    private sealed record Item(LineResult Result, string Text, long Number);

    private static List<Item> ReadAll(Stream stream, int maxLineBytes = LineReader.DefaultMaxLineBytes)
    {
        var reader = new LineReader(stream, maxLineBytes);
        var items = new List<Item>();
        while (true)
        {
            var result = reader.Next(out var line);
            if (result == LineResult.End)
            {
                return items;
            }

            items.Add(new Item(result, Encoding.UTF8.GetString(line), reader.LineNumber));
        }
    }

    private static List<Item> ReadAll(byte[] bytes, int maxLineBytes = LineReader.DefaultMaxLineBytes)
        => ReadAll(new MemoryStream(bytes), maxLineBytes);

    private static List<Item> ReadAll(string text, int maxLineBytes = LineReader.DefaultMaxLineBytes)
        => ReadAll(Encoding.UTF8.GetBytes(text), maxLineBytes);

    private static Item L(string text, long number) => new(LineResult.Line, text, number);

    private static Item TooLong(long number) => new(LineResult.TooLong, string.Empty, number);

    [Fact]
    public void SplitsOnNewline_NumberingFromOne()
    {
        Assert.Equal([L("a", 1), L("bb", 2), L("ccc", 3)], ReadAll("a\nbb\nccc\n"));
    }

    [Fact]
    public void LastLineWithoutNewline_IsStillALine()
    {
        Assert.Equal([L("a", 1), L("last", 2)], ReadAll("a\nlast"));
    }

    [Fact]
    public void CrLf_IsStrippedOfItsCarriageReturn()
    {
        Assert.Equal([L("a", 1), L("b", 2), L("c", 3)], ReadAll("a\r\nb\r\nc\r\n"));
    }

    [Fact]
    public void CarriageReturnInsideALine_IsKept()
    {
        Assert.Equal([L("a\rb", 1)], ReadAll("a\rb\n"));
    }

    [Fact]
    public void EmptyLines_AreReturnedAndCounted()
    {
        Assert.Equal([L("a", 1), L(string.Empty, 2), L(string.Empty, 3), L("b", 4)], ReadAll("a\n\n\r\nb\n"));
    }

    [Fact]
    public void EmptyInput_IsEndImmediately()
    {
        Assert.Empty(ReadAll(string.Empty));
    }

    [Fact]
    public void ByteOrderMark_IsStrippedFromTheFirstLineOnly()
    {
        byte[] bom = [0xEF, 0xBB, 0xBF];
        var bytes = bom.Concat("{\"a\":1}\n"u8.ToArray()).Concat(bom).Concat("x\n"u8.ToArray()).ToArray();

        var items = ReadAll(bytes);

        Assert.Equal(L("{\"a\":1}", 1), items[0]);
        // a BOM in the middle of a stream is data, not a marker
        Assert.Equal(L("\uFEFFx", 2), items[1]);
    }

    [Fact]
    public void TwoMiBLine_IsTooLong_AndNumberingContinuesAfterIt()
    {
        var text = "first\n" + new string('x', 2 * 1024 * 1024) + "\nthird\nfourth";

        Assert.Equal([L("first", 1), TooLong(2), L("third", 3), L("fourth", 4)], ReadAll(text));
    }

    [Fact]
    public void TooLongLastLineWithoutNewline_IsReportedOnce()
    {
        var text = "first\n" + new string('x', (2 * 1024 * 1024) + 17);

        Assert.Equal([L("first", 1), TooLong(2)], ReadAll(text));
    }

    [Fact]
    public void SeveralTooLongLinesInARow_AreEachReported()
    {
        var big = new string('y', (1024 * 1024) + 1);
        var text = big + "\n" + big + "\nok\n";

        Assert.Equal([TooLong(1), TooLong(2), L("ok", 3)], ReadAll(text));
    }

    [Theory]
    [InlineData(10, LineResult.Line)]     // exactly the limit fits
    [InlineData(11, LineResult.TooLong)]  // one byte more does not
    public void LineLengthLimit_IsInclusive(int length, LineResult expected)
    {
        var text = new string('z', length) + "\nnext\n";

        var items = ReadAll(text, maxLineBytes: 10);

        Assert.Equal(expected, items[0].Result);
        Assert.Equal(L("next", 2), items[1]);
    }

    [Fact]
    public void OneBytePerRead_GivesTheSameLines()
    {
        byte[] bom = [0xEF, 0xBB, 0xBF];
        var bytes = bom.Concat(Encoding.UTF8.GetBytes("ab\r\ncd\n\n{\"k\":\"é\"}\nlast")).ToArray();

        var items = ReadAll(new OneBytePerReadStream(bytes));

        Assert.Equal([L("ab", 1), L("cd", 2), L(string.Empty, 3), L("{\"k\":\"é\"}", 4), L("last", 5)], items);
    }

    [Fact]
    public void OneBytePerRead_TooLongLine_IsSkippedAndReadingContinues()
    {
        var bytes = Encoding.UTF8.GetBytes("ok\n" + new string('q', 100) + "\nafter\n");

        var items = ReadAll(new OneBytePerReadStream(bytes), maxLineBytes: 16);

        Assert.Equal([L("ok", 1), TooLong(2), L("after", 3)], items);
    }

    [Fact]
    public void ManyLinesAcrossBufferBoundaries_AreAllReturnedIntact()
    {
        // 200 000 lines of varying length (≈ 2.6 MB) cross the 1 MiB + 64 KiB buffer several times
        var sb = new StringBuilder();
        for (var i = 0; i < 200_000; i++)
        {
            sb.Append(i).Append(':').Append('w', i % 7).Append('\n');
        }

        var items = ReadAll(sb.ToString());

        Assert.Equal(200_000, items.Count);
        for (var i = 0; i < items.Count; i += 9_973)
        {
            Assert.Equal(L($"{i}:{new string('w', i % 7)}", i + 1), items[i]);
        }

        Assert.Equal(L($"199999:{new string('w', 199_999 % 7)}", 200_000), items[^1]);
    }

    [Fact]
    public void BeforeRead_IsCalledBeforeEachReadOfTheStream()
    {
        var stream = new OneBytePerReadStream("ab\n"u8.ToArray());
        var reader = new LineReader(stream);
        var calls = 0;
        reader.BeforeRead = () => calls++;

        while (reader.Next(out _) != LineResult.End)
        {
        }

        // one callback per read; 3 data bytes and the end of the stream take at least 4 reads
        Assert.Equal(stream.Reads, calls);
        Assert.True(calls >= 4, $"{calls} reads");
    }

    /// <summary>Delivers at most one byte per Read, as a slow pipe might.</summary>
    private sealed class OneBytePerReadStream(byte[] data) : Stream
    {
        private int _position;

        public int Reads { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            Reads++;
            if (_position >= data.Length || buffer.Length == 0)
            {
                return 0;
            }

            buffer[0] = data[_position++];
            return 1;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
