using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LiteLlm.Docs.Tests;

/// <summary>
/// Every C# block in README.md and docs/ compiles against the library, as a reader would paste it: the README's first
/// block alone, with only its own usings (a new user's first program); the others with the usings and the few
/// variables they take from their surrounding text (<see cref="Prelude"/>).
/// </summary>
public sealed partial class DocSnippetTests
{
    /// <summary>The usings a new console app has (<c>dotnet new console</c>: ImplicitUsings enabled).</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>What the prose around a fragment provides: the usual usings, an app builder, a service collection…</summary>
    private const string Prelude = """
        global using System.ComponentModel;
        global using LiteLlm;
        global using LiteLlm.Caching;
        global using LiteLlm.Configuration;
        global using LiteLlm.Cost;
        global using LiteLlm.Errors;
        global using LiteLlm.Models;
        global using LiteLlm.Observability;
        global using LiteLlm.Providers;
        global using LiteLlm.Routing;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Mvc;
        global using Microsoft.Extensions.AI;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.SemanticKernel;
        """;

    private const string Ambient = """
        internal static class Ambient
        {
            public static WebApplicationBuilder builder = WebApplication.CreateBuilder();
            public static WebApplication app = builder.Build();
            public static IServiceCollection services = new ServiceCollection();
            public static IChatClient client = Llm.GetChatClient("mock/x");
            public static IChatClient providerClient = client;
            public static IChatClient chatClient = client;
            public static List<ChatMessage> messages = [];
            public static ChatOptions options = new();
            public static ChatResponse response = new();
            public static List<Deployment> deployments = [];
            public static string apiKey = "sk-test";
            public static CancellationToken cancellationToken = CancellationToken.None;
            public static IServiceProvider provider = services.BuildServiceProvider();
            public static StackExchange.Redis.IConnectionMultiplexer redis = null!;
        }

        internal sealed class MyBackend;

        internal sealed class MyChatClient(string model, MyBackend? backend = null) : DelegatingChatClient(Llm.GetChatClient("mock/" + model))
        {
            public MyBackend? Backend { get; } = backend;
        }

        internal sealed record Question(string Text);

        internal sealed class MySpendLogger : ILiteLlmCallback;
        """;

    private static readonly string Root = RepoRoot();

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "README.md")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return dir.FullName;
    }

    [GeneratedRegex(@"^```csharp\s*\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f)).Order(StringComparer.Ordinal)))
        {
            var count = CSharpBlock().Count(File.ReadAllText(Path.Combine(Root, file)));
            for (var i = 0; i < count; i++)
            {
                data.Add(file, i);
            }
        }

        return data;
    }

    private static string Block(string file, int index) => CSharpBlock().Matches(File.ReadAllText(Path.Combine(Root, file)))[index].Groups[1].Value;

    private static ImmutableArray<MetadataReference> References { get; } =
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Select(p => MetadataReference.CreateFromFile(p))];

    private static IReadOnlyList<string> Compile(params (string Path, string Code)[] files)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "Snippet",
            files.Select(f => CSharpSyntaxTree.ParseText(f.Code, parse, f.Path)),
            References,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1998"] = ReportDiagnostic.Suppress }));
        return [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString())];
    }

    [Fact]
    public void TheReadmesFirstBlock_CompilesAlone_AsANewUsersProgram()
    {
        var errors = Compile(("README.md#0", Block("README.md", 0)), ("ImplicitUsings.cs", ImplicitUsings));
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void EveryBlock_Compiles(string file, int index)
    {
        var code = Block(file, index);
        // A block with its own top-level statements is a program; a block that only declares members or types is not,
        // and one that starts with a statement uses the ambient variables the prose gives it.
        var body = "using static Ambient;\n" + code;
        var errors = Compile(($"{file}#{index}", body), ("ImplicitUsings.cs", ImplicitUsings), ("Prelude.cs", Prelude), ("Ambient.cs", Ambient));
        Assert.True(errors.Count == 0, $"{file} block {index}:\n{code}\n--\n" + string.Join('\n', errors));
    }
}
