package txn

import "fmt"

// completeTransition applies a written transition (Kafka's completeTransitionTo),
// checking it is the one pending and consistent with the current metadata; a
// mismatch is a bug and leaves the metadata as it was, with no write pending.
func (m *txnMetadata) completeTransition(t transit) error {
	if err := m.checkTransition(t); err != nil {
		m.pending = noState
		return err
	}
	switch t.state {
	case stateEmpty:
		m.timeoutMs = t.timeoutMs
		m.producerEpoch, m.lastProducerEpoch = t.producerEpoch, t.lastProducerEpoch
		m.producerID, m.lastProducerID = t.producerID, t.lastProducerID
	case stateOngoing:
		m.startMs = t.startMs
		for tp := range t.partitions {
			m.partitions[tp] = struct{}{}
		}
	case stateCompleteCommit, stateCompleteAbort:
		m.startMs = t.startMs
		m.partitions = partitionSet{}
	}
	m.lastUpdateMs = t.updateMs
	m.pending = noState
	m.state = t.state
	return nil
}

func (m *txnMetadata) checkTransition(t transit) error {
	if m.pending == noState || m.pending != t.state {
		return fmt.Errorf("%w: completing %s of %s while %s is pending", errIllegalTransition, t.state, m.id, m.pending)
	}
	sameProducer := t.producerID == m.producerID && t.producerEpoch == m.producerEpoch
	ok := false
	switch t.state {
	case stateEmpty:
		bumped := t.producerEpoch == m.producerEpoch+1 || (t.producerEpoch == 0 && t.producerID != m.producerID)
		ok = (t.producerEpoch == m.producerEpoch || bumped) && len(t.partitions) == 0 && t.startMs == -1
	case stateOngoing:
		ok = sameProducer && t.partitions.containsAll(m.partitions) && t.timeoutMs == m.timeoutMs
	case statePrepareCommit, statePrepareAbort:
		ok = sameProducer && len(t.partitions) == len(m.partitions) && t.partitions.containsAll(m.partitions) &&
			t.timeoutMs == m.timeoutMs && t.startMs == m.startMs
	case stateCompleteCommit, stateCompleteAbort:
		ok = sameProducer && t.timeoutMs == m.timeoutMs && t.startMs != -1
	}
	if !ok {
		return fmt.Errorf("%w: %s of %s to %+v from producer %d epoch %d", errIllegalTransition, t.state, m.id, t, m.producerID, m.producerEpoch)
	}
	return nil
}
