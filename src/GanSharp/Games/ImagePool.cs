using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace GanSharp.Games;

/// <summary>
/// A game's own state beyond its players and optimizers — CycleGAN's image pools, say — saved in every checkpoint under
/// its name and restored on resume, so that a resumed run continues exactly (<see cref="Game.AddState{T}"/>).
/// </summary>
public interface IGameState
{
    /// <summary>Writes the state.</summary>
    void Save(BinaryWriter writer);
    /// <summary>Replaces the state with one <see cref="Save"/> wrote.</summary>
    /// <exception cref="InputException">Bytes that are not such a state, or one of another shape.</exception>
    void Load(BinaryReader reader);
}

/// <summary>
/// A history of generated images that a discriminator is shown in place of the newest ones (Shrivastava et al. 2017,
/// "Learning from Simulated and Unsupervised Images through Adversarial Training", section 2.3; CycleGAN keeps 50 per
/// discriminator, Zhu et al. 2017, section 4), so that D does not forget what G drew before. For each image of a query:
/// <code>
/// while the pool holds fewer than its capacity:  store the image, and return it
/// then, with probability ½:                     return a stored image chosen uniformly, and store the new one in its place
///       else:                                    return the new image
/// </code>
/// The draws come from the run's generator: for a query of m images, m uniform u and m indices, always (whether or not
/// the pool is full), so a resumed run draws the same ones. "Probability ½" is u &gt; 0.5, as CycleGAN's reference tests it.
/// The pool is saved in checkpoints (<see cref="IGameState"/>).
/// </summary>
public sealed class ImagePool(int capacity) : IGameState, IDisposable
{
    /// <summary>Images the pool keeps (0: none; queries return their images).</summary>
    public int Capacity { get; } = capacity >= 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a pool's capacity cannot be negative");
    /// <summary>Images stored so far (at most <see cref="Capacity"/>).</summary>
    public int Count { get; private set; }
    private Tensor? stored;   // [Capacity, C, H, W], detached, on the images' device

    /// <summary>
    /// The images D is shown for the newest generated <paramref name="images"/> <c>[m, C, H, W]</c> (detached: the pool
    /// holds no graph), drawing from <paramref name="rng"/> (a generator of the images' device).
    /// </summary>
    public Tensor Query(Tensor images, torch.Generator rng)
    {
        var shown = images.detach().clone();                                         // [m, C, H, W]
        if (Capacity == 0) return shown;
        long m = images.shape[0];
        using var u = rand([m], generator: rng, device: images.device);               // [m] in [0, 1)
        using var ids = randint(Capacity, [m], generator: rng, device: images.device); // [m] in 0…Capacity−1
        using var uCpu = u.cpu();
        using var idsCpu = ids.cpu();
        var draws = uCpu.data<float>();
        var slots = idsCpu.data<long>();
        stored ??= empty([Capacity, .. images.shape[1..]], device: images.device).DetachFromDisposeScope();   // kept across steps
        if (stored.device_type != images.device_type || stored.device_index != images.device_index) To(images.device);  // restored on the CPU
        using var _ = no_grad();
        for (int i = 0; i < m; i++)
        {
            using var image = shown[i];
            if (Count < Capacity)
            {
                using var slot = stored[Count++];
                slot.copy_(image);
            }
            else if (draws[i] > 0.5f)
            {
                using var slot = stored[slots[i]];
                using var old = slot.clone();
                slot.copy_(image);
                image.copy_(old);
            }
        }
        return shown;
    }

    /// <inheritdoc/>
    public void Save(BinaryWriter writer)
    {
        writer.Write(Capacity);
        writer.Write(Count);
        if (Count == 0) return;
        using var kept = stored!.narrow(0, 0, Count).cpu().contiguous();
        var shape = kept.shape;
        writer.Write(shape.Length);
        foreach (var d in shape) writer.Write(d);
        writer.Write(MemoryMarshal.AsBytes(kept.data<float>().ToArray().AsSpan()));
    }

    /// <inheritdoc/>
    public void Load(BinaryReader reader)
    {
        int capacity = reader.ReadInt32(), count = reader.ReadInt32();
        if (capacity != Capacity || count < 0 || count > capacity)
            throw new InputException($"an image pool of {count} of {capacity} images does not fit this game's pool of {Capacity}");
        stored?.Dispose();
        stored = null;
        Count = 0;
        if (count == 0) return;
        int rank = reader.ReadInt32();
        if (rank != 4) throw new InputException($"an image pool holds images [N, C, H, W], not of rank {rank}");
        var shape = Enumerable.Range(0, rank).Select(_ => reader.ReadInt64()).ToArray();
        if (shape[0] != count || shape.Skip(1).Any(d => d <= 0 || d > 1 << 16)) throw new InputException("an image pool's saved shape does not match its count");
        int length = checked((int)(shape.Aggregate(1L, (a, b) => a * b) * sizeof(float)));
        var bytes = reader.ReadBytes(length);
        if (bytes.Length != length) throw new InputException("an image pool's saved images are cut short");
        using var kept = tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape);
        stored = zeros([Capacity, .. shape[1..]]).DetachFromDisposeScope();
        stored.narrow(0, 0, count).copy_(kept);
        Count = count;
    }

    /// <summary>Moves the stored images to <paramref name="device"/> (where the game's images are).</summary>
    public void To(Device device)
    {
        if (stored is null) return;
        var moved = stored.to(device).DetachFromDisposeScope();
        if (!ReferenceEquals(moved, stored)) stored.Dispose();
        stored = moved;
    }

    /// <inheritdoc/>
    public void Dispose() => stored?.Dispose();
}
