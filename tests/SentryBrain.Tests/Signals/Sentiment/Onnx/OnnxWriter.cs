using System.Buffers.Binary;
using System.Text;

namespace SentryBrain.Tests.Signals.Sentiment.Onnx;

/// <summary>
/// A minimal protobuf writer for the ONNX messages a small inference graph needs (ModelProto, GraphProto, NodeProto,
/// AttributeProto, TensorProto, ValueInfoProto), field numbers from onnx/onnx.proto. There is no Python onnx/torch
/// on the build machines, so the test models are written here byte by byte.
/// </summary>
internal sealed class OnnxGraph
{
    public const int Float = 1;
    public const int Int32 = 6;
    public const int Int64 = 7;

    private readonly List<byte[]> _nodes = [];
    private readonly List<byte[]> _initializers = [];
    private readonly List<byte[]> _inputs = [];
    private readonly List<byte[]> _outputs = [];
    private int _nodeCount;

    /// <summary>Adds a node with one output named <paramref name="output"/>; attribute values: int, long, float or long[].</summary>
    public string Node(string opType, string[] inputs, string output, params (string Name, object Value)[] attributes)
    {
        var node = new Proto();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output).String(3, $"n{_nodeCount++}_{opType}").String(4, opType);
        foreach (var (name, value) in attributes)
        {
            var attr = new Proto().String(1, name);
            switch (value)
            {
                case float f:
                    attr.Fixed32(2, f).Varint(20, 1);
                    break;
                case int or long:
                    attr.Varint(3, Convert.ToInt64(value)).Varint(20, 2);
                    break;
                case long[] ints:
                    foreach (var i in ints)
                    {
                        attr.Varint(8, i);
                    }

                    attr.Varint(20, 7);
                    break;
                default:
                    throw new ArgumentException($"attribute {name}: {value.GetType().Name} is not supported");
            }

            node.Message(5, attr);
        }

        _nodes.Add(node.ToArray());
        return output;
    }

    public string Initializer(string name, float[] data, params long[] dims)
    {
        var raw = new byte[data.Length * 4];
        for (var i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), data[i]);
        }

        return Tensor(name, Float, raw, dims);
    }

    public string Initializer(string name, long[] data, params long[] dims)
    {
        var raw = new byte[data.Length * 8];
        for (var i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * 8), data[i]);
        }

        return Tensor(name, Int64, raw, dims);
    }

    private string Tensor(string name, int dataType, byte[] raw, long[] dims)
    {
        var tensor = new Proto();
        foreach (var d in dims)
        {
            tensor.Varint(1, d);
        }

        tensor.Varint(2, dataType).String(8, name).Bytes(9, raw);
        _initializers.Add(tensor.ToArray());
        return name;
    }

    /// <summary>A graph input; a dimension is a long (fixed) or a string (symbolic, e.g. "batch").</summary>
    public void Input(string name, int elemType, params object[] dims) => _inputs.Add(ValueInfo(name, elemType, dims));

    public void Output(string name, int elemType, params object[] dims) => _outputs.Add(ValueInfo(name, elemType, dims));

    private static byte[] ValueInfo(string name, int elemType, object[] dims)
    {
        var shape = new Proto();
        foreach (var d in dims)
        {
            shape.Message(1, d is string param ? new Proto().String(2, param) : new Proto().Varint(1, Convert.ToInt64(d)));
        }

        var tensorType = new Proto().Varint(1, elemType).Message(2, shape);
        return new Proto().String(1, name).Message(2, new Proto().Message(1, tensorType)).ToArray();
    }

    /// <summary>The serialised ModelProto (IR version 8, default-domain opset <paramref name="opset"/>).</summary>
    public byte[] ToModel(int opset = 17)
    {
        var graph = new Proto();
        foreach (var n in _nodes)
        {
            graph.Bytes(1, n);
        }

        graph.String(2, "tiny_bert");
        foreach (var i in _initializers)
        {
            graph.Bytes(5, i);
        }

        foreach (var i in _inputs)
        {
            graph.Bytes(11, i);
        }

        foreach (var o in _outputs)
        {
            graph.Bytes(12, o);
        }

        return new Proto()
            .Varint(1, 8)
            .String(2, "SentryBrain.Tests")
            .Message(7, graph)
            .Message(8, new Proto().String(1, string.Empty).Varint(2, opset))
            .ToArray();
    }

    /// <summary>Protobuf wire format: varint (0), fixed32 (5) and length-delimited (2) fields.</summary>
    private sealed class Proto
    {
        private readonly List<byte> _bytes = [];

        public Proto Varint(int field, long value)
        {
            Raw((ulong)field << 3);
            Raw((ulong)value);
            return this;
        }

        public Proto Fixed32(int field, float value)
        {
            Raw(((ulong)field << 3) | 5);
            var b = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(b, value);
            _bytes.AddRange(b);
            return this;
        }

        public Proto Bytes(int field, ReadOnlySpan<byte> value)
        {
            Raw(((ulong)field << 3) | 2);
            Raw((ulong)value.Length);
            _bytes.AddRange(value);
            return this;
        }

        public Proto String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Proto Message(int field, Proto message) => Bytes(field, message.ToArray());

        public byte[] ToArray() => _bytes.ToArray();

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.Add((byte)(value | 0x80));
                value >>= 7;
            }

            _bytes.Add((byte)value);
        }
    }
}
