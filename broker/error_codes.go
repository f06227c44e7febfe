package broker

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kbridge/kbridge/broker/storage"
)

// errorCode maps an error to Kafka's code: kerr errors as they are, storage errors to
// their Kafka equivalents, anything else to UNKNOWN_SERVER_ERROR.
func errorCode(err error) int16 {
	var ke *kerr.Error
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ke):
		return ke.Code
	case errors.Is(err, storage.ErrOutOfOrderSequence):
		return kerr.OutOfOrderSequenceNumber.Code
	case errors.Is(err, storage.ErrInvalidProducerEpoch):
		return kerr.InvalidProducerEpoch.Code
	case errors.Is(err, storage.ErrInvalidTxnState):
		return kerr.InvalidTxnState.Code
	case errors.Is(err, storage.ErrTransactionCoordinatorFenced):
		return kerr.TransactionCoordinatorFenced.Code
	case errors.Is(err, storage.ErrMissingKey), errors.Is(err, storage.ErrInvalidRecord):
		return kerr.InvalidRecord.Code
	case errors.Is(err, storage.ErrZstdNeedsNewerFetch):
		return kerr.UnsupportedCompressionType.Code
	case errors.Is(err, storage.ErrCorruptRecord):
		return kerr.CorruptMessage.Code
	case errors.Is(err, storage.ErrOffsetOutOfRange):
		return kerr.OffsetOutOfRange.Code
	case errors.Is(err, storage.ErrRecordTooLarge):
		return kerr.RecordListTooLarge.Code
	case errors.Is(err, storage.ErrClosed):
		return kerr.NotLeaderForPartition.Code
	default:
		return kerr.UnknownServerError.Code
	}
}
