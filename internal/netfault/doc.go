// Package netfault puts each node of a test cluster in a Linux network namespace of
// its own and breaks the network between them on command: cut and heal a link (both
// ways or one way), isolate a node, cut it from every member of a role (ZooKeeper, the
// controllers, the clients), and make a link lossy or slow. Process kills and pauses
// stop a whole node; the failures that split a cluster's brain are partial, and only a
// network between the nodes can make those.
//
// # Layout
//
// A Layout is one test's network. Every member (a broker, a controller, a ZooKeeper
// server) gets a namespace "<prefix>-<name>" with a veth pair whose far end sits on a
// bridge in a namespace of the harness's own, "<prefix>-hub". The clients are a member
// too: they are the root namespace, joined to the same bridge by one veth pair whose
// root end, "<prefix>-c", carries the first address of the subnet. So a test's own
// franz-go client, the e2e helpers that dial a node and the kbridge commands a test runs
// reach the nodes as clients do, and can be cut from them like any member. The hub
// keeps the bridge and every fault rule out of the root namespace, and out of the
// nodes' own namespaces, which hold nothing but their address.
//
// Each layout owns a /24 of 10.100.0.0/14 that no root-namespace route or address and
// no other live layout uses, chosen under a lock, so parallel test binaries never
// share one. Only the root end of the clients' pair is visible outside the layout.
//
// # Faults, and why these mechanisms
//
// This kernel has no sch_netem (and no fq, etf or tc drop actions), so nothing in tc
// can delay or drop. What it has is nftables (with numgen), the bridge netfilter
// family, br_netfilter and the xt NFQUEUE target with nfnetlink_queue. Hence:
//
//   - Cuts and loss are nftables rules in the hub's "bridge netfault" table, chain
//     "faults", on the bridge's forward hook: "ip saddr A ip daddr B drop" for a cut,
//     the same with "numgen random mod 10000 < N" for loss. Each rule carries a
//     comment ("cut a>b", "loss a>b") by which Heal finds it and a counter by which
//     Dropped reports what it dropped. ARP is never dropped: a healed link works at
//     once, with no neighbour entries to relearn.
//   - Delay is the kernel's NFQUEUE target with the verdicts given late: an iptables-nft
//     rule in the hub's FORWARD chain (which bridged IPv4 frames pass through
//     br_netfilter) hands every packet of the link to a netlink queue, and a goroutine
//     of the process that asked for the delay (see nfqueue.go) lets each one go after
//     the delay, plus a uniform jitter that reorders packets when it is set. The packets
//     themselves never leave the kernel, so TCP sees a real longer round trip: its ACKs
//     are late too, its timers and retransmissions run as on a slow link. A userspace
//     TCP relay was the alternative; it would have needed every connection redirected
//     through it, acknowledged bytes to the sender at once (hiding the delay from TCP)
//     and left connections made before the delay untouched. nftables' own queue
//     statement is not built into this kernel; the xt target that iptables-nft uses is.
//     The rule has --queue-bypass: when no process reads the queue (the process that
//     asked for the delay died), packets pass undelayed rather than vanish.
//
// A one-way cut, CutOneWay(from, to), drops the IP packets sent from "from" to "to" and
// nothing else. For TCP that means: a connection from "from" to "to" cannot start (its
// SYN is dropped); neither can one from "to" to "from" (the SYN arrives, the SYN-ACK is
// dropped); on an established connection "to" receives nothing more, while "from" goes
// on receiving what "to" sends until "to"'s send window fills, since no ACK comes back.
//
// # Processes in a namespace
//
// Command and Wrap run a program through "ip netns exec", which switches namespaces
// and then execs the program, so the process a test holds is the program itself and
// its signals (SIGKILL, SIGSTOP) reach it directly. Do runs Go code on a thread that
// joined a member's namespace, for sockets of the test's own in a node's place.
//
// # Cleanup
//
// Every name carries the layout's prefix, "nf<pid>s<n>" for a layout of a running
// process. Before creating anything a layout writes /run/netfault/<prefix>.json naming
// its owner (pid and start time, so a reused pid is not taken for it); Close removes
// the namespaces, the clients' link (and with the hub every rule) and then that file.
// A test's layout closes in t.Cleanup, so also after a failed test. A killed test
// binary leaves its layout behind: New first sweeps every layout whose owner is dead,
// or whose names have no state file at all, killing what still runs in its
// namespaces. Layouts made by the netfault command have no owner, unless it is given
// one, and stay until `netfault clean` removes them.
package netfault
