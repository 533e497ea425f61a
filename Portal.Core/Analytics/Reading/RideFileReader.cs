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

    /// <summary>RaceChrono CSV v3 starts with this sentence (no comma) before its metadata lines.</summary>
    private static ReadOnlySpan<byte> RaceChronoFirstLine => "This file is created using RaceChrono"u8;

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
        return new RideReadSummary(state.ValidRows, state.SkippedRows, state.StartTime, rejection) { Facts = state.BuildFacts() };
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
        if (header.IndexOf((byte)',') < 0 && !header.StartsWith(RaceChronoFirstLine))
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
    /// <summary>The per-file state of one read: layout, detection buffer, counters.</summary>
    private sealed class ReadState(RideReaderOptions options, DeviceProfile? profile, IRideSampleSink sink)
    {
        private const double RadiansToDegrees = 180.0 / Math.PI;
        private const int MaxPreambleLines = 100;

        // Unix seconds of 2000-01-01 and 2100-01-01: a time in this window is absolute, whatever its unit.
        private const double EpochWindowStart = 946_684_800;
        private const double EpochWindowEnd = 4_102_444_800;

        private readonly RideSample[] _pending = new RideSample[Math.Max(16, options.DetectionRows)];
        private readonly IsoMinuteCache _isoMinute = new();
        private readonly List<string> _notes = [];

        // The analyser's own sink is called directly (a sealed class: no interface dispatch per row).
        private readonly RideMetricsSink? _metricsSink = sink as RideMetricsSink;
        private double _gyroXScale = 1, _gyroYScale = 1, _gyroZScale = 1, _magXScale = 1, _magYScale = 1, _magZScale = 1, _speedScale = 1, _altScale = 1;
        private int _pendingCount;
        private bool _unitsSettled;

        private RideColumnLayout? _layout;
        private int _headerColumns;
        private int _iT, _iAx, _iAy, _iAz, _iGx, _iGy, _iGz, _iMx, _iMy, _iMz, _iSpeed, _iLat, _iLon, _iAlt;
        private bool? _isoTime;
        private bool? _isoOffset;

        private double _timeToSeconds = 1;
        private bool _absoluteTime;
        private double _accelerationScale = 1;
        private bool _hasFirst;
        private double _firstRawTime;
        private double _lastRawTime;

        // GPS cells of a row without IMU values (lap timers write GPS and IMU updates on separate rows) wait for the next IMU row.
        private bool _hasHeld;
        private double _heldSpeed, _heldLat, _heldLon, _heldAlt;

        private long _dataRows;
        private long _malformedRows;
        private long _nonIncreasingRows;
        private long _duplicateTimeRows;
        private long _gpsOnlyRows;

        private string _timeFormat = "number";
        private string _timeSource = UnitSources.Data;
        private bool _gyroRadians;
        private string _gyroSource = UnitSources.Default;
        private AccelerationUnit _accelerationUnit = AccelerationUnit.MetersPerSecondSquared;
        private string _accelerationSource = UnitSources.Default;

        public long ValidRows { get; private set; }
        public long SkippedRows => _malformedRows + _nonIncreasingRows + _duplicateTimeRows;
        public DateTimeOffset? StartTime { get; private set; }

        public RideRejection? Run(SepReader reader, GuardedReadStream content, CancellationToken cancellationToken)
        {
            if (!reader.MoveNext())
            {
                return RideRejectionCodes.Create(RideRejectionCodes.EmptyFile);
            }

            string? formatHint = null;
            var names = CellTexts(reader.Current);
            var preamble = PreambleFormat(reader.Current);
            if (preamble is not null || (profile is null && !MostlyNumbers(names) && !LooksLikeHeader(reader.Current)))
            {
                // Metadata lines before the header (RaceChrono, RaceBox's lap block): the header is the first line that names
                // a time column and two more channels.
                formatHint = preamble is { Length: > 0 } ? preamble : null;
                var found = false;
                for (var line = 0; line < MaxPreambleLines && reader.MoveNext(); line++)
                {
                    if (LooksLikeHeader(reader.Current))
                    {
                        found = true;
                        break;
                    }
                }

                if (!found)
                {
                    // No header further down either: the first line was the header, and it says what is missing.
                    return preamble is null
                        ? ReadHeader(names, null) ?? RideRejectionCodes.Create(RideRejectionCodes.TooFewRows)
                        : RideRejectionCodes.Create(RideRejectionCodes.NoHeader, "The file starts with metadata lines, but no column header row followed them.");
                }

                names = CellTexts(reader.Current);
            }

            var reuseCurrent = false;
            if (formatHint == RideFileFormats.RaceChronoV3)
            {
                // RaceChrono v3: a units row and a sources row follow the header ("unix time,,,s,m…", ",,,,,100: gps…").
                string[]? units = null, sources = null;
                if (reader.MoveNext())
                {
                    reuseCurrent = StartsWithNumber(reader.Current);
                    if (!reuseCurrent)
                    {
                        units = CellTexts(reader.Current);
                        if (reader.MoveNext())
                        {
                            reuseCurrent = StartsWithNumber(reader.Current);
                            sources = reuseCurrent ? null : CellTexts(reader.Current);
                        }
                    }
                }

                names = RaceChronoNames(names, units, sources);
            }

            if (ReadHeader(names, formatHint) is { } headerRejection)
            {
                return headerRejection;
            }

            var raw = default(RideSample);
            while (reuseCurrent || reader.MoveNext())
            {
                reuseCurrent = false;
                var row = reader.Current;
                if (((_dataRows + _gpsOnlyRows) & 0x3FFF) == 0)
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

                if (!HasHeaderFieldCount(row))
                {
                    _dataRows++;
                    _malformedRows++;
                    continue;
                }

                if (row[_iAx].Span.IsEmpty && ImuCellsEmpty(row))
                {
                    HoldPosition(row);
                    continue;
                }

                _dataRows++;
                if (!TryParseRow(row, ref raw))
                {
                    _malformedRows++;
                    continue;
                }

                if (_hasHeld)
                {
                    TakeHeldPosition(ref raw);
                }

                if (raw.Lat == 0 && raw.Lon == 0)
                {
                    // 0°/0° is a receiver without a fix, and the speed beside it is a placeholder.
                    (raw.Lat, raw.Lon, raw.Speed) = (double.NaN, double.NaN, double.NaN);
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
            // Rows repeating the previous row's time are skipped (counted) but never refuse a file: event loggers write
            // one row per sensor event, and at millisecond resolution half of them can share a millisecond.
            var bad = _malformedRows + _nonIncreasingRows;
            if (_dataRows > 0 && bad * 100 > _dataRows * 5)
            {
                var detail = string.Create(CultureInfo.InvariantCulture, $"{bad:N0} of {_dataRows:N0} rows ({bad * 100.0 / _dataRows:F1} %) were skipped: {_malformedRows:N0} unreadable, {_nonIncreasingRows:N0} with a timestamp going backwards.");
                return RideRejectionCodes.Create(_nonIncreasingRows > _malformedRows ? RideRejectionCodes.TimestampsNotIncreasing : RideRejectionCodes.TooManyBadRows, detail);
            }

            if (ValidRows < 2)
            {
                return RideRejectionCodes.Create(RideRejectionCodes.TooFewRows, string.Create(CultureInfo.InvariantCulture, $"Found {ValidRows} valid of {_dataRows} data rows."));
            }

            return null;
        }

        /// <summary>The reader's decisions; null when the file was refused before its header was understood.</summary>
        public RideReadFacts? BuildFacts()
        {
            if (_layout is null)
            {
                return null;
            }

            var columns = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var channel in Enum.GetValues<RideChannel>())
            {
                var index = _layout.ColumnIndex[(int)channel];
                if (index >= 0)
                {
                    columns[channel.ToString().ToLowerInvariant()] = RideColumnLayout.CleanHeaderCell(_layout.HeaderNames[index]);
                }
            }

            if (_layout.SynthesiseAy)
            {
                columns["ay"] = "(none: read as 0)";
            }

            var text = _timeFormat != "number";
            string? speedUnit = _iSpeed < 0 ? null : _speedScale switch
            {
                3.6 => "m/s",
                1.609344 => "mph",
                1.852 => "kn",
                _ => "km/h",
            };
            return new RideReadFacts(
                _layout.Format,
                _timeFormat,
                text ? null : TimeUnitName(_timeToSeconds),
                _absoluteTime ? "epoch" : "relative",
                text ? _isoOffset ?? false : null,
                _timeSource,
                _accelerationUnit == AccelerationUnit.G ? "g" : "m/s2",
                _accelerationSource,
                _gyroRadians ? "rad/s" : "deg/s",
                _gyroSource,
                speedUnit,
                speedUnit is null ? null : _layout.SpeedSource,
                columns,
                [.. _layout.Notes, .. _notes, .. DuplicateNote()]);
        }

        private IEnumerable<string> DuplicateNote()
        {
            if (_duplicateTimeRows > 0)
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"{_duplicateTimeRows:N0} rows repeated the previous row's time and were skipped (an event logger's rows sharing a timestamp).");
            }
        }

        private static string TimeUnitName(double toSeconds) => toSeconds switch
        {
            >= 1 => "s",
            >= 1e-3 => "ms",
            >= 1e-6 => "us",
            _ => "ns",
        };

        /// <summary>Null for an ordinary header row; else the format a metadata block announces ("" when it names none).</summary>
        private static string? PreambleFormat(SepReader.Row row)
        {
            var first = RideColumnLayout.CleanHeaderCell(row[0].ToString());
            if (first.StartsWith("This file is created using RaceChrono", StringComparison.OrdinalIgnoreCase))
            {
                return RideFileFormats.RaceChronoV3;
            }

            if (!first.Equals("Format", StringComparison.OrdinalIgnoreCase) || row.ColCount < 2)
            {
                return null;
            }

            var second = RideColumnLayout.CleanHeaderCell(row[1].ToString());
            return second == "3" ? RideFileFormats.RaceChronoV3
                : second.Contains("RaceBox", StringComparison.OrdinalIgnoreCase) ? RideFileFormats.RaceBox
                : "";
        }

        /// <summary>A header row names a time column and at least two more channels.</summary>
        private static bool LooksLikeHeader(SepReader.Row row)
        {
            if (row.ColCount < 3)
            {
                return false;
            }

            var probe = new RideColumnLayout();
            bool time = false;
            var channels = 0;
            for (var i = 0; i < row.ColCount; i++)
            {
                if (probe.TryGuess(row[i].ToString(), out var channel, out _))
                {
                    time |= channel == RideChannel.Timestamp;
                    channels++;
                }
            }

            return time && channels >= 3;
        }

        private static string[] CellTexts(SepReader.Row row)
        {
            var cells = new string[row.ColCount];
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = RideColumnLayout.CleanHeaderCell(row[i].ToString());
            }

            return cells;
        }

        private static bool StartsWithNumber(SepReader.Row row)
        {
            var first = row[0].Span.Trim().Trim('"');
            return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || IsoTimestamp.LooksLikeIso(first);
        }

        /// <summary>
        /// RaceChrono repeats names (several <c>speed</c>, <c>device_update_rate</c>) and states units and sources in
        /// the two rows after the header: the unit joins the name, and a position or speed column from a source other
        /// than the GPS (a calculated channel, OBD) is hidden so that the GPS one is read.
        /// </summary>
        private static string[] RaceChronoNames(string[] names, string[]? units, string[]? sources)
        {
            var probe = new RideColumnLayout();
            var result = new string[names.Length];
            for (var i = 0; i < names.Length; i++)
            {
                var name = names[i];
                var unit = units is not null && i < units.Length ? units[i] : "";
                var source = sources is not null && i < sources.Length ? sources[i] : "";
                if (source.Length > 0 && !source.Contains("gps", StringComparison.OrdinalIgnoreCase)
                    && probe.TryGuess(name, out var channel, out _) && channel is RideChannel.Speed or RideChannel.Lat or RideChannel.Lon or RideChannel.Alt)
                {
                    result[i] = $"{source}:{name}";
                    continue;
                }

                result[i] = unit.Length > 0 ? $"{name} ({unit})" : name;
            }

            return result;
        }

        private static bool MostlyNumbers(string[] names)
        {
            var numeric = 0;
            for (var i = 0; i < names.Length; i++)
            {
                if (names[i].Length > 0 && (double.TryParse(names[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _) || IsoTimestamp.LooksLikeIso(names[i])))
                {
                    numeric++;
                }
            }

            return numeric * 2 >= names.Length;
        }

        private RideRejection? ReadHeader(string[] names, string? formatHint)
        {
            if (MostlyNumbers(names))
            {
                return RideRejectionCodes.Create(RideRejectionCodes.NoHeader);
            }

            var layout = _layout = RideColumnLayout.Resolve(names, profile, formatHint);
            _headerColumns = names.Length;
            var unknownUnits = layout.UnknownUnits.Count > 0 ? $" Columns with a unit the portal does not know: {string.Join(", ", layout.UnknownUnits)}; a device profile can map them." : "";
            var format = layout.Format is RideFileFormats.Generic or RideFileFormats.Profile ? "" : $" Recognised format: {layout.Format}.";
            if (!layout.Has(RideChannel.Timestamp))
            {
                return RideRejectionCodes.Create(RideRejectionCodes.NoTimeColumn, $"Columns found: {string.Join(", ", names.Take(30))}.{format}{unknownUnits}");
            }

            var missingImu = new[] { RideChannel.Ax, RideChannel.Ay, RideChannel.Az, RideChannel.Gx, RideChannel.Gy, RideChannel.Gz }
                .Where(c => !layout.Has(c) && !(c == RideChannel.Ay && layout.SynthesiseAy)).Select(c => c.ToString().ToLowerInvariant()).ToArray();
            if (missingImu.Length > 0)
            {
                var sensorLogger = layout.Format == RideFileFormats.SensorLogger
                    ? " Sensor Logger writes one file per sensor; upload a combined export that holds the accelerometer and the gyroscope."
                    : "";
                return RideRejectionCodes.Create(RideRejectionCodes.NoImuColumns, $"Missing: {string.Join(", ", missingImu)}.{format}{sensorLogger}{unknownUnits}");
            }

            int Index(RideChannel channel) => layout.ColumnIndex[(int)channel];
            (_iT, _iAx, _iAy, _iAz, _iGx, _iGy, _iGz) = (Index(RideChannel.Timestamp), Index(RideChannel.Ax), Index(RideChannel.Ay), Index(RideChannel.Az), Index(RideChannel.Gx), Index(RideChannel.Gy), Index(RideChannel.Gz));
            var hasMagnetometer = layout.Has(RideChannel.Mx) && layout.Has(RideChannel.My) && layout.Has(RideChannel.Mz);
            (_iMx, _iMy, _iMz) = hasMagnetometer ? (Index(RideChannel.Mx), Index(RideChannel.My), Index(RideChannel.Mz)) : (-1, -1, -1);
            var hasPosition = layout.Has(RideChannel.Lat) && layout.Has(RideChannel.Lon);
            (_iLat, _iLon) = hasPosition ? (Index(RideChannel.Lat), Index(RideChannel.Lon)) : (-1, -1);
            _iSpeed = Index(RideChannel.Speed);
            _iAlt = Index(RideChannel.Alt);
            _isoTime = layout.TimeBase switch
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

        private bool ImuCellsEmpty(SepReader.Row row) =>
            row[_iAz].Span.IsEmpty && row[_iGx].Span.IsEmpty && row[_iGy].Span.IsEmpty && row[_iGz].Span.IsEmpty
            && (_iAy < 0 || row[_iAy].Span.IsEmpty);

        /// <summary>A row with GPS but no IMU values is not bad: its position and speed go with the next IMU row.</summary>
        private void HoldPosition(SepReader.Row row)
        {
            _gpsOnlyRows++;
            if (TryOptional(row, _iSpeed, out var speed) && TryOptional(row, _iLat, out var lat) && TryOptional(row, _iLon, out var lon) && TryOptional(row, _iAlt, out var alt)
                && !(double.IsNaN(speed) && double.IsNaN(lat) && double.IsNaN(alt)))
            {
                (_heldSpeed, _heldLat, _heldLon, _heldAlt, _hasHeld) = (speed, lat, lon, alt, true);
            }
        }

        private void TakeHeldPosition(ref RideSample raw)
        {
            _hasHeld = false;
            if (double.IsNaN(raw.Speed))
            {
                raw.Speed = _heldSpeed;
            }

            if (double.IsNaN(raw.Lat) && double.IsNaN(raw.Lon))
            {
                (raw.Lat, raw.Lon) = (_heldLat, _heldLon);
            }

            if (double.IsNaN(raw.Alt))
            {
                raw.Alt = _heldAlt;
            }
        }

        private bool TryParseRow(SepReader.Row row, ref RideSample raw)
        {
            var time = row[_iT].Span;
            _isoTime ??= time.Trim().IsEmpty ? null : IsoTimestamp.LooksLikeIso(time);
            bool timeOk;
            if (_isoTime == true)
            {
                timeOk = IsoTimestamp.TryParseUnixMilliseconds(time, _isoMinute, out raw.T);
                _isoOffset ??= timeOk ? IsoTimestamp.HasOffset(time) : null;
            }
            else
            {
                timeOk = TryNumber(row[_iT], out raw.T);
            }

            bool ayOk;
            if (_iAy >= 0)
            {
                ayOk = TryNumber(row[_iAy], out raw.Ay);
            }
            else
            {
                raw.Ay = 0;
                ayOk = true;
            }

            return timeOk && ayOk
                && TryNumber(row[_iAx], out raw.Ax) && TryNumber(row[_iAz], out raw.Az)
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
            var layout = _layout!;
            SettleTimeBase(layout);
            SettleAcceleration(layout);
            var scale = layout.Scale;
            (_gyroXScale, _gyroYScale, _gyroZScale) = (scale[(int)RideChannel.Gx], scale[(int)RideChannel.Gy], scale[(int)RideChannel.Gz]);
            SettleAngularRate(layout);
            (_magXScale, _magYScale, _magZScale) = (scale[(int)RideChannel.Mx], scale[(int)RideChannel.My], scale[(int)RideChannel.Mz]);
            (_speedScale, _altScale) = (scale[(int)RideChannel.Speed], scale[(int)RideChannel.Alt]);
            for (var i = 0; i < _pendingCount; i++)
            {
                Emit(in _pending[i]);
            }

            _pendingCount = 0;
        }

        private void SettleTimeBase(RideColumnLayout layout)
        {
            if (_isoTime == true)
            {
                (_timeToSeconds, _absoluteTime) = (0.001, true);
                _timeFormat = _isoOffset == false ? "local_text" : "iso8601";
                _timeSource = layout.TimeBase == TimeBase.Iso8601 ? UnitSources.Profile : UnitSources.Data;
                if (_isoOffset == false)
                {
                    _notes.Add("The time is wall-clock text without an offset; it is read as written (as if UTC).");
                }

                return;
            }

            _timeSource = layout.TimeSource;
            var first = _pendingCount > 0 ? _pending[0].T : 0;
            double? profileScale = layout.TimeBase switch
            {
                TimeBase.EpochMilliseconds or TimeBase.RelativeMilliseconds => 1e-3,
                TimeBase.RelativeSeconds or TimeBase.EpochSeconds => 1,
                TimeBase.RelativeMicroseconds => 1e-6,
                TimeBase.EpochNanoseconds or TimeBase.RelativeNanoseconds => 1e-9,
                _ => null,
            };
            if (profileScale is { } fromProfile)
            {
                _timeToSeconds = fromProfile;
                _absoluteTime = layout.TimeBase is TimeBase.EpochMilliseconds or TimeBase.EpochSeconds or TimeBase.EpochNanoseconds;
                return;
            }

            _timeToSeconds = layout.TimeUnit switch
            {
                TimeUnitHint.Seconds => 1,
                TimeUnitHint.Milliseconds => 1e-3,
                TimeUnitHint.Microseconds => 1e-6,
                TimeUnitHint.Nanoseconds => 1e-9,
                _ => TimeScaleFromData(first),
            };
            if (layout.TimeUnit is TimeUnitHint.Unknown or TimeUnitHint.Text)
            {
                _timeSource = UnitSources.Data;
            }

            var seconds = first * _timeToSeconds;
            _absoluteTime = seconds is >= EpochWindowStart and < EpochWindowEnd;
        }

        /// <summary>
        /// Seconds, milliseconds, microseconds or nanoseconds, since boot or since 1970, from the values: a unit that puts
        /// the first time between 2000 and 2100 at a sampling rate of 0.2 Hz–5 kHz wins (epoch); else the median step
        /// decides (a ride samples at 1 Hz–1 kHz).
        /// </summary>
        private double TimeScaleFromData(double first)
        {
            var step = MedianPositiveStep();
            ReadOnlySpan<double> scales = [1, 1e-3, 1e-6, 1e-9];
            foreach (var scale in scales)
            {
                var seconds = first * scale;
                var stepSeconds = step * scale;
                if (seconds is >= EpochWindowStart and < EpochWindowEnd && (step <= 0 || stepSeconds is >= 2e-4 and <= 5))
                {
                    return scale;
                }
            }

            if (step <= 0)
            {
                return 1;
            }

            // Steps of 0.5–2 written with fractions are seconds at 0.5–2 Hz; integer steps there are milliseconds at 0.5–2 kHz.
            return step switch
            {
                < 0.5 => 1,
                <= 2 when MostlyFractional() => 1,
                < 2_000 => 1e-3,
                < 1e6 => 1e-6,
                _ => 1e-9,
            };
        }

        private bool MostlyFractional()
        {
            var fractional = 0;
            for (var i = 0; i < _pendingCount; i++)
            {
                fractional += _pending[i].T != Math.Floor(_pending[i].T) ? 1 : 0;
            }

            return fractional * 2 > _pendingCount;
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

        private void SettleAcceleration(RideColumnLayout layout)
        {
            var unit = layout.Acceleration;
            _accelerationSource = layout.AccelerationSource;
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
                _accelerationSource = UnitSources.Data;
            }

            _accelerationUnit = unit;
            _accelerationScale = (unit == AccelerationUnit.G ? StandardGravity : 1.0) * (layout.NegateAcceleration ? -1 : 1);
        }

        /// <summary>
        /// The gyroscope's unit: what the profile states; else the data when it is decisive (it overrules a header, which
        /// is sometimes wrong); else the header; else deg/s.
        /// </summary>
        private void SettleAngularRate(RideColumnLayout layout)
        {
            var stated = layout.GyroStatedRadians;
            if (layout.GyroSource == UnitSources.Profile)
            {
                (_gyroRadians, _gyroSource) = (stated == true, UnitSources.Profile);
                return;
            }

            var fromData = AngularRateFromData(out var evidence);
            if (fromData is { } radians)
            {
                (_gyroRadians, _gyroSource) = (radians, UnitSources.Data);
                if (stated is { } header && header != radians)
                {
                    _notes.Add($"The header states {(header ? "rad/s" : "deg/s")} for the gyroscope, but {evidence}; read as {(radians ? "rad/s" : "deg/s")}.");
                }
            }
            else
            {
                (_gyroRadians, _gyroSource) = (stated == true, stated is null ? UnitSources.Default : UnitSources.Header);
            }

            var factor = _gyroRadians ? RadiansToDegrees : 1.0;
            (_gyroXScale, _gyroYScale, _gyroZScale) = (factor, factor, factor);
        }

        /// <summary>
        /// True for rad/s, false for deg/s, null when the detection rows cannot tell. A riding IMU in rad/s never
        /// stays at 10 or more for 5 % of the time (573 deg/s). The other way round needs a turn: when the GPS course
        /// swings by 45° or more, the gyroscope must have turned at least that far; values that add up to less than
        /// a tenth of the turn read as deg/s are rad/s (the rider turned 57 times as far as deg/s would say; the
        /// margin keeps a deg/s gyro with bias and noise on a real but gentle turn from reading as rad/s).
        /// </summary>
        private const double MaxCourseCheckSpeedMs = 90;

        private bool? AngularRateFromData(out string evidence)
        {
            evidence = "";
            if (_pendingCount < 16)
            {
                return null;
            }

            var magnitudes = new List<double>(_pendingCount);
            var integrated = 0.0;
            for (var i = 0; i < _pendingCount; i++)
            {
                ref readonly var p = ref _pending[i];
                var magnitude = Math.Sqrt(p.Gx * p.Gx + p.Gy * p.Gy + p.Gz * p.Gz);
                magnitudes.Add(magnitude);
                if (i > 0)
                {
                    integrated += magnitude * (p.T - _pending[i - 1].T) * _timeToSeconds;
                }
            }

            magnitudes.Sort();
            var p95 = magnitudes[magnitudes.Count * 95 / 100];
            if (p95 >= 10)
            {
                evidence = string.Create(CultureInfo.InvariantCulture, $"5 % of its values exceed {p95:F1}, a rate no ride reaches in rad/s");
                return false;
            }

            var course = CourseSwingDegrees();
            if (course >= 45 && integrated < course / 10)
            {
                evidence = string.Create(CultureInfo.InvariantCulture, $"the GPS course swings by {course:F0}° while its values add up to {integrated:F1} (read as degrees)");
                return true;
            }

            return null;
        }

        /// <summary>
        /// The largest difference between two GPS courses in the detection rows, from fixes at least 40 m apart (5 m of
        /// scatter turns those by 14° at most); a fix implying more than 90 m/s from the last one is a jump and is passed over.
        /// </summary>
        private double CourseSwingDegrees()
        {
            if (_iLat < 0)
            {
                return 0;
            }

            var (lastLat, lastLon, lastT) = (double.NaN, double.NaN, double.NaN);
            var firstCourse = double.NaN;
            double lowest = 0, highest = 0;
            for (var i = 0; i < _pendingCount; i++)
            {
                var (lat, lon) = (_pending[i].Lat, _pending[i].Lon);
                if (double.IsNaN(lat) || double.IsNaN(lon))
                {
                    continue;
                }

                var t = _pending[i].T * _timeToSeconds;
                if (double.IsNaN(lastLat))
                {
                    (lastLat, lastLon, lastT) = (lat, lon, t);
                    continue;
                }

                var metres = GeoMath.HaversineM(lastLat, lastLon, lat, lon);
                if (metres < 40 || metres > MaxCourseCheckSpeedMs * Math.Max(t - lastT, 1e-3))
                {
                    continue;
                }

                var course = Math.Atan2((lon - lastLon) * Math.Cos(lat * GeoMath.DegToRad), lat - lastLat) * GeoMath.RadToDeg;
                (lastLat, lastLon, lastT) = (lat, lon, t);
                if (double.IsNaN(firstCourse))
                {
                    firstCourse = course;
                    continue;
                }

                var relative = Math.IEEERemainder(course - firstCourse, 360);
                (lowest, highest) = (Math.Min(lowest, relative), Math.Max(highest, relative));
            }

            return highest - lowest;
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
                if (raw.T == _lastRawTime)
                {
                    _duplicateTimeRows++;
                }
                else
                {
                    _nonIncreasingRows++;
                }

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

            // Location APIs write −1 for "no speed" (iOS, Android): a negative speed is no speed, not a reverse gear.
            sample.Speed = raw.Speed >= 0 ? raw.Speed * _speedScale : double.NaN;
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
