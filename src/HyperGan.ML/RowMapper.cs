using Microsoft.ML;
using Microsoft.ML.Data;

namespace HyperGan.ML;

/// <summary>Single-row scoring for <c>PredictionEngine</c>: all output getters of one row share one forward pass.</summary>
internal sealed class RowMapper(HyperGanEnsembleTransformer parent, DataViewSchema inputSchema, DataViewSchema outputSchema) : IRowToRowMapper
{
    public DataViewSchema InputSchema => inputSchema;
    public DataViewSchema OutputSchema => outputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = dependingColumns.Where(c => c.Index < inputSchema.Count).Select(c => inputSchema[c.Index]).ToList();
        if (dependingColumns.Any(c => c.Index >= inputSchema.Count)) needed.Add(parent.FeatureColumn(inputSchema));
        return needed.Distinct();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new Row(parent, input, outputSchema, activeColumns);

    sealed class Row : DataViewRow
    {
        readonly HyperGanEnsembleTransformer _parent;
        readonly DataViewRow _input;
        readonly DataViewSchema _schema;
        readonly ScoredColumns _columns;
        readonly FeatureVectorReader? _features;
        readonly float[] _buffer;
        ScoredBlock _block = ScoredBlock.Empty;
        long _scoredPosition = -1;

        public Row(HyperGanEnsembleTransformer parent, DataViewRow input, DataViewSchema schema, IEnumerable<DataViewSchema.Column> active)
        {
            _parent = parent;
            _input = input;
            _schema = schema;
            _columns = new ScoredColumns(parent, schema, input.Schema.Count, active);
            var featureColumn = parent.FeatureColumn(input.Schema); // checks the input schema even when no score is requested
            _buffer = new float[parent.FeatureSize];
            if (_columns.ScoresNeeded) _features = FeatureVectorReader.Of(input, featureColumn, parent.FeatureSize);
        }

        public override DataViewSchema Schema => _schema;
        public override long Position => _input.Position;
        public override long Batch => _input.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => _columns.IsActive(column);

        (ScoredBlock, int) Current()
        {
            if (_scoredPosition != _input.Position || _scoredPosition < 0)
            {
                _block = _parent.Scorer.Score(_buffer, 1, [_features!.Read(_buffer, _input.Position)]);
                _scoredPosition = _input.Position;
            }
            _parent.CheckScored(_block, 0, _input.Position);
            return (_block, 0);
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _columns.Getter<TValue>(column, _input, Current);
    }
}
