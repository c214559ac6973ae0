using Microsoft.ML;
using Microsoft.ML.Data;

namespace HyperGan.ML;

/// <summary>
/// What a scoring cursor (<see cref="ScoredDataView"/>) and a scoring row (<see cref="RowMapper"/>) share: which of
/// the output schema's columns are active, which pass through from the input, and the getters of the score columns.
/// </summary>
internal sealed class ScoredColumns
{
    readonly HyperGanEnsembleTransformer _parent;
    readonly bool[] _active;
    readonly int _inputCount;

    public ScoredColumns(HyperGanEnsembleTransformer parent, DataViewSchema outputSchema, int inputCount, IEnumerable<DataViewSchema.Column> active)
    {
        _parent = parent;
        _inputCount = inputCount;
        _active = new bool[outputSchema.Count];
        foreach (var c in active) _active[c.Index] = true;
    }

    /// <summary>True when a score column is active, i.e. the networks must run.</summary>
    public bool ScoresNeeded => _active.AsSpan(_inputCount).Contains(true);

    /// <summary>True when <paramref name="column"/> was requested.</summary>
    public bool IsActive(DataViewSchema.Column column) => _active[column.Index];

    /// <summary>True when <paramref name="column"/> is one of the input's columns.</summary>
    public bool IsInput(DataViewSchema.Column column) => column.Index < _inputCount;

    /// <summary>
    /// The getter of <paramref name="column"/>: the input's own for a pass-through column, else the score column's,
    /// reading the row <paramref name="current"/> points to.
    /// </summary>
    public ValueGetter<TValue> Getter<TValue>(DataViewSchema.Column column, DataViewRow input, Func<(ScoredBlock Block, int Row)> current)
    {
        if (!_active[column.Index]) throw new InvalidOperationException(
            $"Column '{column.Name}' was not requested when the cursor or row was created.");
        if (IsInput(column)) return input.GetGetter<TValue>(input.Schema[column.Index]);
        return OutputColumns.Getter<TValue>(_parent.Outputs[column.Index - _inputCount], column, current);
    }
}
