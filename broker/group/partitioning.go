package group

// JavaStringHashCode is Java's String.hashCode: h = 31*h + c over the UTF-16 code units,
// in int32 arithmetic. Kafka places a group by it, so the same group must land on the
// same __consumer_offsets partition here as on a Java broker reading the same topic.
func JavaStringHashCode(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}

// PartitionFor is Kafka's GroupMetadataManager.partitionFor: Utils.abs(hash) % n, where
// Utils.abs is n & 0x7fffffff (not math.Abs, which overflows for MinInt32).
func PartitionFor(groupID string, numPartitions int32) int32 {
	return (JavaStringHashCode(groupID) & 0x7fffffff) % numPartitions
}
