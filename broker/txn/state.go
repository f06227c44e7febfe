package txn

import "github.com/twmb/franz-go/pkg/kmsg"

// A transaction's state is Kafka's TransactionState: kmsg numbers the states as
// __transaction_state stores them and names them as DescribeTransactions and
// ListTransactions answer.
type txnState = kmsg.TransactionState

const (
	stateEmpty             = kmsg.TransactionStateEmpty
	stateOngoing           = kmsg.TransactionStateOngoing
	statePrepareCommit     = kmsg.TransactionStatePrepareCommit
	statePrepareAbort      = kmsg.TransactionStatePrepareAbort
	stateCompleteCommit    = kmsg.TransactionStateCompleteCommit
	stateCompleteAbort     = kmsg.TransactionStateCompleteAbort
	stateDead              = kmsg.TransactionStateDead
	statePrepareEpochFence = kmsg.TransactionStatePrepareEpochFence

	// noState is the pending state of a transaction with no write in flight.
	noState txnState = -1
)

// validPrevious is TransactionMetadata.scala's validPreviousStates: whether a
// transaction may move from one state to another.
func validPrevious(to, from txnState) bool {
	switch to {
	case stateEmpty:
		return from == stateEmpty || from == stateCompleteCommit || from == stateCompleteAbort
	case stateOngoing:
		return from == stateOngoing || from == stateEmpty || from == stateCompleteCommit || from == stateCompleteAbort
	case statePrepareCommit, statePrepareEpochFence:
		return from == stateOngoing
	case statePrepareAbort:
		return from == stateOngoing || from == statePrepareEpochFence
	case stateCompleteCommit:
		return from == statePrepareCommit
	case stateCompleteAbort:
		return from == statePrepareAbort
	case stateDead:
		return from == stateEmpty || from == stateCompleteCommit || from == stateCompleteAbort
	}
	return false
}

// expirationAllowed says whether an idle transactional id in this state may be
// removed after transactional.id.expiration.ms: only with no transaction open.
func expirationAllowed(s txnState) bool {
	return s == stateEmpty || s == stateCompleteCommit || s == stateCompleteAbort
}

// stateNamed parses a ListTransactions state filter by Kafka's exact name
// (TransactionState.fromName), unlike kmsg's lenient parser.
func stateNamed(name string) (txnState, bool) {
	for s := stateEmpty; s <= statePrepareEpochFence; s++ {
		if s.String() == name {
			return s, true
		}
	}
	return noState, false
}
