// Package config reads a Kafka server.properties into one typed, validated
// Config, so a node can be started from the very files operators already run
// Kafka with. Keys, defaults and validation follow Kafka 3.9's KafkaConfig and
// LogConfig; every error names the key and the file it came from.
package config
