/// The murmur2 hash and partitioner of Kafka's Java client.
///
/// Sluice places keys on repartition topics with exactly the Java default partitioner's rule,
/// `toPositive(murmur2(keyBytes)) % partitionCount`, so a Java producer and a Sluice job agree
/// on which partition holds a key and their topics stay co-partitioned.
public enum Murmur2 {
    /// The 32-bit murmur2 hash with Kafka's seed `0x9747b28c`, as a signed value like Java's `int`.
    public static func hash<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int32 {
        let m: UInt32 = 0x5bd1_e995
        let data = Array(bytes)
        let length = data.count
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        var index = 0
        while index + 4 <= length {
            var k = UInt32(data[index]) | UInt32(data[index + 1]) << 8
                | UInt32(data[index + 2]) << 16 | UInt32(data[index + 3]) << 24
            k &*= m
            k ^= k >> 24
            k &*= m
            h &*= m
            h ^= k
            index += 4
        }
        let tail = length & 3
        if tail == 3 { h ^= UInt32(data[index + 2]) << 16 }
        if tail >= 2 { h ^= UInt32(data[index + 1]) << 8 }
        if tail >= 1 {
            h ^= UInt32(data[index])
            h &*= m
        }
        h ^= h >> 13
        h &*= m
        h ^= h >> 15
        return Int32(bitPattern: h)
    }

    /// The partition Kafka's default partitioner picks for a non-null key.
    public static func partition<Bytes: Collection<UInt8>>(key bytes: Bytes, partitionCount: Int) -> Int {
        precondition(partitionCount > 0, "a topic has at least one partition")
        return Int(hash(bytes) & 0x7fff_ffff) % partitionCount
    }
}
