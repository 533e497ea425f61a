namespace Portal.Jobs.CommandLine;

/// <summary>Dispatches the first argument to a command; each command lives in its own class.</summary>
public static class JobsCommandLine
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var rest = args.AsMemory(1);
        switch (args[0])
        {
            // analytics: analyze, simulate, bench  ·  pipeline: upload  ·  live devices: simulate-device
            case "upload":
                return await UploadCommand.RunAsync(rest, stdout, stderr, cancellationToken);
            default:
                await stderr.WriteLineAsync($"Unknown command '{args[0]}'. Commands: analyze, simulate, bench, upload, simulate-device.");
                _ = rest;
                _ = stdout;
                _ = cancellationToken;
                return 2;
        }
    }
}
