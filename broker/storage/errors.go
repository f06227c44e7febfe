package storage

import "errors"

// Sentinel errors, matched with errors.Is by the protocol layer, which maps each to the
// Kafka error code named in its comment.
var (
	// ErrOffsetOutOfRange: OFFSET_OUT_OF_RANGE, so consumers apply auto.offset.reset.
	ErrOffsetOutOfRange = errors.New("offset out of range")
	// ErrCorruptRecord: CORRUPT_MESSAGE, for a batch that fails its length, magic or CRC check.
	ErrCorruptRecord = errors.New("corrupt record batch")
	// ErrOutOfOrderSequence: OUT_OF_ORDER_SEQUENCE_NUMBER, an idempotent producer skipped
	// or repeated sequence numbers outside the five batches the broker remembers.
	ErrOutOfOrderSequence = errors.New("out of order sequence number")
	// ErrInvalidProducerEpoch: INVALID_PRODUCER_EPOCH, a zombie producer instance that a
	// newer epoch has fenced.
	ErrInvalidProducerEpoch = errors.New("invalid producer epoch")
	// ErrRecordTooLarge: MESSAGE_TOO_LARGE, the batch exceeds max.message.bytes or
	// could never fit in a segment.
	ErrRecordTooLarge = errors.New("record batch too large")
	// ErrOffsetsOutOfOrder: a follower fetched batches that do not continue its log,
	// which means it must truncate before appending (Kafka's UnexpectedAppendOffset).
	ErrOffsetsOutOfOrder = errors.New("batch offsets do not continue the log")
	// ErrClosed: the log was closed or deleted (topic deletion racing a request);
	// NOT_LEADER_OR_FOLLOWER makes clients refresh metadata.
	ErrClosed = errors.New("partition log closed")
	// ErrMissingKey: INVALID_RECORD, a record without a key produced to a compacted
	// topic, where the cleaner could never tell which value is the latest.
	ErrMissingKey = errors.New("compacted topic cannot accept a record without a key")
	// ErrInvalidTxnState: INVALID_TXN_STATE, a batch that does not fit its producer's
	// transaction here: a non-transactional batch while the producer has a transaction
	// open, or a transactional batch that opens one without a current verification
	// guard (KIP-890).
	ErrInvalidTxnState = errors.New("invalid transaction state")
	// ErrTransactionCoordinatorFenced: TRANSACTION_COORDINATOR_FENCED, a transaction
	// marker from a coordinator epoch older than the last one that wrote a marker for
	// the producer: a zombie coordinator.
	ErrTransactionCoordinatorFenced = errors.New("transaction coordinator fenced")
	// ErrInvalidRecord: INVALID_RECORD, a batch Kafka refuses from its origin, such as
	// a control batch from a client (only the log writes transaction markers).
	ErrInvalidRecord = errors.New("invalid record batch")
	// ErrInvalidConfig: a topic setting outside the range Kafka allows reached the log;
	// the log keeps the settings it had (SetConfig) or does not open.
	ErrInvalidConfig = errors.New("invalid topic config")
)
