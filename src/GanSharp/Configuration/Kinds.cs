using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace GanSharp.Configuration;

/// <summary>
/// The kinds of a JSON-discriminated configuration record (<see cref="ModelConfig"/>, <see cref="LossConfig"/>,
/// <see cref="GameConfig"/>), read from its <see cref="JsonDerivedTypeAttribute"/>s: the one list that JSON, the
/// command line and the messages share, so a new kind is named in one place.
/// </summary>
internal static class Kinds
{
    /// <summary>Every kind of <typeparamref name="TBase"/>: its name in JSON and its record type, in declaration order.</summary>
    public static IReadOnlyList<(string Name, Type Type)> Of<TBase>() => Of(typeof(TBase));

    /// <summary>Every kind of <paramref name="baseType"/>.</summary>
    public static IReadOnlyList<(string Name, Type Type)> Of(Type baseType) =>
        baseType.GetCustomAttributes<JsonDerivedTypeAttribute>(inherit: false)
            .Select(a => ((string)a.TypeDiscriminator!, a.DerivedType)).ToList();

    /// <summary>The kind name of <paramref name="config"/>, as written in JSON.</summary>
    public static string NameOf<TBase>(TBase config) where TBase : notnull =>
        Of<TBase>().FirstOrDefault(k => k.Type == config.GetType()).Name
        ?? throw new ArgumentException($"{config.GetType().Name} is not a declared kind of {typeof(TBase).Name}");

    /// <summary>A new record of the kind called <paramref name="name"/>, with its defaults.</summary>
    /// <exception cref="InputException">No such kind.</exception>
    public static TBase Create<TBase>(string name, string what)
    {
        var kind = Of<TBase>().FirstOrDefault(k => k.Name == name);
        if (kind.Type is null) throw Unknown(typeof(TBase), name, what);
        return (TBase)Activator.CreateInstance(kind.Type)!;
    }

    /// <summary>Refuses an object whose <c>"kind"</c> is missing or unknown, in one line naming the known kinds.</summary>
    internal static void Check(Type baseType, JsonObject node, string where)
    {
        if (node["kind"] is not JsonValue value || !value.TryGetValue<string>(out var name))
            throw new InputException($"{where}: needs a \"kind\" (one of {string.Join(", ", Of(baseType).Select(k => k.Name))})");
        if (!Of(baseType).Any(k => k.Name == name)) throw Unknown(baseType, name, where);
    }

    static InputException Unknown(Type baseType, string name, string where) =>
        new($"{where}: unknown kind '{Text.Short(name)}' (known: {string.Join(", ", Of(baseType).Select(k => k.Name))})");
}
