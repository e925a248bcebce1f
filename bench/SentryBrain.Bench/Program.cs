using BenchmarkDotNet.Running;

// Run all: dotnet run -c Release --project bench/SentryBrain.Bench -- --filter '*'
// Quick:   dotnet run -c Release --project bench/SentryBrain.Bench -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
