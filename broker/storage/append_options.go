package storage

// AppendOrigin is who wrote a batch, which decides the checks it gets (Kafka's
// AppendOrigin). Follower appends and recovery are Kafka's REPLICATION origin: they
// go through AppendAsFollower and the loader, which check nothing.
type AppendOrigin int8

const (
	// OriginClient is a producer: duplicate, sequence, epoch and transaction checks.
	OriginClient AppendOrigin = iota
	// OriginCoordinator is a coordinator's own write, such as a transactional offset
	// commit, which carries no sequence: epoch and transaction checks only.
	OriginCoordinator
)

// AppendOptions says how AppendWith checks a batch.
type AppendOptions struct {
	Origin AppendOrigin
	// VerificationGuard, when not 0, is the guard BeginTxnVerification returned: a
	// transactional batch whose producer has no open transaction here is refused
	// (ErrInvalidTxnState) unless the guard is still the producer's current one
	// (KIP-890 part 1). 0 means verification is off for this append
	// (transaction.partition.verification.enable=false, or a coordinator write).
	VerificationGuard uint64
}
