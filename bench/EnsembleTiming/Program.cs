// Times every IEnsembleExecutor on the paper's MNIST target in one run: scoring (M = 100 nets, batch 256 and 1) and a
// training-shaped step (generate 16 nets, run them on 64 images, backward into the generator). Weights come from an untrained HyperGAN (realistic scales).
// Usage: dotnet run -c Release --project bench/EnsembleTiming [-- repeats]
// The per-member loop is the reference; ratios within one run are what count on a shared, noisy machine.
using System.Diagnostics;
using HyperGan.ML.Engine.Ensembles;
using HyperGan.ML.Engine.Model;
using HyperGan.ML.Engine.Native;
using HyperGan.ML.Engine.Targets;
using TorchSharp;
using static TorchSharp.torch;

int repeats = args.Length > 0 ? int.Parse(args[0]) : 5;
TorchBackend.Initialize();
var target = TargetNetworks.MnistCnn();
IEnsembleExecutor[] executors = [EnsembleExecutors.PerMember, new BatchedExecutor(MemberConvolution.Loop), new BatchedExecutor(MemberConvolution.Grouped)];
Console.WriteLine($"{target}; {Environment.ProcessorCount} cores, libtorch threads {get_num_threads()}, {repeats} timed repeats after 1 warm-up, median [min–max]");
Console.WriteLine($"default executor: {EnsembleExecutors.Default.Name}");
Console.WriteLine("| case | executor | median ms | min–max ms | GFLOP/s | speed-up vs per-member |");
Console.WriteLine("|---|---|---|---|---|---|");

random.manual_seed(0);
using var model = new HyperGanModel(target, new HyperGanArchitecture());
Time("score M=100 B=256", 100, 256, train: false);
Time("score M=100 B=1", 100, 1, train: false);
Time("train M=16 B=64 (fwd+bwd)", 16, 64, train: true);

void Time(string name, int members, int batch, bool train)
{
    using var scope = NewDisposeScope();
    var x = rand(batch, 1, 28, 28);
    IReadOnlyList<GeneratedLayer> sampled;
    using (no_grad()) sampled = model.Generate(model.Codes(model.SampleNoise(members))); // scoring: networks sampled once
    double? reference = null;
    foreach (var executor in executors)
    {
        var times = new List<double>();
        for (int r = 0; r <= repeats; r++)
        {
            using var step = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            if (train)
            {
                var outputs = executor.Forward(target, model.Generate(model.Codes(model.SampleNoise(members))), x);
                outputs.log_softmax(2).mean().backward();
            }
            else
            {
                using var _ = no_grad();
                executor.Forward(target, sampled, x);
            }
            if (r > 0) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        double median = times[times.Count / 2];
        reference ??= median;
        double gflops = 2.0 * target.MultiplyAdds * members * batch * (train ? 3 : 1) / (median / 1000) / 1e9;
        Console.WriteLine($"| {name} | {executor.Name} | {median:F1} | {times[0]:F1}–{times[^1]:F1} | {gflops:F1} | {reference / median:F2}× |");
    }
}
