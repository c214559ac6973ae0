using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace HyperGan.ML;

/// <summary>
/// The training label's key values (e.g. the original class names MapValueToKey saw), kept as text plus their
/// ML.NET item type so they survive a save/load and rebuild the same KeyValues annotation on PredictedLabel.
/// </summary>
internal sealed record LabelKeyValues(string ItemType, string[] Values)
{
    static readonly Dictionary<string, (PrimitiveDataViewType Type, Func<string, object> Parse)> Types = new()
    {
        ["Text"] = (TextDataViewType.Instance, s => s.AsMemory()),
        ["Single"] = (NumberDataViewType.Single, s => float.Parse(s, CultureInfo.InvariantCulture)),
        ["Double"] = (NumberDataViewType.Double, s => double.Parse(s, CultureInfo.InvariantCulture)),
        ["SByte"] = (NumberDataViewType.SByte, s => sbyte.Parse(s, CultureInfo.InvariantCulture)),
        ["Int16"] = (NumberDataViewType.Int16, s => short.Parse(s, CultureInfo.InvariantCulture)),
        ["Int32"] = (NumberDataViewType.Int32, s => int.Parse(s, CultureInfo.InvariantCulture)),
        ["Int64"] = (NumberDataViewType.Int64, s => long.Parse(s, CultureInfo.InvariantCulture)),
        ["Byte"] = (NumberDataViewType.Byte, s => byte.Parse(s, CultureInfo.InvariantCulture)),
        ["UInt16"] = (NumberDataViewType.UInt16, s => ushort.Parse(s, CultureInfo.InvariantCulture)),
        ["UInt32"] = (NumberDataViewType.UInt32, s => uint.Parse(s, CultureInfo.InvariantCulture)),
        ["UInt64"] = (NumberDataViewType.UInt64, s => ulong.Parse(s, CultureInfo.InvariantCulture)),
        ["Boolean"] = (BooleanDataViewType.Instance, s => bool.Parse(s)),
    };

    /// <summary>The key values of <paramref name="label"/>, or null when it is not a key with a KeyValues annotation.</summary>
    /// <exception cref="NotSupportedException">The key values have a type that cannot be stored (e.g. a custom type).</exception>
    public static LabelKeyValues? Of(DataViewSchema.Column label)
    {
        if (label.Type is not KeyDataViewType || label.Annotations.Schema.GetColumnOrNull("KeyValues") is not { } kv) return null;
        if (kv.Type is not VectorDataViewType { ItemType: PrimitiveDataViewType item }
            || Types.Keys.FirstOrDefault(k => Types[k].Type.Equals(item)) is not { } name)
            throw new NotSupportedException($"Label column '{label.Name}' has key values of type {kv.Type}; HyperGanEnsemble supports text, " +
                $"number or boolean key values. Map the label with MapValueToKey on such a column.");
        var read = typeof(LabelKeyValues).GetMethod(nameof(Read), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(item.RawType);
        return new LabelKeyValues(name, (string[])read.Invoke(null, [label.Annotations])!);
    }

    static string[] Read<T>(DataViewSchema.Annotations annotations)
    {
        VBuffer<T> values = default;
        annotations.GetValue("KeyValues", ref values);
        return values.DenseValues().Select(v => v switch
        {
            ReadOnlyMemory<char> m => m.ToString(),
            IFormattable f => f.ToString(v is float or double ? "R" : null, CultureInfo.InvariantCulture),
            _ => v?.ToString() ?? "",
        }).ToArray();
    }

    /// <summary>Number of key values (the classes).</summary>
    public int Count => Values.Length;

    /// <summary>Whether these values, read back from a file, have a known type and each parse as it.</summary>
    public bool IsReadable()
    {
        if (ItemType is null || Values is null || !Types.TryGetValue(ItemType, out var type)) return false;
        try { foreach (var v in Values) type.Parse(v ?? throw new FormatException()); }
        catch (Exception e) when (e is FormatException or OverflowException) { return false; }
        return true;
    }

    /// <summary>Adds the KeyValues annotation (for PredictedLabel).</summary>
    public void AddKeyValuesTo(DataViewSchema.Annotations.Builder builder)
    {
        var add = typeof(LabelKeyValues)
            .GetMethod(nameof(AddTyped), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .MakeGenericMethod(Types[ItemType].Type.RawType);
        add.Invoke(this, [builder]);
    }

    void AddTyped<T>(DataViewSchema.Annotations.Builder builder)
    {
        var values = Values.Select(v => (T)Types[ItemType].Parse(v)).ToArray();
        builder.Add("KeyValues", new VectorDataViewType(Types[ItemType].Type, values.Length),
            (ref VBuffer<T> value) => value = new VBuffer<T>(values.Length, (T[])values.Clone()));
    }

    /// <summary>Adds the SlotNames annotation (for Score): the key values as text.</summary>
    public void AddSlotNamesTo(DataViewSchema.Annotations.Builder builder) =>
        builder.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, Values.Length), (ref VBuffer<ReadOnlyMemory<char>> value) =>
            value = new VBuffer<ReadOnlyMemory<char>>(Values.Length, Values.Select(n => n.AsMemory()).ToArray()));
}
