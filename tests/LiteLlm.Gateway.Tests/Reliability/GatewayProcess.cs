using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace LiteLlm.Gateway.Tests.Reliability;

/// <summary>
/// The gateway as a real, separate OS process (<c>dotnet LiteLlm.Gateway.dll --config … --port … --host 127.0.0.1</c>, or the
/// native executable LITELLM_GATEWAY_BINARY names, e.g. the Native AOT publish), so that signals (SIGTERM, SIGKILL) reach it
/// as they do in production. Dispose kills it (and its children) if still running.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Address = new Uri($"http://127.0.0.1:{port}");
        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 64 })
        {
            BaseAddress = Address,
            Timeout = TimeSpan.FromSeconds(20),
        };
    }

    public int Port { get; }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote to stdout and stderr so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The built gateway: LITELLM_GATEWAY_DLL, else src/LiteLlm.Gateway/bin/&lt;same configuration as the tests&gt;/net10.0, else the copy beside the test assembly.</summary>
    public static string FindGatewayDll()
    {
        if (Environment.GetEnvironmentVariable("LITELLM_GATEWAY_DLL") is { Length: > 0 } overridden)
        {
            return File.Exists(overridden) ? overridden : throw new FileNotFoundException("LITELLM_GATEWAY_DLL does not exist.", overridden);
        }

        var testDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testDir.Name;                      // net10.0
        var configuration = testDir.Parent?.Name ?? "Debug"; // Debug | Release
        for (var dir = testDir; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "LiteLlm.Gateway", "bin", configuration, framework, "LiteLlm.Gateway.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        // The test project references the gateway project, so the build copies it (with its runtimeconfig) next to the tests.
        var beside = Path.Combine(AppContext.BaseDirectory, "LiteLlm.Gateway.dll");
        if (File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "LiteLlm.Gateway.runtimeconfig.json")))
        {
            return beside;
        }

        throw new FileNotFoundException($"Cannot find the built LiteLlm.Gateway.dll (looked under src/LiteLlm.Gateway/bin/{configuration}/{framework} above {AppContext.BaseDirectory}); build Integration.sln or set LITELLM_GATEWAY_DLL.");
    }

    /// <summary>
    /// How to start the gateway: the executable LITELLM_GATEWAY_BINARY names (a Native AOT or self-contained publish) run
    /// directly, else <c>dotnet</c> with <see cref="FindGatewayDll"/> as its first argument.
    /// </summary>
    public static (string FileName, string[] Arguments) GatewayCommand()
    {
        if (Environment.GetEnvironmentVariable("LITELLM_GATEWAY_BINARY") is { Length: > 0 } binary)
        {
            return File.Exists(binary) ? (binary, []) : throw new FileNotFoundException("LITELLM_GATEWAY_BINARY does not exist.", binary);
        }

        return ("dotnet", [FindGatewayDll()]);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the gateway on <paramref name="configFile"/> and waits (up to 45 s) until GET /health/liveliness answers 200.</summary>
    public static async Task<GatewayProcess> StartAsync(string configFile, int? port = null)
    {
        var (fileName, prefix) = GatewayCommand();
        var chosen = port ?? FreePort();
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(configFile)!,
        };
        foreach (var arg in (string[])[.. prefix, "--config", configFile, "--port", chosen.ToString(System.Globalization.CultureInfo.InvariantCulture), "--host", "127.0.0.1"])
        {
            info.ArgumentList.Add(arg);
        }

        // Two cores shared with others: keep the runtime's own footprint small and predictable.
        info.Environment["DOTNET_TieredPGO"] = "0";
        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        if (!process.Start())
        {
            throw new InvalidOperationException($"{fileName} did not start.");
        }

        var gateway = new GatewayProcess(process, chosen);
        process.OutputDataReceived += (_, e) => gateway.Append(e.Data);
        process.ErrorDataReceived += (_, e) => gateway.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await gateway.WaitUntilLiveAsync(TimeSpan.FromSeconds(45));
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }

        return gateway;
    }

    /// <summary>Sends a POSIX signal with kill(1): TERM for an orderly shutdown, KILL for a crash.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {Pid} failed with {kill.ExitCode}.");
    }

    /// <summary>Waits for the process to exit; false when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            _process.WaitForExit(); // drains the redirected output
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>POST /key/generate with the master key; returns the new virtual key.</summary>
    public async Task<string> GenerateKeyAsync(string masterKey, string json = "{}")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/key/generate") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", masterKey);
        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/key/generate: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("key").GetString()!;
    }

    public static HttpRequestMessage Chat(string key, string model = "chat")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await WaitForExitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 200_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task WaitUntilLiveAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The gateway exited with {_process.ExitCode} before it was live:\n{Output}");
            }

            try
            {
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var response = await Http.GetAsync("/health/liveliness", probe.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"The gateway was not live on port {Port} within {timeout.TotalSeconds} s:\n{Output}");
    }
}
