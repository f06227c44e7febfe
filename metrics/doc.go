// Package metrics serves a node's Prometheus metrics, /healthz and /readyz on the
// addresses of metrics.listeners. Metric names and labels are those the Prometheus JMX
// exporter's standard Kafka rules give Kafka's MBeans (kafka.server<type=ReplicaManager,
// name=PartitionCount><>Value becomes kafka_server_replicamanager_partitioncount), so a
// dashboard built for Kafka shows kbridge unchanged; docs/metrics.md has the mapping.
// Values are read when Prometheus scrapes, from functions the node hands in, so the
// package knows neither the broker nor the controller.
package metrics
