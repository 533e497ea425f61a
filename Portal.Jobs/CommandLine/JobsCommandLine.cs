namespace Portal.Jobs.CommandLine;

/// <summary>Dispatches the first argument to a command; each command lives in its own class.</summary>
public static class JobsCommandLine
{
    private const string Commands = "analyze, simulate, bench-analytics, upload, simulate-device, bench-ingest, load";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var rest = args.AsMemory(1);
        switch (args[0])
        {
            case "analyze":
                return await AnalyzeCommand.RunAsync(rest, stdout, stderr, cancellationToken);
            case "simulate":
                return await SimulateCommand.RunAsync(rest, stdout, stderr, cancellationToken);
            case "bench-analytics":
                return await BenchCommand.RunAsync(rest, stdout, stderr, cancellationToken);
            case "upload":
                return await UploadCommand.RunAsync(rest, stdout, stderr, cancellationToken);
            case "simulate-device":
                return await SimulateDeviceCommand.RunAsync(rest, stdout, stderr, cancellationToken);
            case "bench-ingest":
                return await BenchIngestCommand.RunAsync(rest, stdout, stderr, cancellationToken);
            case "load":
                return await LoadCommand.RunAsync(rest, stdout, stderr, cancellationToken);
            default:
                await stderr.WriteLineAsync($"Unknown command '{args[0]}'. Commands: {Commands}.");
                return 2;
        }
    }
}
