namespace Portal.Core.Analytics.Reading;

/// <summary>
/// The stable codes a ride file can be refused with (stored with the ride, shown to the uploader,
/// documented in docs/analytics.md). Each has one sentence a person understands; the reader may
/// append specifics (which columns are missing, how many rows were bad).
/// </summary>
public static class RideRejectionCodes
{
    public const string EmptyFile = "empty_file";
    public const string NotCsv = "not_csv";
    public const string UnsupportedEncoding = "unsupported_encoding";
    public const string UnsupportedSeparator = "unsupported_separator";
    public const string NoHeader = "no_header";
    public const string NoTimeColumn = "no_time_column";
    public const string NoImuColumns = "no_imu_columns";
    public const string TooFewRows = "too_few_rows";
    public const string TooManyBadRows = "too_many_bad_rows";
    public const string TimestampsNotIncreasing = "timestamps_not_increasing";
    public const string LineTooLong = "line_too_long";
    public const string FileTooLarge = "file_too_large";
    public const string TruncatedGzip = "truncated_gzip";
    public const string CorruptGzip = "corrupt_gzip";

    /// <summary>Every code with its sentence, in the order the reader checks them.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new Dictionary<string, string>
    {
        [EmptyFile] = "The file is empty.",
        [NotCsv] = "The file is not a CSV text file (it looks binary or has no comma-separated header).",
        [UnsupportedEncoding] = "The file is not UTF-8 (it looks like UTF-16 or UTF-32); export it as UTF-8.",
        [UnsupportedSeparator] = "The file is separated by semicolons or tabs; ride files must be comma-separated with '.' as decimal point.",
        [NoHeader] = "The first line holds numbers, not column names: the file has no header row.",
        [NoTimeColumn] = "No time column was found (expected 'timestamp' or an alias such as 'time', 'Time (s)' or 'time_ms').",
        [NoImuColumns] = "The accelerometer and gyroscope columns ax, ay, az, gx, gy, gz (or their aliases) are not all present.",
        [TooFewRows] = "The file has fewer than 2 valid data rows.",
        [TooManyBadRows] = "More than 5 % of the data rows could not be read (wrong number of fields, non-numeric or non-finite values).",
        [TimestampsNotIncreasing] = "More than 5 % of the rows have a timestamp that goes backwards.",
        [LineTooLong] = "A line is longer than the limit; the file is not a ride file or is corrupt.",
        [FileTooLarge] = "The file is larger than the size limit.",
        [TruncatedGzip] = "The gzip file is truncated (the upload or copy was cut short).",
        [CorruptGzip] = "The gzip file is corrupt and cannot be decompressed.",
    };

    public static RideRejection Create(string code, string? detail = null) =>
        new(code, detail is null ? Descriptions[code] : $"{Descriptions[code]} {detail}");
}
