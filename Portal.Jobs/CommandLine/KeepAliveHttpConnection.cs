using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace Portal.Jobs.CommandLine;

/// <summary>
/// One HTTP/1.1 keep-alive connection that sends GETs with a bearer token and reads each answer to its last byte
/// (Content-Length or chunked), keeping nothing. The load command's clients share the server's two cores: this
/// spends a fraction of what <see cref="HttpClient"/> spends per request, so the figures are more the server's.
/// </summary>
internal sealed class KeepAliveHttpConnection : IDisposable
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] LineEnd = "\r\n"u8.ToArray();
    private static readonly byte[] RequestHead = "GET "u8.ToArray();

    private readonly Socket socket;
    private readonly byte[] requestTail;
    private readonly byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;

    private KeepAliveHttpConnection(Socket socket, string host, string token)
    {
        this.socket = socket;
        // As browsers and HTTP libraries do; the body is read, not decompressed.
        requestTail = Encoding.ASCII.GetBytes($" HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nAccept-Encoding: gzip\r\n\r\n");
    }

    public static async Task<KeepAliveHttpConnection> OpenAsync(Uri server, string token, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server.Host, server.Port, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new KeepAliveHttpConnection(socket, server.Authority, token);
    }

    /// <returns>The status code, once the whole answer has been read.</returns>
    public async Task<int> GetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var request = new byte[RequestHead.Length + pathAndQuery.Length + requestTail.Length];
        RequestHead.CopyTo(request, 0);
        Encoding.ASCII.GetBytes(pathAndQuery, request.AsSpan(RequestHead.Length));
        requestTail.CopyTo(request, RequestHead.Length + pathAndQuery.Length);
        await socket.SendAsync(request, SocketFlags.None, cancellationToken);

        var headerLength = await ReadUntilAsync(HeaderEnd, cancellationToken);
        var (status, contentLength, chunked) = ParseHead(buffer.AsSpan(start, headerLength));
        start += headerLength + HeaderEnd.Length;
        if (chunked)
        {
            while (true)
            {
                var lineLength = await ReadUntilAsync(LineEnd, cancellationToken);
                var sizeText = buffer.AsSpan(start, lineLength);
                var extension = sizeText.IndexOf((byte)';');
                if (!Utf8Parser.TryParse(extension < 0 ? sizeText : sizeText[..extension], out long size, out _, 'x'))
                {
                    throw new InvalidDataException("A chunk size is not hexadecimal.");
                }

                start += lineLength + LineEnd.Length;
                if (size == 0)
                {
                    // Trailers, if any, end with an empty line.
                    while (await ReadUntilAsync(LineEnd, cancellationToken) is var trailer and > 0)
                    {
                        start += trailer + LineEnd.Length;
                    }

                    start += LineEnd.Length;
                    break;
                }

                await SkipAsync(size + LineEnd.Length, cancellationToken);
            }
        }
        else
        {
            await SkipAsync(contentLength, cancellationToken);
        }

        return status;
    }

    public void Dispose() => socket.Dispose();

    private static (int Status, long ContentLength, bool Chunked) ParseHead(ReadOnlySpan<byte> head)
    {
        // "HTTP/1.1 200 OK"
        if (head.Length < 12 || !Utf8Parser.TryParse(head.Slice(9, 3), out int status, out _))
        {
            throw new InvalidDataException("The answer does not start with an HTTP/1.1 status line.");
        }

        long contentLength = 0;
        var chunked = false;
        foreach (var range in head.Split(LineEnd))
        {
            var line = head[range];
            if (StartsWithIgnoreCase(line, "content-length:"u8))
            {
                if (!Utf8Parser.TryParse(line["content-length:".Length..].Trim((byte)' '), out contentLength, out _))
                {
                    throw new InvalidDataException("A Content-Length is not a number.");
                }
            }
            else if (StartsWithIgnoreCase(line, "transfer-encoding:"u8) && line.IndexOf("chunked"u8) >= 0)
            {
                chunked = true;
            }
        }

        return (status, contentLength, chunked);
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> line, ReadOnlySpan<byte> lowerPrefix)
    {
        if (line.Length < lowerPrefix.Length)
        {
            return false;
        }

        for (var i = 0; i < lowerPrefix.Length; i++)
        {
            // Lower-casing by bit 5 leaves ':' and '-' as they are.
            if ((line[i] | 0x20) != lowerPrefix[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <returns>The number of bytes from <see cref="start"/> to the delimiter, with the delimiter in the buffer.</returns>
    private async Task<int> ReadUntilAsync(byte[] delimiter, CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = buffer.AsSpan(start, end - start).IndexOf(delimiter);
            if (found >= 0)
            {
                return found;
            }

            await FillAsync(cancellationToken);
        }
    }

    private async Task SkipAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (start == end)
            {
                await FillAsync(cancellationToken);
            }

            var take = (int)Math.Min(count, end - start);
            start += take;
            count -= take;
        }
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (start == end)
        {
            start = end = 0;
        }
        else if (end == buffer.Length)
        {
            if (start == 0)
            {
                throw new InvalidDataException("An answer's head is longer than the buffer.");
            }

            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }

        var received = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, cancellationToken);
        if (received == 0)
        {
            throw new IOException("The server closed the connection in the middle of an answer.");
        }

        end += received;
    }
}
