package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/kbridge/kbridge/config"
	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/node"
)

func init() {
	serverCmd := &cobra.Command{
		Use:   "server",
		Short: "Run a kbridge node",
	}
	var overrides []string
	var logLevel, logFormat string
	start := &cobra.Command{
		Use:   "start [server.properties]",
		Short: "Start a node from a server.properties file, or the embedded single-node default",
		Long: `Start a node. With a file, the node does what the file says (process.roles decides
KRaft controller, broker or both; a file without process.roles is a ZooKeeper-mode broker
coordinated through zookeeper.connect, as in Kafka). Without a file, kbridge runs the embedded default: a
single combined KRaft node on localhost:9092 (controller on 9093) with data under ./data,
formatted with a new cluster id on first start. SIGINT or SIGTERM stops it cleanly.`,
		Example: `  kbridge server start
  kbridge server start examples/kraft/server.properties
  kbridge server start examples/zk/broker-1.properties
  kbridge server start server.properties --override log.dirs=/var/lib/kbridge --override node.id=2
  kbridge server start server.properties --log-format json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			logger, err := newLogger(logLevel, logFormat, os.Stderr)
			if err != nil {
				return err
			}
			cfg, err := loadServerConfig(args, overrides, logger)
			if err != nil {
				return err
			}
			return runServer(cfg, logger)
		},
	}
	start.Flags().StringArrayVar(&overrides, "override", nil, "override a config key: key=value (repeatable)")
	start.Flags().StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	start.Flags().StringVar(&logFormat, "log-format", "text", "log format: text (key=value) or json (one object per line, for log shippers)")
	serverCmd.AddCommand(start)
	rootCmd.AddCommand(serverCmd)
}

// loadServerConfig reads the file, or the embedded default which it formats on first use.
// A file that asks for a security or durability feature kbridge lacks fails here,
// before anything listens.
func loadServerConfig(args, overrides []string, logger *slog.Logger) (*config.Config, error) {
	if len(args) == 1 {
		cfg, err := config.Load(args[0], overrides)
		if err != nil {
			return nil, err
		}
		logUnusedKeys(cfg, logger)
		return cfg, nil
	}
	cfg, err := config.Default(overrides)
	if err != nil {
		return nil, err
	}
	logUnusedKeys(cfg, logger)
	if !node.IsFormatted(cfg) {
		clusterID := metadata.RandomUuid().String()
		if _, err := node.Format(cfg, clusterID, true); err != nil {
			return nil, fmt.Errorf("format the default data directory: %w", err)
		}
		logger.Info("formatted the default data directory", "dirs", cfg.LogDirs, "cluster_id", clusterID)
	}
	return cfg, nil
}

// logUnusedKeys reports, once at start, the keys the node will not act on: keys
// Kafka does not know (a warning, as Kafka logs them, since they are often typos),
// and Kafka keys kbridge has no equivalent for, which config accepted because they
// do not touch security or durability.
func logUnusedKeys(cfg *config.Config, logger *slog.Logger) {
	for _, k := range cfg.UnknownKeys {
		logger.Warn("unknown config key, ignored", "key", k, "file", cfg.KeySource(k))
	}
	for _, k := range cfg.IgnoredKeys {
		if hint := config.IgnoredKeyHint(k); hint != "" && cfg.Raw[k] != "" {
			logger.Warn("config key ignored", "key", k, "value", cfg.Raw[k], "file", cfg.KeySource(k), "instead", hint)
			continue
		}
		logger.Info("config key ignored: kbridge has no equivalent", "key", k, "file", cfg.KeySource(k))
	}
}

func runServer(cfg *config.Config, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	n, err := node.Start(ctx, cfg, logger)
	if err != nil {
		return err
	}
	logger.Info("kbridge started", "node_id", cfg.NodeID, "roles", cfg.ProcessRoles, "config", cfg.Source)
	<-ctx.Done()
	logger.Info("shutting down")
	if err := n.Close(); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped cleanly")
	return nil
}

// newLogger is the node's structured log at level, written to w as key=value text or
// as one JSON object per line.
func newLogger(level, format string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}
