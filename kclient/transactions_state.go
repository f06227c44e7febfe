package kclient

// transactionStates are the coordinator states Kafka 3.9's admin client
// knows (org.apache.kafka.clients.admin.TransactionState).
var transactionStates = map[string]bool{
	"Ongoing": true, "PrepareAbort": true, "PrepareCommit": true, "CompleteAbort": true,
	"CompleteCommit": true, "Empty": true, "PrepareEpochFence": true,
}

// transactionStateName is a state as kafka-transactions prints it: Kafka's
// admin client parses the broker's string into its enum, so any other
// string, Dead included, reads "Unknown".
func transactionStateName(s string) string {
	if transactionStates[s] {
		return s
	}
	return "Unknown"
}
