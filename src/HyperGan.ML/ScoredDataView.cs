using Microsoft.ML;
using Microsoft.ML.Data;

namespace HyperGan.ML;

/// <summary>The lazy output of <see cref="HyperGanEnsembleTransformer.Transform"/>.</summary>
internal sealed class ScoredDataView(HyperGanEnsembleTransformer parent, IDataView source, DataViewSchema schema) : IDataView
{
    public bool CanShuffle => false;
    public DataViewSchema Schema => schema;
    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(parent, source, schema, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>
    /// Two cursors over the source: <c>_main</c> walks row by row and serves the pass-through columns; <c>_ahead</c>
    /// reads only the features, a batch at a time, so each libtorch call scores up to ScoringBatchSize rows.
    /// Non-shuffled cursors over the same view see the same row order, so row i of the batch is _main's row.
    /// </summary>
    sealed class Cursor : DataViewRowCursor
    {
        readonly HyperGanEnsembleTransformer _parent;
        readonly DataViewSchema _schema;
        readonly ScoredColumns _columns;
        readonly DataViewRowCursor _main;
        readonly DataViewRowCursor? _ahead;
        readonly FeatureVectorReader? _aheadFeatures;
        readonly float[] _features;
        readonly int[] _firstNonFinite;
        ScoredBlock _block = ScoredBlock.Empty;
        int _row = -1;

        public Cursor(HyperGanEnsembleTransformer parent, IDataView source, DataViewSchema schema, IEnumerable<DataViewSchema.Column> needed)
        {
            _parent = parent;
            _schema = schema;
            _columns = new ScoredColumns(parent, schema, source.Schema.Count, needed);
            _main = source.GetRowCursor(needed.Where(_columns.IsInput).Select(c => source.Schema[c.Index]));
            _features = [];
            _firstNonFinite = [];
            if (_columns.ScoresNeeded)
            {
                var featureColumn = parent.FeatureColumn(source.Schema);
                _ahead = source.GetRowCursor([featureColumn]);
                _aheadFeatures = FeatureVectorReader.Of(_ahead, featureColumn, parent.FeatureSize);
                _features = new float[parent.Options.ScoringBatchSize * parent.FeatureSize];
                _firstNonFinite = new int[parent.Options.ScoringBatchSize];
            }
        }

        public override DataViewSchema Schema => _schema;
        public override long Position => _main.Position;
        public override long Batch => _main.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => _columns.IsActive(column);

        public override bool MoveNext()
        {
            if (!_main.MoveNext()) return false;
            if (_ahead is null) return true;
            if (++_row >= _block.Count) ScoreNextBlock();
            _parent.CheckScored(_block, _row, _main.Position);
            return true;
        }

        void ScoreNextBlock()
        {
            int rows = 0, size = _aheadFeatures!.Size;
            while (rows < _parent.Options.ScoringBatchSize && _ahead!.MoveNext())
            {
                _firstNonFinite[rows] = _aheadFeatures.Read(_features.AsSpan(rows * size, size), _ahead.Position);
                rows++;
            }
            if (rows == 0) throw new InvalidOperationException("The source data view returned fewer rows to the scoring cursor than to the row " +
                "cursor; HyperGanEnsemble needs a source whose cursors see the same rows.");
            _block = _parent.Scorer.Score(_features, rows, _firstNonFinite);
            _row = 0;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            _columns.Getter<TValue>(column, _main, () => (_block, _row));

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _main.Dispose();
                _ahead?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
