using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using OxyPlot.SkiaSharp;

namespace HyperGan.ML.Plots;

/// <summary>A named series of (x, y) points; <see cref="Dashed"/> draws it dashed (the paper's inliers).</summary>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false);

/// <summary>The experiments' figures as PNG bytes.</summary>
public static class Charts
{
    /// <summary>Lines (e.g. entropy ECDFs, detection rate vs ε).</summary>
    public static byte[] Lines(string title, string xTitle, string yTitle, IEnumerable<Series> series, double? yMin = null, double? yMax = null)
    {
        var model = Model(title, xTitle, yTitle, yMin, yMax);
        foreach (var s in series)
        {
            var line = new LineSeries { Title = s.Name, LineStyle = s.Dashed ? LineStyle.Dash : LineStyle.Solid, StrokeThickness = 2 };
            for (int i = 0; i < s.X.Count; i++) line.Points.Add(new DataPoint(s.X[i], s.Y[i]));
            model.Series.Add(line);
        }
        // More than a few series: a legend inside the plot would hide the lines, so it goes to the right of it.
        if (model.Series.Count <= 4) return Png(model);
        model.Legends[0].LegendPlacement = LegendPlacement.Outside;
        model.Legends[0].LegendPosition = LegendPosition.RightTop;
        return Png(model, 1150, 500);
    }

    /// <summary>Empirical CDFs of several samples (the paper's Fig. 3): fraction of values ≤ x.</summary>
    public static byte[] Ecdf(string title, string xTitle, IEnumerable<(string Name, IReadOnlyList<double> Values, bool Dashed)> samples) =>
        Lines(title, xTitle, "fraction ≤ x", samples.Select(s =>
        {
            var sorted = s.Values.Order().ToArray();
            var y = Enumerable.Range(1, sorted.Length).Select(i => i / (double)sorted.Length).ToArray();
            return new Series(s.Name, sorted, y, s.Dashed);
        }), 0, 1);

    /// <summary>A mean curve with a ±band, plus scatter points (the paper's Fig. 2).</summary>
    public static byte[] Band(string title, IReadOnlyList<double> x, IReadOnlyList<double> mean, IReadOnlyList<double> lower,
        IReadOnlyList<double> upper,
        IReadOnlyList<double> pointsX, IReadOnlyList<double> pointsY, IReadOnlyList<double>? truthY = null)
    {
        var model = Model(title, "x", "y", null, null);
        var band = new AreaSeries { Title = "mean ± 3σ", Color = OxyColor.FromAColor(80, OxyColors.SteelBlue), StrokeThickness = 0 };
        for (int i = 0; i < x.Count; i++)
        {
            band.Points.Add(new DataPoint(x[i], upper[i]));
            band.Points2.Add(new DataPoint(x[i], lower[i]));
        }
        model.Series.Add(band);
        if (truthY is not null)
        {
            var truth = new LineSeries { Title = "y = x^3", Color = OxyColors.Gray, LineStyle = LineStyle.Dash };
            for (int i = 0; i < x.Count; i++) truth.Points.Add(new DataPoint(x[i], truthY[i]));
            model.Series.Add(truth);
        }
        var line = new LineSeries { Title = "mean", Color = OxyColors.SteelBlue, StrokeThickness = 2 };
        for (int i = 0; i < x.Count; i++) line.Points.Add(new DataPoint(x[i], mean[i]));
        model.Series.Add(line);
        var scatter = new ScatterSeries { Title = "training points", MarkerType = MarkerType.Circle, MarkerSize = 3, MarkerFill = OxyColors.Black };
        for (int i = 0; i < pointsX.Count; i++) scatter.Points.Add(new ScatterPoint(pointsX[i], pointsY[i]));
        model.Series.Add(scatter);
        return Png(model);
    }

    /// <summary>A grid of small grayscale images (e.g. one 5×5 filter from 25 sampled networks, the paper's Fig. 6).</summary>
    public static byte[] ImageGrid(string title, IReadOnlyList<float[,]> images, int columns)
    {
        int rows = (images.Count + columns - 1) / columns;
        int h = images[0].GetLength(0), w = images[0].GetLength(1);
        var model = new PlotModel { Title = title, Background = OxyColors.White };
        model.Axes.Add(new LinearColorAxis { Position = AxisPosition.None, Palette = OxyPalettes.Gray(256) });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, IsAxisVisible = false });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, IsAxisVisible = false, StartPosition = 1, EndPosition = 0 });
        var data = new double[columns * (w + 1), rows * (h + 1)];
        for (int k = 0; k < images.Count; k++)
        {
            var img = images[k];
            double min = img.Cast<float>().Min(), max = img.Cast<float>().Max(), range = Math.Max(max - min, 1e-12);
            int ox = (k % columns) * (w + 1), oy = (k / columns) * (h + 1);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    data[ox + x, oy + y] = (img[y, x] - min) / range; // each filter scaled to its own range
        }
        model.Series.Add(new HeatMapSeries
        {
            X0 = 0, X1 = data.GetLength(0) - 1, Y0 = 0, Y1 = data.GetLength(1) - 1, Data = data,
            Interpolate = false
        });
        return Png(model, 600, 600);
    }

    static PlotModel Model(string title, string xTitle, string yTitle, double? yMin, double? yMax)
    {
        var model = new PlotModel { Title = title, Background = OxyColors.White };
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.RightBottom, LegendBackground = OxyColor.FromAColor(200, OxyColors.White) });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = xTitle, MajorGridlineStyle = LineStyle.Dot });
        var y = new LinearAxis { Position = AxisPosition.Left, Title = yTitle, MajorGridlineStyle = LineStyle.Dot };
        if (yMin is { } lo) y.Minimum = lo;
        if (yMax is { } hi) y.Maximum = hi;
        model.Axes.Add(y);
        return model;
    }

    static byte[] Png(PlotModel model, int width = 800, int height = 500)
    {
        using var stream = new MemoryStream();
        new PngExporter { Width = width, Height = height }.Export(model, stream);
        return stream.ToArray();
    }
}
