package broker

import "errors"

// Readiness says why this broker cannot serve clients now, for /readyz: until its
// metadata source lists it unfenced, and while its session is lost (the controllers
// may have fenced it meanwhile, session_loss.go). nil when it can.
func (b *Broker) Readiness() error {
	br, ok := b.Image().Brokers[b.id]
	switch {
	case !ok:
		return errors.New("not registered in the metadata")
	case br.Fenced:
		return errors.New("fenced by the controller")
	case b.sessionLost():
		return errors.New("metadata session lost: nothing answered within the session timeout, so the broker takes itself for fenced")
	}
	return nil
}
