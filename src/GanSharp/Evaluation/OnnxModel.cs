using System.Runtime.InteropServices;
using System.Text;

namespace GanSharp.Evaluation;

/// <summary>
/// The parts of an ONNX model (onnx.proto, IR version 3 and later) that running a feed-forward net needs: its graph's
/// nodes in order (operator, inputs, outputs, attributes), its weights (initializers, float32; int64 ones, the shape
/// arithmetic of an exported transformer, are left out), and the names of its
/// inputs and outputs — read straight from the protobuf wire format, with no protobuf library and no generated code.
/// Field numbers (onnx.proto): ModelProto.graph 7; GraphProto node 1, initializer 5, input 11, output 12; NodeProto
/// input 1, output 2, name 3, op_type 4, attribute 5; AttributeProto name 1, f 2, i 3, s 4, floats 7, ints 8;
/// TensorProto dims 1, data_type 2, float_data 4, name 8, raw_data 9; ValueInfoProto name 1.
/// </summary>
public sealed class OnnxModel
{
    /// <summary>One operator of the graph.</summary>
    public sealed record Node(string Op, string Name, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyDictionary<string, Attribute> Attributes);

    /// <summary>An attribute's value: a number, numbers, or text.</summary>
    public sealed record Attribute(double? Float = null, long? Int = null, IReadOnlyList<long>? Ints = null, IReadOnlyList<float>? Floats = null, string? Text = null);

    /// <summary>A float32 weight: its shape and values (row-major).</summary>
    public sealed record Weight(long[] Shape, float[] Values);

    /// <summary>The nodes, in the graph's (topological) order.</summary>
    public IReadOnlyList<Node> Nodes { get; }
    /// <summary>The weights by name.</summary>
    public IReadOnlyDictionary<string, Weight> Weights { get; }
    /// <summary>The graph's inputs that are not weights (what a caller feeds).</summary>
    public IReadOnlyList<string> Inputs { get; }
    /// <summary>The graph's outputs.</summary>
    public IReadOnlyList<string> Outputs { get; }

    OnnxModel(List<Node> nodes, Dictionary<string, Weight> weights, List<string> inputs, List<string> outputs) =>
        (Nodes, Weights, Inputs, Outputs) = (nodes, weights, [.. inputs.Where(i => !weights.ContainsKey(i))], outputs);

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="InputException">Not an ONNX model of float32 weights this reader understands.</exception>
    public static OnnxModel Read(string path) => Read(File.ReadAllBytes(path), path);

    /// <summary>Reads the model in <paramref name="bytes"/>; <paramref name="where"/> names it in messages.</summary>
    /// <exception cref="InputException">Not an ONNX model of float32 weights this reader understands.</exception>
    public static OnnxModel Read(byte[] bytes, string where)
    {
        var path = where;
        try
        {
            var model = new Reader(bytes);
            while (model.Next() is var (field, wire) && field != 0)
                if (field == 7 && wire == 2) return Graph(model.Bytes());
                else model.Skip(wire);
            throw new InputException($"{path}: no graph in the ONNX model");
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or FormatException or OverflowException)
        {
            throw new InputException($"{path}: not a readable ONNX model ({e.Message})", e);
        }
    }

    static OnnxModel Graph(Reader graph)
    {
        List<Node> nodes = [];
        Dictionary<string, Weight> weights = [];
        List<string> inputs = [], outputs = [];
        while (graph.Next() is var (field, wire) && field != 0)
            switch (field, wire)
            {
                case (1, 2): nodes.Add(ReadNode(graph.Bytes())); break;
                case (5, 2):
                    var (name, weight) = ReadTensor(graph.Bytes());
                    if (weight is not null) weights[name] = weight;
                    break;
                case (11, 2): inputs.Add(FirstString(graph.Bytes())); break;
                case (12, 2): outputs.Add(FirstString(graph.Bytes())); break;
                default: graph.Skip(wire); break;
            }
        return new OnnxModel(nodes, weights, inputs, outputs);
    }

    static string FirstString(Reader value)
    {
        while (value.Next() is var (field, wire) && field != 0)
            if (field == 1 && wire == 2) return value.Text();
            else value.Skip(wire);
        throw new FormatException("a value without a name");
    }

    static Node ReadNode(Reader node)
    {
        List<string> inputs = [], outputs = [];
        string name = "", op = "";
        Dictionary<string, Attribute> attributes = [];
        while (node.Next() is var (field, wire) && field != 0)
            switch (field, wire)
            {
                case (1, 2): inputs.Add(node.Text()); break;
                case (2, 2): outputs.Add(node.Text()); break;
                case (3, 2): name = node.Text(); break;
                case (4, 2): op = node.Text(); break;
                case (5, 2): var (key, value) = ReadAttribute(node.Bytes()); attributes[key] = value; break;
                default: node.Skip(wire); break;
            }
        return new Node(op, name, inputs, outputs, attributes);
    }

    static (string, Attribute) ReadAttribute(Reader a)
    {
        string name = "";
        var value = new Attribute();
        List<long> ints = [];
        List<float> floats = [];
        while (a.Next() is var (field, wire) && field != 0)
            switch (field, wire)
            {
                case (1, 2): name = a.Text(); break;
                case (2, 5): value = value with { Float = a.Float() }; break;
                case (3, 0): value = value with { Int = a.Varint() }; break;
                case (4, 2): value = value with { Text = a.Text() }; break;
                case (7, 5): floats.Add(a.Float()); break;
                case (7, 2): floats.AddRange(a.Bytes().Floats()); break;
                case (8, 0): ints.Add(a.Varint()); break;
                case (8, 2): for (var packed = a.Bytes(); !packed.Done;) ints.Add(packed.Varint()); break;
                default: a.Skip(wire); break;
            }
        return (name, value with { Ints = ints.Count > 0 ? ints : null, Floats = floats.Count > 0 ? floats : null });
    }

    /// <summary>A float32 initializer; null for an int64 one (shape arithmetic, which the nets here do not interpret).</summary>
    static (string, Weight?) ReadTensor(Reader t)
    {
        List<long> dims = [];
        List<float> values = [];
        string name = "";
        long type = 1;
        while (t.Next() is var (field, wire) && field != 0)
            switch (field, wire)
            {
                case (1, 0): dims.Add(t.Varint()); break;
                case (1, 2): for (var packed = t.Bytes(); !packed.Done;) dims.Add(packed.Varint()); break;
                case (2, 0): type = t.Varint(); break;
                case (4, 5): values.Add(t.Float()); break;
                case (4, 2): values.AddRange(t.Bytes().Floats()); break;
                case (8, 2): name = t.Text(); break;
                case (9, 2): values.AddRange(t.Bytes().Floats()); break;
                default: t.Skip(wire); break;
            }
        if (type == 7) return (name, null);
        if (type != 1) throw new FormatException($"weight '{name}' is of ONNX data type {type}, not float32");
        if (dims.Aggregate(1L, (a, b) => a * b) != values.Count) throw new FormatException($"weight '{name}' has {values.Count} values for shape [{string.Join(", ", dims)}]");
        return (name, new Weight([.. dims], [.. values]));
    }

    /// <summary>A cursor over one protobuf message's bytes.</summary>
    sealed class Reader
    {
        private readonly byte[] buffer;
        private readonly int end;
        private int at;
        public Reader(byte[] buffer, int start, int end) => (this.buffer, at, this.end) = (buffer, start, end);
        public Reader(byte[] buffer) : this(buffer, 0, buffer.Length) { }
        public bool Done => at >= end;

        /// <summary>The next field's number and wire type; (0, 0) at the end.</summary>
        public (int Field, int Wire) Next()
        {
            if (Done) return (0, 0);
            long key = Varint();
            return ((int)(key >> 3), (int)(key & 7));
        }

        public long Varint()
        {
            long value = 0;
            for (int shift = 0; ; shift += 7)
            {
                if (at >= end || shift > 63) throw new FormatException("a varint runs past its message");
                byte b = buffer[at++];
                value |= (long)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
        }

        public Reader Bytes()
        {
            long length = Varint();
            if (length < 0 || length > end - at) throw new FormatException("a field runs past its message");
            var inner = new Reader(buffer, at, at + (int)length);
            at += (int)length;
            return inner;
        }

        public string Text()
        {
            var r = Bytes();
            return Encoding.UTF8.GetString(buffer, r.at, r.end - r.at);
        }

        public float Float()
        {
            if (end - at < 4) throw new FormatException("a float runs past its message");
            float f = BitConverter.ToSingle(buffer, at);
            at += 4;
            return f;
        }

        public float[] Floats()
        {
            if ((end - at) % 4 != 0) throw new FormatException("packed floats of a length not a multiple of 4");
            var values = MemoryMarshal.Cast<byte, float>(buffer.AsSpan(at, end - at)).ToArray();
            at = end;
            return values;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: at += 8; break;
                case 2: Bytes(); break;
                case 5: at += 4; break;
                default: throw new FormatException($"protobuf wire type {wire} is not supported");
            }
            if (at > end) throw new FormatException("a field runs past its message");
        }
    }
}
