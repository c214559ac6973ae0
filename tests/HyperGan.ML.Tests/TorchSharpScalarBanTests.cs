using Mono.Cecil;
using Mono.Cecil.Rocks;
using TorchSharp;
using Xunit;

namespace HyperGan.ML.Tests;

/// <summary>
/// src/BannedSymbols.TorchSharp.txt bans, in the shipped libraries and the experiments, every TorchSharp call that makes
/// a Scalar the GC may free while libtorch reads it (see KeptScalars). The list is only as good as it is complete, so
/// this test derives it from the IL of the TorchSharp in use: a TorchSharp version with new such methods fails here.
/// </summary>
public class TorchSharpScalarBanTests
{
    const string BanFile = "src/BannedSymbols.TorchSharp.txt";

    // Adam.step passes implicit Scalars, but the engine's InPlaceAdam overrides it (and the analyzer would flag every call
    // to the override); TorchSharp's Adam is banned where it is made instead, through torch.optim.Adam.
    const string ReplacedByInPlaceAdam = "M:TorchSharp.Modules.Adam.step(System.Func{TorchSharp.torch.Tensor})";

    /// <summary>The conversions themselves, every public method that makes one (itself or through what it calls), and
    /// the factories of TorchSharp's Adam; nothing more, so a stale entry shows too.</summary>
    [Fact]
    public void Every_public_TorchSharp_method_that_creates_an_implicit_Scalar_is_banned_and_nothing_else()
    {
        using var module = ModuleDefinition.ReadModule(typeof(torch).Assembly.Location);
        var expected = MethodsCreatingImplicitScalars(module)
            .Where(IsPublic)
            .Select(DocCommentId.GetDocCommentId)
            .Where(id => id != ReplacedByInPlaceAdam)
            .Concat(module.GetType("TorchSharp.Scalar").Methods.Where(m => m.Name == "op_Implicit").Select(DocCommentId.GetDocCommentId))
            .Concat(module.GetType("TorchSharp.torch/optim").Methods.Where(m => m.Name == "Adam").Select(DocCommentId.GetDocCommentId))
            .ToHashSet();
        Assert.True(expected.Count > 100, $"only {expected.Count} methods found: the IL scan is broken");
        Assert.Contains("M:TorchSharp.torch.Tensor.op_Addition(TorchSharp.torch.Tensor,TorchSharp.torch.Tensor)", expected); // via add(target, 1)

        var banned = File.ReadAllLines(Path.Combine(TestData.RepoRoot, BanFile))
            .Where(line => line.Length > 0)
            .Select(line => line.Split(';')[0])
            .ToHashSet();
        var missing = expected.Except(banned).Order().ToList();
        var stale = banned.Except(expected).Order().ToList();
        Assert.True(missing.Count == 0, $"{BanFile} misses {missing.Count}:\n" + string.Join("\n", missing));
        Assert.True(stale.Count == 0,
            $"{BanFile} names {stale.Count} that this TorchSharp does not have or that are safe:\n" + string.Join("\n", stale));
    }

    // Methods whose IL calls Scalar's implicit conversion, plus every TorchSharp method that calls one of them.
    static HashSet<MethodDefinition> MethodsCreatingImplicitScalars(ModuleDefinition module)
    {
        var creating = new HashSet<MethodDefinition>();
        var callers = new Dictionary<MethodDefinition, List<MethodDefinition>>();
        foreach (var method in module.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody))
        {
            foreach (var instruction in method.Body.Instructions)
            {
                if (instruction.Operand is not MethodReference reference) continue;
                if (reference.DeclaringType.FullName == "TorchSharp.Scalar" && reference.Name == "op_Implicit")
                    creating.Add(method);
                else if (InModule(reference, module) is { } callee)
                    (callers.TryGetValue(callee, out var list) ? list : callers[callee] = []).Add(method);
            }
        }
        var pending = new Queue<MethodDefinition>(creating);
        while (pending.TryDequeue(out var method))
            foreach (var caller in callers.GetValueOrDefault(method, []))
                if (creating.Add(caller)) pending.Enqueue(caller);
        return creating;
    }

    static MethodDefinition? InModule(MethodReference reference, ModuleDefinition module)
    {
        var element = reference is GenericInstanceMethod generic ? generic.ElementMethod : reference;
        if (element is MethodDefinition definition) return definition;
        return element.DeclaringType.GetElementType().Scope == module ? element.Resolve() : null;
    }

    static bool IsPublic(MethodDefinition method)
    {
        if (!method.IsPublic) return false;
        for (var type = method.DeclaringType; type is not null; type = type.DeclaringType)
            if (!(type.IsPublic || type.IsNestedPublic)) return false;
        return true;
    }
}
