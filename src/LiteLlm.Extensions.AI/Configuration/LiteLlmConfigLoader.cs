using System.Globalization;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace LiteLlm.Configuration;

/// <summary>
/// Reads LiteLLM's <c>config.yaml</c> format — from a YAML file or text, or from an
/// <see cref="IConfiguration"/> section of the same shape (appsettings.json, environment variables).
/// <c>os.environ/NAME</c> references are resolved from <c>environment_variables</c>, then the process.
/// </summary>
public static class LiteLlmConfigLoader
{
    /// <summary>Reads a config file.</summary>
    public static LiteLlmConfig LoadYamlFile(string path, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ParseYaml(File.ReadAllText(path), environment);
    }

    /// <summary>Reads config text.</summary>
    /// <exception cref="FormatException">The text is not valid YAML (the message names the line).</exception>
    public static LiteLlmConfig ParseYaml(string yaml, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException($"The config is not valid YAML (line {e.Start.Line}, column {e.Start.Column}): {e.Message}", e);
        }

        var root = stream.Documents.Count == 0 ? null : FromYaml(stream.Documents[0].RootNode);
        return new ConfigParser(environment ?? Environment.GetEnvironmentVariable).Parse(root);
    }

    /// <summary>Reads a configuration section shaped like config.yaml (e.g. the <c>LiteLlm</c> section of appsettings.json).</summary>
    public static LiteLlmConfig FromConfiguration(IConfiguration section, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        return new ConfigParser(environment ?? Environment.GetEnvironmentVariable).Parse(FromConfigurationNode(section));
    }

    private static object? FromYaml(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(
            c => ((YamlScalarNode)c.Key).Value ?? string.Empty, c => FromYaml(c.Value), StringComparer.Ordinal),
        YamlSequenceNode seq => seq.Children.Select(FromYaml).ToList(),
        YamlScalarNode scalar => scalar.Style is YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is "~" or "null" or "" ? null : scalar.Value,
        _ => null,
    };

    private static object? FromConfigurationNode(IConfiguration node)
    {
        var children = node.GetChildren().ToList();
        if (children.Count == 0)
        {
            return node is IConfigurationSection s ? s.Value : null;
        }

        // IConfiguration spells arrays as children "0", "1", …
        if (children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            return children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)).Select(FromConfigurationNode).ToList();
        }

        return children.ToDictionary(c => c.Key, FromConfigurationNode, StringComparer.Ordinal);
    }
}
