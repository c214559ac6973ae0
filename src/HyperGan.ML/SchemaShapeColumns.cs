using Microsoft.ML;
using Microsoft.ML.Data;

namespace HyperGan.ML;

/// <summary>Builds <see cref="SchemaShape.Column"/> values (through <see cref="MlNetInternals.NewColumn"/>: the constructor is internal).</summary>
internal static class SchemaShapeColumns
{
    /// <summary>The shape of a full schema (what ML.NET's internal SchemaShape.Create does).</summary>
    public static SchemaShape FromSchema(DataViewSchema schema) => new(schema.Where(c => !c.IsHidden).Select(c =>
        Create(c.Name, c.Type, c.Annotations.Schema.Count == 0 ? null
            : new SchemaShape(c.Annotations.Schema.Select(a => Create(a.Name, a.Type)).ToArray()))).ToArray());

    static SchemaShape.Column Create(string name, DataViewType type, SchemaShape? annotations = null)
    {
        var kind = type is VectorDataViewType v ? (v.IsKnownSize ? SchemaShape.Column.VectorKind.Vector
            : SchemaShape.Column.VectorKind.VariableVector) : SchemaShape.Column.VectorKind.Scalar;
        var item = type is VectorDataViewType vt ? vt.ItemType : type;
        bool isKey = item is KeyDataViewType;
        if (isKey) item = item.RawType == typeof(uint) ? NumberDataViewType.UInt32 : item.RawType == typeof(ulong) ? NumberDataViewType.UInt64
            : item.RawType == typeof(ushort) ? NumberDataViewType.UInt16 : NumberDataViewType.Byte;
        return Create(name, kind, item, isKey, annotations);
    }

    public static SchemaShape.Column Create(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey,
        SchemaShape? annotations = null) =>
        MlNetInternals.NewColumn(name, kind, itemType, isKey, annotations);
}
