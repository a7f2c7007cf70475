namespace GanSharp;

/// <summary>
/// Checks a large allocation against the memory this process may use before libtorch is asked for it, so that a count
/// typed by a user ends in a sentence, not in libtorch's allocator failure.
/// </summary>
internal static class Allocation
{
    /// <summary>Refuses to allocate <paramref name="elements"/> float32 values for <paramref name="what"/> if they cannot fit.</summary>
    /// <exception cref="InputException">More than the memory available to the process (its container's limit, or the machine's).</exception>
    public static void CheckFloats(double elements, string what) => Check(elements * sizeof(float), what);

    /// <summary>Refuses an allocation of <paramref name="bytes"/> for <paramref name="what"/> if it cannot fit.</summary>
    /// <exception cref="InputException">More than the memory available to the process.</exception>
    public static void Check(double bytes, string what)
    {
        if (Problem(bytes, what) is { } problem) throw new InputException(problem);
    }

    /// <summary>The memory this process may use: its container's limit, or the machine's.</summary>
    public static long Available => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>The line that refuses <paramref name="bytes"/> for <paramref name="what"/>, or null when they fit.</summary>
    public static string? Problem(double bytes, string what) =>
        bytes > Available ? $"{what} would need {Gigabytes(bytes)} of memory; this machine has {Gigabytes(Available)}" : null;

    /// <summary>Bytes as GiB with one decimal.</summary>
    public static string Gigabytes(double bytes) => $"{bytes / (1L << 30):N1} GiB";
}
