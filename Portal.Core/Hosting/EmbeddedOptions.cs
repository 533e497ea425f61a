namespace Portal.Core.Hosting;

/// <summary>Where the embedded run keeps all its state; an empty directory is a fresh install.</summary>
public sealed class EmbeddedOptions
{
    public const string Section = "Embedded";

    /// <summary>Relative paths are resolved against the current directory.</summary>
    public string DataDir { get; set; } = "data";
}
