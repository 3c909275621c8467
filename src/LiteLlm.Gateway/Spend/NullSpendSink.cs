namespace LiteLlm.Gateway.Spend;

/// <summary>The spend sink used when no storage is registered: records are dropped.</summary>
internal sealed class NullSpendSink : ISpendSink
{
    public void Record(SpendRecord record)
    {
    }
}
