using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace HyperGan.ML;

/// <summary>
/// Every member of ML.NET this library reaches by reflection, in one place. ML.NET keeps them internal to its own
/// components: the catalog's environment (the MLContext's seed, log and GPU settings), <see cref="SchemaShape.Column"/>'s
/// constructor (a third-party estimator cannot describe its output schema otherwise) and the environment's
/// GpuDeviceId / FallbackToCpu. A member that a future Microsoft.ML renames fails here, loudly, naming the version —
/// never a silent seed of 0 or an ignored GPU setting.
/// </summary>
internal static class MlNetInternals
{
    const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    static readonly FieldInfo? CatalogEnvironment = typeof(TransformsCatalog).GetField("_env", Instance);
    static readonly ConstructorInfo? ColumnConstructor = typeof(SchemaShape.Column).GetConstructor(Instance, null,
        [typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape)], null);

    /// <summary>The Microsoft.ML version loaded, for messages.</summary>
    public static string Version => // the package version (the assembly version stays 1.0.0.0 across releases)
        typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    /// <summary>The environment behind <c>mlContext.Transforms</c> (carries the seed, the log and the GPU settings).</summary>
    public static IHostEnvironment EnvironmentOf(TransformsCatalog catalog) =>
        CatalogEnvironment?.GetValue(catalog) as IHostEnvironment ?? throw Missing("TransformsCatalog._env");

    /// <summary>A <see cref="SchemaShape.Column"/> (its constructor is internal).</summary>
    public static SchemaShape.Column NewColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey,
        SchemaShape? annotations) =>
        (SchemaShape.Column)(ColumnConstructor ?? throw Missing("SchemaShape.Column(name, vectorKind, itemType, isKey, annotations)"))
            .Invoke([name, kind, itemType, isKey, annotations ?? new SchemaShape([])]);

    /// <summary>MLContext.GpuDeviceId and FallbackToCpu as stored on its environment.</summary>
    public static (int? GpuDeviceId, bool FallbackToCpu) DeviceSettings(IHostEnvironment env)
    {
        var gpu = Property(env.GetType(), "GpuDeviceId") ?? throw Missing($"{env.GetType().Name}.GpuDeviceId");
        var fallback = Property(env.GetType(), "FallbackToCpu") ?? throw Missing($"{env.GetType().Name}.FallbackToCpu");
        return ((int?)gpu.GetValue(env), fallback.GetValue(env) as bool? ?? false);
    }

    /// <summary>Resolves every member above against an <see cref="MLContext"/> (a test calls it).</summary>
    public static void CheckAll()
    {
        var env = EnvironmentOf(new MLContext(seed: 1).Transforms);
        NewColumn("check", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, null);
        DeviceSettings(env);
    }

    // The property declared on the type or a base type, also as an explicit interface implementation.
    static PropertyInfo? Property(Type type, string name)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.GetProperties(Instance).FirstOrDefault(p => p.Name == name
                || p.Name.EndsWith("." + name, StringComparison.Ordinal)) is { } property) return property;
        return null;
    }

    static NotSupportedException Missing(string member) => new(
        $"Microsoft.ML {Version} no longer has {member}, which HyperGan.ML reaches by reflection (ML.NET keeps it internal). " +
        "HyperGan.ML supports Microsoft.ML 5.0; use that version or a HyperGan.ML release built for yours.");
}
