using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using StructuredLog.TestSupport.Certificates;

namespace StructuredLog.TestSupport.Syslog;

/// <summary>
/// A real rsyslogd (Debian packages <c>rsyslog</c> and <c>rsyslog-gnutls</c>) run in the foreground with its
/// own config and work directory in a temporary folder, listening on free loopback ports: UDP (imudp),
/// TCP (imtcp) and, when asked, TLS (imtcp with the gtls driver, anonymous client auth, a server certificate
/// issued by a throw-away CA). Everything received goes through mmpstrucdata and is written as one JSON
/// object per message (<see cref="SyslogRecord"/>). <see cref="DisposeAsync"/> kills the process and deletes the folder.
/// </summary>
public sealed class RsyslogServer : IAsyncDisposable
{
    private Process? _process;
    private readonly StringBuilder _stderr = new();
    private readonly string _outPath;

    private RsyslogServer(string directory, int udp, int tcp, int? tls, TestCertificateAuthority? ca)
    {
        Directory = directory;
        UdpPort = udp;
        TcpPort = tcp;
        TlsPort = tls;
        Authority = ca;
        _outPath = Path.Combine(directory, "out.jsonl");
    }

    /// <summary>The path of rsyslogd, or null when it is not installed.</summary>
    public static string? Executable =>
        new[] { "/usr/sbin/rsyslogd", "/usr/bin/rsyslogd", "/sbin/rsyslogd" }.FirstOrDefault(File.Exists);

    /// <summary>The work directory (config, output, pid file).</summary>
    public string Directory { get; }

    /// <summary>The imudp port.</summary>
    public int UdpPort { get; }

    /// <summary>The plain imtcp port.</summary>
    public int TcpPort { get; }

    /// <summary>The TLS port, when started with TLS.</summary>
    public int? TlsPort { get; }

    /// <summary>The CA that issued the server certificate (TLS only).</summary>
    public TestCertificateAuthority? Authority { get; }

    /// <summary>Starts rsyslogd and waits until every listener accepts (bounded by 20 s).</summary>
    public static async Task<RsyslogServer> StartAsync(bool tls = false)
    {
        var exe = Executable ?? throw new InvalidOperationException("rsyslogd is not installed: apt-get install -y rsyslog rsyslog-gnutls (test.sh does it when run as root)");
        var dir = Path.Combine(Path.GetTempPath(), "sl-rsyslog-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        int udp = FreePort.Udp(), tcp = FreePort.Tcp();
        int? tlsPort = tls ? FreePort.Tcp() : null;
        TestCertificateAuthority? ca = null;
        var global = new StringBuilder($"global(workDirectory=\"{dir}\" maxMessageSize=\"64k\"");
        if (tls)
        {
            ca = new TestCertificateAuthority();
            using var serverCert = ca.Issue("localhost");
            TestCertificateAuthority.WritePem(ca.Certificate, Path.Combine(dir, "ca.pem"));
            TestCertificateAuthority.WritePem(serverCert, Path.Combine(dir, "server.pem"), Path.Combine(dir, "server.key"));
            global.Append($" DefaultNetstreamDriverCAFile=\"{dir}/ca.pem\" DefaultNetstreamDriverCertFile=\"{dir}/server.pem\" DefaultNetstreamDriverKeyFile=\"{dir}/server.key\"");
        }
        global.Append(')');
        var conf = $$"""
            {{global}}
            module(load="imudp")
            module(load="imtcp" maxSessions="200")
            module(load="mmpstrucdata")
            template(name="json" type="list" option.jsonf="on") {
              property(outname="pri" name="pri" format="jsonf")
              property(outname="facility" name="syslogfacility" format="jsonf")
              property(outname="severity" name="syslogseverity" format="jsonf")
              property(outname="hostname" name="hostname" format="jsonf")
              property(outname="app" name="app-name" format="jsonf")
              property(outname="procid" name="procid" format="jsonf")
              property(outname="msgid" name="msgid" format="jsonf")
              property(outname="sd" name="structured-data" format="jsonf")
              property(outname="msg" name="msg" format="jsonf")
              property(outname="input" name="inputname" format="jsonf")
              property(outname="parsed" name="$!rfc5424-sd" format="jsonf")
            }
            input(type="imudp" address="127.0.0.1" port="{{udp}}" ruleset="main")
            input(type="imtcp" address="127.0.0.1" port="{{tcp}}" ruleset="main")
            {{(tls ? $"input(type=\"imtcp\" address=\"127.0.0.1\" port=\"{tlsPort}\" ruleset=\"main\" streamDriver.name=\"gtls\" streamDriver.mode=\"1\" streamDriver.authMode=\"anon\")" : "")}}
            ruleset(name="main") {
              action(type="mmpstrucdata" sd_name.lowercase="off")
              action(type="omfile" file="{{dir}}/out.jsonl" template="json")
            }
            """;
        File.WriteAllText(Path.Combine(dir, "rsyslog.conf"), conf);
        var server = new RsyslogServer(dir, udp, tcp, tlsPort, ca);
        await server.LaunchAsync();
        return server;
    }

    /// <summary>True while rsyslogd runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Kills rsyslogd (the ports then refuse connections); <see cref="StartAgainAsync"/> brings it back on the same ports.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null) return;
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException) { /* already gone */ }
        process.Dispose();
    }

    /// <summary>Starts rsyslogd again with the same config, ports and output file.</summary>
    public Task StartAgainAsync() => _process is null ? LaunchAsync() : Task.CompletedTask;

    private async Task LaunchAsync()
    {
        var psi = new ProcessStartInfo(Executable!)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-n", "-f", Path.Combine(Directory, "rsyslog.conf"), "-i", Path.Combine(Directory, "rsyslog.pid") }) psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start rsyslogd");
        _process = process;
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            var timeout = TimeSpan.FromSeconds(20);
            await FreePort.WaitAcceptingAsync(TcpPort, timeout, () => !process.HasExited);
            if (TlsPort is int tp) await FreePort.WaitAcceptingAsync(tp, timeout, () => !process.HasExited);
            await WaitUdpReadyAsync(timeout);
        }
        catch (Exception ex)
        {
            var log = Diagnostics;
            await DisposeAsync();
            throw new InvalidOperationException("rsyslogd did not start: " + ex.Message + "\n" + log, ex);
        }
    }

    /// <summary>What rsyslogd wrote to stdout/stderr (for failure messages).</summary>
    public string Diagnostics { get { lock (_stderr) return _stderr.ToString(); } }

    private async Task WaitUdpReadyAsync(TimeSpan timeout)
    {
        using var udp = new UdpClient();
        udp.Connect("127.0.0.1", UdpPort);
        string token = "ready-" + Guid.NewGuid().ToString("N");
        var probe = Encoding.ASCII.GetBytes("<14>1 - fixture probe - - - " + token);
        var deadline = DateTime.UtcNow + timeout;
        while (!ReadAll().Any(r => r.AppName == "probe" && r.Message == token))
        {
            if (DateTime.UtcNow > deadline || !IsRunning) throw new TimeoutException("imudp never received the probe");
            await udp.SendAsync(probe);
            await Task.Delay(50);
        }
    }

    private long _countedOffset, _countedLines;
    private readonly byte[] _countBuffer = new byte[64 * 1024];

    /// <summary>
    /// Lines (messages) rsyslog has written so far, probes included, counted incrementally from the output file
    /// without parsing: cheap enough to poll from a benchmark.
    /// </summary>
    public long CountLines()
    {
        if (!File.Exists(_outPath)) return 0;
        using var fs = new FileStream(_outPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        fs.Position = _countedOffset;
        var buffer = _countBuffer;
        int n;
        while ((n = fs.Read(buffer)) > 0)
        {
            _countedLines += buffer.AsSpan(0, n).Count((byte)'\n');
            _countedOffset += n;
        }
        return _countedLines;
    }

    /// <summary>Every message received so far, fixture probes excluded.</summary>
    public IReadOnlyList<SyslogRecord> Records => ReadAll().Where(r => r.AppName != "probe").ToList();

    private List<SyslogRecord> ReadAll()
    {
        var list = new List<SyslogRecord>();
        if (!File.Exists(_outPath)) return list;
        string text;
        using (var fs = new FileStream(_outPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(fs, Encoding.UTF8))
            text = reader.ReadToEnd();
        int end = text.LastIndexOf('\n');
        if (end < 0) return list;
        foreach (var line in text[..end].Split('\n'))
        {
            if (line.Length > 0) list.Add(SyslogRecord.Parse(line));
        }
        return list;
    }

    /// <summary>Waits (bounded) until <paramref name="count"/> records match <paramref name="match"/>; returns them.</summary>
    public async Task<IReadOnlyList<SyslogRecord>> WaitForAsync(Func<SyslogRecord, bool> match, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var found = Records.Where(match).ToList();
            if (found.Count >= count) return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"rsyslog received {found.Count} of {count} expected messages within {timeout.TotalSeconds} s. rsyslogd said:\n{Diagnostics}");
            if (_process is { HasExited: true }) throw new InvalidOperationException("rsyslogd exited: " + Diagnostics);
            await Task.Delay(50);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); }
        catch (Exception) { /* already gone */ }
        Authority?.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
