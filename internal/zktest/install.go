// Package zktest starts a real ZooKeeper server — Debian's `zookeeper` package, run
// by the JVM as a child process — for tests of ZooKeeper mode. A fake would agree with
// whatever we believe ZooKeeper does; session expiry, ephemeral cleanup, multi-op
// atomicity and restarts are exactly where that belief is most likely to be wrong.
package zktest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// The Debian packages put the server jar in /usr/share/java and only scripts in
// /usr/share/zookeeper/bin. zookeeper.jar's manifest carries a Class-Path naming every
// library it needs (netty, jute, slf4j-api, ...), so only the jar itself and a logging
// binding go on the classpath. Debian's own zkServer.sh adds no binding, so the server
// logs nothing; slf4j-simple (libslf4j-java, a dependency of libzookeeper-java) writes
// to stderr, which the test helper sends to a file.
var classpathJars = []string{
	"/usr/share/java/zookeeper.jar",
	"/usr/share/java/slf4j-simple.jar",
}

// serverMainClass runs a standalone server straight from a config file. Debian's
// zkServer.sh runs QuorumPeerMain, which hands a config without peers to this class
// anyway; calling it directly skips the quorum parsing.
const serverMainClass = "org.apache.zookeeper.server.ZooKeeperServerMain"

// installation finds java and the ZooKeeper jars, or says how to get them.
func installation() (javaPath, classpath string, err error) {
	javaPath, err = exec.LookPath("java")
	if err != nil {
		return "", "", fmt.Errorf("java is required to run ZooKeeper but not installed (make test-deps installs the zookeeper package, which brings it): %w", err)
	}
	for _, jar := range classpathJars {
		if _, err := os.Stat(jar); err != nil {
			return "", "", fmt.Errorf("ZooKeeper jar %s is missing (make test-deps installs the zookeeper package): %w", jar, err)
		}
	}
	return javaPath, strings.Join(classpathJars, ":"), nil
}
