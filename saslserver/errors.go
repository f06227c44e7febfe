package saslserver

// AuthError is a failed authentication. Its text is what Kafka's
// SaslServerAuthenticator sends the client in SaslAuthenticateResponse's
// error_message, so it never tells an unauthenticated client more than Kafka
// would (such as whether a user exists); Unwrap is the precise reason, for
// the broker's log only, and is nil when the text already says everything.
type AuthError struct {
	message string
	reason  error
}

// Error is the text to send the client.
func (e *AuthError) Error() string { return e.message }

// Unwrap is the reason to log.
func (e *AuthError) Unwrap() error { return e.reason }

// invalidCredentials is a failure Kafka reports as a SaslException: the
// client is only told that its credentials were refused.
func invalidCredentials(mechanism string, reason error) *AuthError {
	return &AuthError{
		message: "Authentication failed during authentication due to invalid credentials with SASL mechanism " + mechanism,
		reason:  reason,
	}
}

// refused is a failure Kafka reports as a SaslAuthenticationException, whose
// message the client sees as it is.
func refused(message string) *AuthError {
	return &AuthError{message: message}
}

// unexpectedStep is Kafka's IllegalSaslStateException for a message arriving
// after the exchange has ended, successfully or not.
func unexpectedStep(state string) *AuthError {
	return refused("Unexpected challenge in Sasl server state " + state)
}

// stepAfterEnd is unexpectedStep for a session that has ended, successfully
// when it has a principal.
func stepAfterEnd(principal string) *AuthError {
	if principal != "" {
		return unexpectedStep("COMPLETE")
	}
	return unexpectedStep("FAILED")
}
