package kclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/twmb/franz-go/pkg/kfake"
)

// FakeBrokerOptions configure franz-go's in-memory kfake cluster, the baseline
// that kbridge's throughput is measured against side by side.
type FakeBrokerOptions struct {
	Listen     string   // host:port; the host is also what the broker advertises
	Partitions int      // partitions of auto-created topics and of CreateTopics with -1; 0 means 1
	Topics     []string // topics to create at start
}

// RunFakeBroker runs a one-broker kfake cluster on o.Listen, prints the
// address it listens on to out once it accepts connections, and serves until
// ctx ends. Topics are auto-created as with Kafka's default
// auto.create.topics.enable=true, so perf runs need no setup on either side.
func RunFakeBroker(ctx context.Context, out io.Writer, o FakeBrokerOptions) error {
	if o.Listen == "" {
		return errors.New("--listen is required")
	}
	partitions := o.Partitions
	if partitions <= 0 {
		partitions = 1
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(partitions),
		// kfake always asks for 127.0.0.1:<port>; listen where we were told.
		kfake.ListenFn(func(network, _ string) (net.Listener, error) { return net.Listen(network, o.Listen) }),
	}
	if len(o.Topics) > 0 {
		opts = append(opts, kfake.SeedTopics(int32(partitions), o.Topics...))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return fmt.Errorf("start kfake on %s: %w", o.Listen, err)
	}
	defer c.Close()
	for _, addr := range c.ListenAddrs() {
		if _, err := fmt.Fprintln(out, addr); err != nil {
			return fmt.Errorf("print listen address: %w", err)
		}
	}
	<-ctx.Done()
	return nil
}
