package zktest

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// tickTime is the server's tick in milliseconds. ZooKeeper bounds every session
// timeout to between 2 and 20 ticks, so a 500 ms tick lets tests ask for sessions as
// short as 1 s and watch them expire quickly; a client asking for more than 10 s gets
// 10 s.
const tickTime = 500

// MinSessionTimeout is the shortest session the server grants (two ticks).
const MinSessionTimeout = 2 * tickTime * time.Millisecond

// zooCfg is the server configuration. Only the client port listens: the admin
// server (Jetty, port 8080 by default) is off so parallel servers never collide,
// and the four-letter words the helper uses for readiness are served on the client
// port. forceSync=no skips the fsync per transaction: a killed JVM's writes are
// still in the page cache, so Kill and Restart keep every acknowledged write.
func zooCfg(dataDir, host string, port int) string {
	return strings.Join([]string{
		fmt.Sprintf("tickTime=%d", tickTime),
		"dataDir=" + dataDir,
		fmt.Sprintf("clientPort=%d", port),
		"clientPortAddress=" + host,
		"admin.enableServer=false",
		"4lw.commands.whitelist=*",
		"forceSync=no",
		"maxClientCnxns=0",
	}, "\n") + "\n"
}

func writeConfig(path, dataDir, host string, port int) error {
	if err := os.WriteFile(path, []byte(zooCfg(dataDir, host, port)), 0o644); err != nil {
		return fmt.Errorf("write ZooKeeper config: %w", err)
	}
	return nil
}

// jvmArgs keeps start-up short and the footprint small, since a test suite starts
// many servers: C1 only (a short-lived test server never profits from C2), the serial
// collector (fewer GC threads on two cores), a small heap, and no JMX log4j beans
// (there is no log4j on the classpath).
func jvmArgs(classpath, cfgPath string) []string {
	return []string{
		"-XX:TieredStopAtLevel=1",
		"-XX:+UseSerialGC",
		"-Xms16m",
		"-Xmx256m",
		"-Djava.net.preferIPv4Stack=true",
		"-Dzookeeper.jmx.log4j.disable=true",
		"-Dorg.slf4j.simpleLogger.showDateTime=true",
		"-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
		"-cp", classpath,
		serverMainClass,
		cfgPath,
	}
}
