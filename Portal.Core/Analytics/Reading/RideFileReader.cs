using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using nietras.SeparatedValues;
using Portal.Core.Analytics.Metrics;

namespace Portal.Core.Analytics.Reading;

/// <summary>
/// Streams a ride file (CSV, or gzip detected from its magic bytes) into canonical
/// <see cref="RideSample"/>s: one pass, constant memory, no allocation per row. Columns are
/// found once from the header (device profile first, then aliases and unit suffixes); units
/// the header does not state are detected from the first <see cref="RideReaderOptions.DetectionRows"/>
/// rows, which are held back until then. Bad input never throws: the summary carries a
/// <see cref="RideRejection"/> with a code from <see cref="RideRejectionCodes"/>.
/// </summary>
/// <remarks>
/// Samples reach the sink as they are read, so a sink sees the rows of a file that is rejected
/// at the end (too many bad rows, truncated gzip); it must check the summary before using them.
/// </remarks>
public sealed class RideFileReader
{
    private const double StandardGravity = 9.80665;
    private const int SniffBytes = 4096;

    private static readonly Encoding Utf8Lenient = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly RideReaderOptions _options;

    public RideFileReader(RideReaderOptions? options = null) => _options = options ?? RideReaderOptions.Default;

    /// <summary>
    /// Reads the whole file. The work is synchronous CPU-bound parsing on the calling thread (fastest for Sep);
    /// the Task shape lets callers treat it like the rest of the pipeline.
    /// </summary>
    public Task<RideReadSummary> ReadAsync(Stream file, DeviceProfile? profile, IRideSampleSink sink, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Read(file, profile, sink, progress, cancellationToken));
    }

    public RideReadSummary Read(Stream file, DeviceProfile? profile, IRideSampleSink sink, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(sink);

        using var source = new GuardedReadStream(file, _options.MaxFileBytes, maxLineBytes: 0, trapDecompressionErrors: false, ProgressReporter(file, progress));
        var magic = source.Peek(2);
        if (magic.IsEmpty)
        {
            return Rejected(RideRejectionCodes.EmptyFile);
        }

        var isGzip = magic.Length == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        using var gzip = isGzip ? new GZipStream(source, CompressionMode.Decompress, leaveOpen: true) : null;
        using var content = new GuardedReadStream(gzip ?? (Stream)source, _options.MaxContentBytes, _options.MaxLineBytes, trapDecompressionErrors: isGzip, onBytesRead: null);

        var head = content.Peek(SniffBytes);
        if (head.IsEmpty)
        {
            return Rejected(EndOfContentRejection(source, content, isGzip) ?? RideRejectionCodes.Create(RideRejectionCodes.EmptyFile));
        }

        if (Sniff(head) is { } sniffRejection)
        {
            return Rejected(sniffRejection);
        }

        using var text = new StreamReader(content, Utf8Lenient, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        using var sep = Sep.New(',').Reader(o => o with
        {
            HasHeader = false,
            DisableColCountCheck = true, // a wrong field count is a bad row to count, not an exception
            DisableQuotesParsing = true, // an unbalanced quote must not swallow the rest of the file into one field
        }).From(text);

        var state = new ReadState(_options, profile, sink);
        var rejection = state.Run(sep, content, cancellationToken);

        rejection ??= content.LineTooLong ? RideRejectionCodes.Create(RideRejectionCodes.LineTooLong, $"Limit: {_options.MaxLineBytes:N0} bytes.") : null;
        rejection ??= EndOfContentRejection(source, content, isGzip);
        rejection ??= state.Validate();
        progress?.Report(100);
        return new RideReadSummary(state.ValidRows, state.SkippedRows, state.StartTime, rejection);
    }

    private RideRejection? EndOfContentRejection(GuardedReadStream source, GuardedReadStream content, bool isGzip)
    {
        if (source.LimitExceeded)
        {
            return RideRejectionCodes.Create(RideRejectionCodes.FileTooLarge, $"Limit: {_options.MaxFileBytes:N0} bytes.");
        }

        if (content.LimitExceeded)
        {
            return RideRejectionCodes.Create(RideRejectionCodes.FileTooLarge, $"Limit: {_options.MaxContentBytes:N0} bytes once decompressed.");
        }

        if (!isGzip || content.Halted)
        {
            return content.DecompressionFailed ? RideRejectionCodes.Create(RideRejectionCodes.CorruptGzip) : null;
        }

        // GZipStream ends silently at a cut; the trailer's ISIZE (length mod 2^32) tells a cut from a complete file.
        source.Drain();
        var tail = source.Tail;
        var complete = tail.Length == 8 && BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]) == (uint)content.BytesRead;
        return complete ? null : RideRejectionCodes.Create(RideRejectionCodes.TruncatedGzip);
    }

    private static Action<long>? ProgressReporter(Stream file, IProgress<int>? progress)
    {
        if (progress is null || !file.CanSeek)
        {
            return null;
        }

        var length = file.Length - file.Position;
        if (length <= 0)
        {
            return null;
        }

        var lastPercent = -1;
        return bytes =>
        {
            var percent = (int)Math.Min(100, bytes * 100 / length);
            if (percent != lastPercent)
            {
                lastPercent = percent;
                progress.Report(percent);
            }
        };
    }

    /// <summary>Refuses what is plainly not a UTF-8 comma-separated text before any parsing.</summary>
    private static RideRejection? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            return RideRejectionCodes.Create(RideRejectionCodes.UnsupportedEncoding, "A UTF-16/UTF-32 byte order mark was found.");
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            head = head[3..];
        }

        int zeros = 0, zerosAtOdd = 0, controls = 0;
        for (var i = 0; i < head.Length; i++)
        {
            var b = head[i];
            if (b == 0)
            {
                zeros++;
                zerosAtOdd += i & 1;
            }
            else if ((b < 0x20 && b is not (byte)'\t' and not (byte)'\n' and not (byte)'\r') || b == 0x7F)
            {
                controls++;
            }
        }

        if (zeros > head.Length / 4 && (zerosAtOdd > zeros * 9 / 10 || zerosAtOdd < zeros / 10))
        {
            return RideRejectionCodes.Create(RideRejectionCodes.UnsupportedEncoding, "Every other byte is zero, as in UTF-16 text.");
        }

        if (zeros > 0 || controls > head.Length / 100)
        {
            return RideRejectionCodes.Create(RideRejectionCodes.NotCsv, "It contains binary bytes.");
        }

        var lineEnd = head.IndexOf((byte)'\n');
        var header = lineEnd < 0 ? head : head[..lineEnd];
        if (header.IndexOf((byte)',') < 0)
        {
            return header.IndexOf((byte)';') >= 0 || header.IndexOf((byte)'\t') >= 0
                ? RideRejectionCodes.Create(RideRejectionCodes.UnsupportedSeparator)
                : RideRejectionCodes.Create(RideRejectionCodes.NotCsv, "The first line has no commas.");
        }

        return null;
    }

    private static RideReadSummary Rejected(string code) => Rejected(RideRejectionCodes.Create(code));

    private static RideReadSummary Rejected(RideRejection rejection) => new(0, 0, null, rejection);

    /// <summary>The per-file state of one read: layout, detection buffer, counters.</summary>
    private sealed class ReadState(RideReaderOptions options, DeviceProfile? profile, IRideSampleSink sink)
    {
        private readonly RideSample[] _pending = new RideSample[Math.Max(16, options.DetectionRows)];
        private readonly IsoMinuteCache _isoMinute = new();

        // The analyser's own sink is called directly (a sealed class: no interface dispatch per row).
        private readonly RideMetricsSink? _metricsSink = sink as RideMetricsSink;
        private double _gyroXScale = 1, _gyroYScale = 1, _gyroZScale = 1, _magXScale = 1, _magYScale = 1, _magZScale = 1, _speedScale = 1, _altScale = 1;
        private int _pendingCount;
        private bool _unitsSettled;

        private RideColumnLayout _layout = null!;
        private int _headerColumns;
        private int _iT, _iAx, _iAy, _iAz, _iGx, _iGy, _iGz, _iMx, _iMy, _iMz, _iSpeed, _iLat, _iLon, _iAlt;
        private bool? _isoTime;

        private double _timeToSeconds = 1;
        private bool _absoluteTime;
        private double _accelerationScale = 1;
        private bool _hasFirst;
        private double _firstRawTime;
        private double _lastRawTime;

        private long _dataRows;
        private long _malformedRows;
        private long _nonIncreasingRows;

        public long ValidRows { get; private set; }
        public long SkippedRows => _malformedRows + _nonIncreasingRows;
        public DateTimeOffset? StartTime { get; private set; }

        public RideRejection? Run(SepReader reader, GuardedReadStream content, CancellationToken cancellationToken)
        {
            if (!reader.MoveNext())
            {
                return RideRejectionCodes.Create(RideRejectionCodes.EmptyFile);
            }

            if (ReadHeader(reader.Current) is { } headerRejection)
            {
                return headerRejection;
            }

            var raw = default(RideSample);
            foreach (var row in reader)
            {
                if ((_dataRows & 0x3FFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (content.Halted)
                    {
                        break;
                    }
                }

                if (row.ColCount == 1 && row[0].Span.Trim().IsEmpty)
                {
                    continue; // blank lines carry nothing and are not counted
                }

                _dataRows++;
                if (!HasHeaderFieldCount(row) || !TryParseRow(row, ref raw))
                {
                    _malformedRows++;
                    continue;
                }

                if (_unitsSettled)
                {
                    Emit(in raw);
                }
                else
                {
                    _pending[_pendingCount++] = raw;
                    if (_pendingCount == _pending.Length)
                    {
                        SettleUnitsAndFlush();
                    }
                }
            }

            if (!_unitsSettled)
            {
                SettleUnitsAndFlush();
            }

            return null;
        }

        public RideRejection? Validate()
        {
            var bad = SkippedRows;
            if (_dataRows > 0 && bad * 100 > _dataRows * 5)
            {
                var detail = string.Create(CultureInfo.InvariantCulture, $"{bad:N0} of {_dataRows:N0} rows ({bad * 100.0 / _dataRows:F1} %) were skipped: {_malformedRows:N0} unreadable, {_nonIncreasingRows:N0} with a timestamp that did not increase.");
                return RideRejectionCodes.Create(_nonIncreasingRows > _malformedRows ? RideRejectionCodes.TimestampsNotIncreasing : RideRejectionCodes.TooManyBadRows, detail);
            }

            if (ValidRows < 2)
            {
                return RideRejectionCodes.Create(RideRejectionCodes.TooFewRows, string.Create(CultureInfo.InvariantCulture, $"Found {ValidRows} valid of {_dataRows} data rows."));
            }

            return null;
        }

        private RideRejection? ReadHeader(SepReader.Row row)
        {
            var names = new string[row.ColCount];
            var numeric = 0;
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = RideColumnLayout.CleanHeaderCell(row[i].ToString());
                if (names[i].Length > 0 && (double.TryParse(names[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _) || IsoTimestamp.LooksLikeIso(names[i])))
                {
                    numeric++;
                }
            }

            if (numeric * 2 >= names.Length)
            {
                return RideRejectionCodes.Create(RideRejectionCodes.NoHeader);
            }

            _layout = RideColumnLayout.Resolve(names, profile);
            _headerColumns = names.Length;
            var unknownUnits = _layout.UnknownUnits.Count > 0 ? $" Columns with a unit the portal does not know: {string.Join(", ", _layout.UnknownUnits)}; a device profile can map them." : "";
            if (!_layout.Has(RideChannel.Timestamp))
            {
                return RideRejectionCodes.Create(RideRejectionCodes.NoTimeColumn, $"Columns found: {string.Join(", ", names.Take(30))}.{unknownUnits}");
            }

            var missingImu = new[] { RideChannel.Ax, RideChannel.Ay, RideChannel.Az, RideChannel.Gx, RideChannel.Gy, RideChannel.Gz }
                .Where(c => !_layout.Has(c)).Select(c => c.ToString().ToLowerInvariant()).ToArray();
            if (missingImu.Length > 0)
            {
                return RideRejectionCodes.Create(RideRejectionCodes.NoImuColumns, $"Missing: {string.Join(", ", missingImu)}.{unknownUnits}");
            }

            int Index(RideChannel channel) => _layout.ColumnIndex[(int)channel];
            (_iT, _iAx, _iAy, _iAz, _iGx, _iGy, _iGz) = (Index(RideChannel.Timestamp), Index(RideChannel.Ax), Index(RideChannel.Ay), Index(RideChannel.Az), Index(RideChannel.Gx), Index(RideChannel.Gy), Index(RideChannel.Gz));
            var hasMagnetometer = _layout.Has(RideChannel.Mx) && _layout.Has(RideChannel.My) && _layout.Has(RideChannel.Mz);
            (_iMx, _iMy, _iMz) = hasMagnetometer ? (Index(RideChannel.Mx), Index(RideChannel.My), Index(RideChannel.Mz)) : (-1, -1, -1);
            var hasPosition = _layout.Has(RideChannel.Lat) && _layout.Has(RideChannel.Lon);
            (_iLat, _iLon) = hasPosition ? (Index(RideChannel.Lat), Index(RideChannel.Lon)) : (-1, -1);
            _iSpeed = Index(RideChannel.Speed);
            _iAlt = Index(RideChannel.Alt);
            _isoTime = _layout.TimeBase switch
            {
                TimeBase.Iso8601 => true,
                TimeBase.Auto => null,
                _ => false,
            };

            sink.Begin(new RideChannels(hasMagnetometer, _iSpeed >= 0, hasPosition, _iAlt >= 0));
            return null;
        }

        /// <summary>The header's field count; a trailing empty field (some loggers end every data row with a comma) is tolerated.</summary>
        private bool HasHeaderFieldCount(SepReader.Row row) =>
            row.ColCount == _headerColumns || (row.ColCount == _headerColumns + 1 && row[_headerColumns].Span.IsEmpty);

        private bool TryParseRow(SepReader.Row row, ref RideSample raw)
        {
            var time = row[_iT].Span;
            _isoTime ??= time.Trim().IsEmpty ? null : IsoTimestamp.LooksLikeIso(time);
            bool timeOk;
            if (_isoTime == true)
            {
                timeOk = IsoTimestamp.TryParseUnixMilliseconds(time, _isoMinute, out raw.T);
            }
            else
            {
                timeOk = TryNumber(row[_iT], out raw.T);
            }

            return timeOk
                && TryNumber(row[_iAx], out raw.Ax) && TryNumber(row[_iAy], out raw.Ay) && TryNumber(row[_iAz], out raw.Az)
                && TryNumber(row[_iGx], out raw.Gx) && TryNumber(row[_iGy], out raw.Gy) && TryNumber(row[_iGz], out raw.Gz)
                && TryOptional(row, _iMx, out raw.Mx) && TryOptional(row, _iMy, out raw.My) && TryOptional(row, _iMz, out raw.Mz)
                && TryOptional(row, _iSpeed, out raw.Speed) && TryOptional(row, _iLat, out raw.Lat) && TryOptional(row, _iLon, out raw.Lon)
                && TryOptional(row, _iAlt, out raw.Alt);
        }

        private static bool TryNumber(SepReader.Col col, out double value)
        {
            if (col.TryParse(out value) && double.IsFinite(value))
            {
                return true;
            }

            // Slow path, rare: surrounding blanks or quotes ("0.12"), or a value the fast parser refused.
            var span = col.Span.Trim().Trim('"').Trim();
            return double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
        }

        /// <summary>An absent channel or an empty cell (GPS between fixes) is NaN; garbage makes the row bad.</summary>
        private static bool TryOptional(SepReader.Row row, int index, out double value)
        {
            if (index < 0)
            {
                value = double.NaN;
                return true;
            }

            var col = row[index];
            if (col.Span.IsEmpty)
            {
                value = double.NaN;
                return true;
            }

            if (TryNumber(col, out value))
            {
                return true;
            }

            var trimmed = col.Span.Trim().Trim('"').Trim();
            value = double.NaN;
            return trimmed.IsEmpty;
        }

        private void SettleUnitsAndFlush()
        {
            _unitsSettled = true;
            SettleTimeBase();
            SettleAcceleration();
            var scale = _layout.Scale;
            (_gyroXScale, _gyroYScale, _gyroZScale) = (scale[(int)RideChannel.Gx], scale[(int)RideChannel.Gy], scale[(int)RideChannel.Gz]);
            (_magXScale, _magYScale, _magZScale) = (scale[(int)RideChannel.Mx], scale[(int)RideChannel.My], scale[(int)RideChannel.Mz]);
            (_speedScale, _altScale) = (scale[(int)RideChannel.Speed], scale[(int)RideChannel.Alt]);
            for (var i = 0; i < _pendingCount; i++)
            {
                Emit(in _pending[i]);
            }

            _pendingCount = 0;
        }

        private void SettleTimeBase()
        {
            if (_isoTime == true)
            {
                (_timeToSeconds, _absoluteTime) = (0.001, true);
                return;
            }

            var first = _pendingCount > 0 ? _pending[0].T : 0;
            switch (_layout.TimeBase)
            {
                case TimeBase.EpochMilliseconds:
                    (_timeToSeconds, _absoluteTime) = (0.001, true);
                    return;
                case TimeBase.RelativeSeconds:
                    (_timeToSeconds, _absoluteTime) = (1, false);
                    return;
                case TimeBase.RelativeMilliseconds:
                    (_timeToSeconds, _absoluteTime) = (0.001, false);
                    return;
            }

            var milliseconds = _layout.TimeUnit switch
            {
                TimeUnitHint.Milliseconds => true,
                TimeUnitHint.Seconds => false,
                // Epoch milliseconds are > 1e11 after 1973; otherwise a typical step ≥ 0.5 means ms (50–400 Hz is 2.5–20 ms).
                _ => first >= 1e11 || MedianPositiveStep() >= 0.5,
            };
            _timeToSeconds = milliseconds ? 0.001 : 1;
            _absoluteTime = milliseconds ? first >= 1e11 : first >= 1e9;
        }

        private double MedianPositiveStep()
        {
            var steps = new List<double>(_pendingCount);
            for (var i = 1; i < _pendingCount; i++)
            {
                var step = _pending[i].T - _pending[i - 1].T;
                if (step > 0)
                {
                    steps.Add(step);
                }
            }

            return Median(steps);
        }

        private void SettleAcceleration()
        {
            var unit = _layout.Acceleration;
            if (unit == AccelerationUnit.Auto)
            {
                // The magnitude of specific force is about 1 g whatever the rider does: ≈1 in g, ≈9.81 in m/s².
                var magnitudes = new List<double>(_pendingCount);
                for (var i = 0; i < _pendingCount; i++)
                {
                    ref readonly var p = ref _pending[i];
                    magnitudes.Add(Math.Sqrt(p.Ax * p.Ax + p.Ay * p.Ay + p.Az * p.Az));
                }

                unit = magnitudes.Count > 0 && Median(magnitudes) < 4.0 ? AccelerationUnit.G : AccelerationUnit.MetersPerSecondSquared;
            }

            _accelerationScale = unit == AccelerationUnit.G ? StandardGravity : 1.0;
        }

        private static double Median(List<double> values)
        {
            if (values.Count == 0)
            {
                return 0;
            }

            values.Sort();
            return values[values.Count / 2];
        }

        private void Emit(in RideSample raw)
        {
            if (_hasFirst && !(raw.T > _lastRawTime))
            {
                _nonIncreasingRows++;
                return;
            }

            if (!_hasFirst)
            {
                _hasFirst = true;
                _firstRawTime = raw.T;
                if (_absoluteTime)
                {
                    var unixMilliseconds = raw.T * _timeToSeconds * 1000.0;
                    StartTime = unixMilliseconds is > -62_135_596_800_000.0 and < 253_402_300_799_000.0
                        ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(unixMilliseconds))
                        : null;
                }
            }

            _lastRawTime = raw.T;
            RideSample sample;
            sample.T = (raw.T - _firstRawTime) * _timeToSeconds;
            sample.Ax = raw.Ax * _accelerationScale;
            sample.Ay = raw.Ay * _accelerationScale;
            sample.Az = raw.Az * _accelerationScale;
            sample.Gx = raw.Gx * _gyroXScale;
            sample.Gy = raw.Gy * _gyroYScale;
            sample.Gz = raw.Gz * _gyroZScale;
            sample.Mx = raw.Mx * _magXScale;
            sample.My = raw.My * _magYScale;
            sample.Mz = raw.Mz * _magZScale;
            sample.Speed = raw.Speed * _speedScale;
            sample.Lat = raw.Lat;
            sample.Lon = raw.Lon;
            sample.Alt = raw.Alt * _altScale;
            ValidRows++;
            if (_metricsSink is not null)
            {
                _metricsSink.Add(in sample);
            }
            else
            {
                sink.Add(in sample);
            }
        }
    }
}
