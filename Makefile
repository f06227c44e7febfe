# kbridge — build, run and test. `make run` and `make test` are all a newcomer needs.
GO        ?= go
BIN       := bin/kbridge
GOTESTFLAGS ?= -count=1 -timeout 20m

.PHONY: build run test test-deps vet chaos bench bench-security bench-failover bench-latency bench-migration bench-metadata bench-metrics-cost fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/kbridge

# A single combined KRaft node on localhost:9092 (controller on 9093), data in ./data,
# formatted with a new cluster id on first start.
run: build
	./$(BIN) server start

test-deps:
	./scripts/install-test-deps.sh

vet:
	test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

# The packages with concurrency of their own run under the race detector (it costs them
# little time: their tests wait on I/O); the rest without it. The quick packages go
# first, alone; then e2e, the longest, which mostly waits on its processes, runs beside
# the race run. Both must pass.
RACE_PKGS := ./broker/... ./kwire/ ./kraftmode/... ./zkmode/ ./migrate/ ./internal/netfault/
QUICK_PKGS = $$($(GO) list ./... | grep -v -e '/broker' -e '/kwire$$' -e '/kraftmode' -e '/zkmode$$' -e '/migrate$$' -e '/internal/netfault$$' -e '/e2e$$')

test: test-deps vet build
	$(GO) test $(GOTESTFLAGS) $(QUICK_PKGS)
	$(GO) test $(GOTESTFLAGS) -race $(RACE_PKGS) & race=$$!; \
	$(GO) test $(GOTESTFLAGS) ./e2e/; e2e=$$?; \
	wait $$race; race=$$?; \
	test $$e2e -eq 0 -a $$race -eq 0

# The chaos run (e2e/chaos_test.go) for longer than make test's minute: a 3+3 KRaft
# cluster and a migrating ZooKeeper-mode cluster in network namespaces under load, with
# faults drawn from SEED for DURATION each; prints every fault and the checker's verdict.
DURATION ?= 10m
SEED     ?= 1
chaos: test-deps build
	$(GO) test -count=1 -run '^TestChaos$$' -v -timeout 3h ./e2e/ -args -chaos.duration=$(DURATION) -chaos.seed=$(SEED)

# Throughput of kbridge against franz-go's in-memory kfake, side by side, same client;
# then what security costs: PLAINTEXT against SASL_SSL + SCRAM + ACLs, and a handshake.
bench: build
	./scripts/bench.sh
	./scripts/bench-security.sh

# The security part of bench alone.
bench-security: build
	./scripts/bench-security.sh

# Failover times of a 3-controller, 3-broker cluster (kill -9 of a partition leader,
# of the active controller), three rounds each.
bench-failover: build
	$(GO) test -count=1 -run '^$$' -bench 'Failover$$' -benchtime 3x ./e2e/

# acks=all produce latency at 2,000 records/s in 3-broker clusters (KRaft and ZooKeeper
# mode), RF=3, 1 and 1,000 partitions: p50/p99/p99.9/max, medians of three fresh clusters.
bench-latency: build
	$(GO) test -count=1 -run '^$$' -bench ReplicatedLatency -benchtime 3x -timeout 40m ./e2e/

# One node with 10,000 partitions: start time, idle RSS, Metadata for every topic.
bench-metadata: build
	$(GO) test -count=1 -run '^$$' -bench MetadataScale -benchtime 2x ./e2e/

# What metrics cost on the produce path: builds with and without (-tags nometrics),
# in process and with make bench's run, alternately.
bench-metrics-cost:
	./scripts/bench-metrics-cost.sh

# Migration copy of 100,000 partitions from a real ZooKeeper against reading them raw.
bench-migration:
	$(GO) test -run '^$$' -bench MigrationCopy -benchtime 1x -timeout 30m ./migrate/

# Every decoder that reads bytes from the network or disk has a fuzz target.
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeRecord$$' -fuzztime $(FUZZTIME) ./metadata/
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeBatch$$' -fuzztime $(FUZZTIME) ./metadata/
	$(GO) test -run '^$$' -fuzz '^FuzzParseRequest$$' -fuzztime $(FUZZTIME) ./broker/
	$(GO) test -run '^$$' -fuzz '^FuzzSegmentRecovery$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 50x ./broker/storage/
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeRecords$$' -fuzztime $(FUZZTIME) ./broker/storage/
	$(GO) test -run '^$$' -fuzz '^FuzzUpConvertLegacy$$' -fuzztime $(FUZZTIME) ./broker/storage/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./broker/group/
	$(GO) test -run '^$$' -fuzz '^FuzzScramStep$$' -fuzztime $(FUZZTIME) ./saslserver/
	$(GO) test -run '^$$' -fuzz '^FuzzParseJAAS$$' -fuzztime $(FUZZTIME) ./saslserver/
	$(GO) test -run '^$$' -fuzz '^FuzzOAuthBearerStep$$' -fuzztime $(FUZZTIME) ./saslserver/
	$(GO) test -run '^$$' -fuzz '^FuzzUnsecuredJWS$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 50x ./saslserver/
	for f in $$($(GO) test -list '^Fuzz' ./zkmode/znode/ | grep '^Fuzz'); do \
		$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) ./zkmode/znode/ || exit 1; done

clean:
	rm -rf bin data
