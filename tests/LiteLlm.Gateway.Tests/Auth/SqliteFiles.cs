namespace LiteLlm.Gateway.Tests.Auth;

/// <summary>Removes a test's throw-away SQLite database: the pooled connections first, then the file and its WAL files.</summary>
internal static class SqliteFiles
{
    public static void Delete(string path)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(f);
        }
    }
}
