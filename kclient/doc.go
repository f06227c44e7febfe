// Package kclient holds the logic of kbridge's client-side commands (topics, groups,
// console-producer, console-consumer, perf, metadata quorum, leader-election, acls,
// configs, transactions). It speaks only the Kafka protocol, through franz-go's kgo
// and kadm, so that every command works against any Kafka cluster and not only
// against kbridge. The cobra commands in cmd/kbridge parse flags into the options
// structs of this package and call one function each.
package kclient
