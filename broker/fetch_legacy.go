package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kbridge/kbridge/broker/storage"
)

// downConvertFetch rewrites the record data of a Fetch v0-3 answer into the message
// format those versions carry: magic 0 for v0-1, magic 1 for v2-3, as Kafka's
// LazyDownConversionRecords does (storage.DownConvert). Only consumers of clients
// older than Kafka 0.11 fetch this way; replicas use v12+. A partition whose data
// cannot be converted (zstd, which only magic 2 can hold) answers
// UNSUPPORTED_COMPRESSION_TYPE, or, if the batches before the zstd one converted, those.
func downConvertFetch(req *kmsg.FetchRequest, resp *kmsg.FetchResponse) {
	magic := int8(1)
	if req.Version <= 1 {
		magic = 0
	}
	type tp struct {
		topic     string
		partition int32
	}
	from := map[tp]int64{}
	for _, rt := range req.Topics {
		for _, rp := range rt.Partitions {
			from[tp{rt.Topic, rp.Partition}] = rp.FetchOffset
		}
	}
	for ti := range resp.Topics {
		st := &resp.Topics[ti]
		for pi := range st.Partitions {
			sp := &st.Partitions[pi]
			if len(sp.RecordBatches) == 0 {
				continue
			}
			converted, err := storage.DownConvert(sp.RecordBatches, magic, from[tp{st.Topic, sp.Partition}])
			if err != nil {
				sp.ErrorCode, sp.RecordBatches = errorCode(err), []byte{}
				continue
			}
			sp.RecordBatches = converted
		}
	}
}
