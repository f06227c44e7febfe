package znode

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Admin and notification znodes (ZkData):
//
//	/admin/delete_topics/<topic>          no data; the topic is queued for deletion
//	/admin/reassign_partitions            {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}]}
//	/admin/preferred_replica_election     {"version":1,"partitions":[{"topic":"t","partition":0}]}
//	/isr_change_notification/isr_change_N {"version":1,"partitions":[{"topic":"t","partition":0}]}
//	/log_dir_event_notification/log_dir_event_N {"version":1,"broker":1,"event":1}
//	/latest_producer_id_block             {"version":1,"broker":0,"block_start":"0","block_end":"999"}
//	/brokers/seqid                        no data; its zkVersion generates broker ids

// TopicPartition names one partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// PartitionReassignment is one entry of /admin/reassign_partitions (deprecated since
// Kafka 2.4 in favour of the AlterPartitionReassignments API, but still honoured).
type PartitionReassignment struct {
	Topic     string
	Partition int32
	Replicas  []int32
}

// EncodeReassignPartitions returns /admin/reassign_partitions' data.
func EncodeReassignPartitions(rs []PartitionReassignment) []byte {
	items := make([][]byte, 0, len(rs))
	for _, r := range rs {
		items = append(items, newJSONWriter().
			string("topic", r.Topic).
			int("partition", int64(r.Partition)).
			raw("replicas", appendJSONInt32s(nil, r.Replicas)).
			bytes())
	}
	return encodePartitionList(items)
}

// DecodeReassignPartitions reads /admin/reassign_partitions.
func DecodeReassignPartitions(data []byte) ([]PartitionReassignment, error) {
	var out []PartitionReassignment
	err := decodePartitionList(data, func(item jsonObject) error {
		tp, err := decodeTopicPartition(item)
		if err != nil {
			return err
		}
		replicas, err := item.int32s("replicas")
		if err != nil {
			return err
		}
		out = append(out, PartitionReassignment{Topic: tp.Topic, Partition: tp.Partition, Replicas: replicas})
		return nil
	})
	return out, err
}

// EncodePartitions returns the data of /admin/preferred_replica_election or of an
// isr_change_ notification: both are a version 1 list of partitions.
func EncodePartitions(tps []TopicPartition) []byte {
	items := make([][]byte, 0, len(tps))
	for _, tp := range tps {
		items = append(items, newJSONWriter().string("topic", tp.Topic).int("partition", int64(tp.Partition)).bytes())
	}
	return encodePartitionList(items)
}

// DecodePartitions reads /admin/preferred_replica_election or an isr_change_ notification.
func DecodePartitions(data []byte) ([]TopicPartition, error) {
	var out []TopicPartition
	err := decodePartitionList(data, func(item jsonObject) error {
		tp, err := decodeTopicPartition(item)
		if err == nil {
			out = append(out, tp)
		}
		return err
	})
	return out, err
}

func encodePartitionList(items [][]byte) []byte {
	list := []byte{'['}
	for i, item := range items {
		if i > 0 {
			list = append(list, ',')
		}
		list = append(list, item...)
	}
	return newJSONWriter().int("version", 1).raw("partitions", append(list, ']')).bytes()
}

func decodePartitionList(data []byte, item func(jsonObject) error) error {
	obj, err := parseJSONObject(data)
	if err != nil {
		return err
	}
	if _, err := obj.version(1); err != nil {
		return err
	}
	items, err := obj.array("partitions")
	if err != nil {
		return err
	}
	for i, raw := range items {
		o, err := jsonObjectValue(raw)
		if err == nil {
			err = item(o)
		}
		if err != nil {
			return fmt.Errorf("partitions[%d]: %w", i, err)
		}
	}
	return nil
}

func decodeTopicPartition(item jsonObject) (TopicPartition, error) {
	topic, err := item.string("topic")
	if err != nil {
		return TopicPartition{}, err
	}
	partition, err := item.int32("partition")
	if err != nil {
		return TopicPartition{}, err
	}
	if partition < 0 {
		return TopicPartition{}, fmt.Errorf("field \"partition\": %d is negative", partition)
	}
	return TopicPartition{Topic: topic, Partition: partition}, nil
}

// logDirFailureEvent is LogDirEventNotificationSequenceZNode's only event.
const logDirFailureEvent = 1

// EncodeLogDirEvent returns a log_dir_event_ notification: brokerID lost a log directory.
func EncodeLogDirEvent(brokerID int32) []byte {
	return newJSONWriter().int("version", 1).int("broker", int64(brokerID)).int("event", logDirFailureEvent).bytes()
}

// DecodeLogDirEvent reads a log_dir_event_ notification and returns the broker id.
func DecodeLogDirEvent(data []byte) (int32, error) {
	obj, err := parseJSONObject(data)
	if err != nil {
		return 0, err
	}
	if _, err := obj.version(1); err != nil {
		return 0, err
	}
	broker, err := obj.int32("broker")
	if err != nil {
		return 0, err
	}
	event, err := obj.int32("event")
	if err != nil {
		return 0, err
	}
	if event != logDirFailureEvent {
		return 0, fmt.Errorf("field \"event\": unknown event %d", event)
	}
	return broker, nil
}

// ProducerIDBlockSize is ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE.
const ProducerIDBlockSize = 1000

// ProducerIDBlock is /latest_producer_id_block: the last block of producer ids handed
// out, [BlockStart, BlockEnd], and the broker it went to (-1 when a KRaft controller
// wrote it in dual-write mode).
type ProducerIDBlock struct {
	BrokerID   int32
	BlockStart int64
	BlockEnd   int64
}

// NextProducerID is ProducerIdsBlock.nextBlockFirstId, the first id not yet handed out.
func (b ProducerIDBlock) NextProducerID() int64 { return b.BlockEnd + 1 }

// EncodeProducerIDBlock returns the znode's data; the bounds are strings, as Kafka
// writes them.
func EncodeProducerIDBlock(b ProducerIDBlock) []byte {
	return newJSONWriter().
		int("version", 1).
		int("broker", int64(b.BrokerID)).
		string("block_start", strconv.FormatInt(b.BlockStart, 10)).
		string("block_end", strconv.FormatInt(b.BlockEnd, 10)).
		bytes()
}

// DecodeProducerIDBlock reads the znode with ProducerIdBlockZNode.parseProducerIdBlockData's
// checks: string bounds that parse as Longs and a block size that fits in an Int.
func DecodeProducerIDBlock(data []byte) (ProducerIDBlock, error) {
	obj, err := parseJSONObject(data)
	if err != nil {
		return ProducerIDBlock{}, err
	}
	if _, err := obj.version(1); err != nil {
		return ProducerIDBlock{}, err
	}
	var b ProducerIDBlock
	if b.BrokerID, err = obj.int32("broker"); err != nil {
		return ProducerIDBlock{}, err
	}
	if b.BlockStart, err = obj.decimalString("block_start"); err != nil {
		return ProducerIDBlock{}, err
	}
	if b.BlockEnd, err = obj.decimalString("block_end"); err != nil {
		return ProducerIDBlock{}, err
	}
	switch {
	case b.BlockStart < 0:
		return ProducerIDBlock{}, fmt.Errorf("block_start %d is negative", b.BlockStart)
	case b.BlockEnd < b.BlockStart:
		return ProducerIDBlock{}, fmt.Errorf("block_end %d is below block_start %d", b.BlockEnd, b.BlockStart)
	case b.BlockEnd-b.BlockStart >= math.MaxInt32:
		return ProducerIDBlock{}, fmt.Errorf("block [%d, %d] holds more than 2^31-1 ids", b.BlockStart, b.BlockEnd)
	case b.BlockEnd == math.MaxInt64:
		return ProducerIDBlock{}, errors.New("block_end is the last producer id: no id is left to hand out")
	}
	return b, nil
}

// GeneratedBrokerID is the id Kafka generates for a broker without broker.id
// (KafkaServer.getOrGenerateBrokerId): /brokers/seqid's zkVersion after an
// unconditional SetData, plus reserved.broker.max.id (default 1000).
func GeneratedBrokerID(seqIDZkVersion, reservedBrokerMaxID int32) int32 {
	return seqIDZkVersion + reservedBrokerMaxID
}
