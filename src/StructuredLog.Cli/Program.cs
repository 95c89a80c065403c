using StructuredLog.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await SlogCommand.RunAsync(args, Console.Out, Console.Error, cancel.Token);
