package migrate

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kbridge/kbridge/metadata"
	"github.com/kbridge/kbridge/zkmode"
	"github.com/kbridge/kbridge/zkmode/znode"
)

// Severity says what a finding means for the migration: a blocker stops it (the
// dry-run exits 1), a warning needs the operator's attention, info is for the record.
type Severity string

// The severities, most serious first.
const (
	SeverityBlocker Severity = "blocker"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

func (s Severity) rank() int {
	switch s {
	case SeverityBlocker:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// Finding is one thing the dry-run found: a stable code for scripts, a message naming
// the entities concerned, and what the operator should do about it.
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Fix is what to do, "" for an info finding that asks for nothing.
	Fix string `json:"fix"`
	// Entities are the topics, partitions, brokers, controllers or znodes concerned.
	Entities []string `json:"entities"`
}

// The finding codes. They are part of the dry-run's output contract: never renamed.
const (
	CodeClusterIDMissing           = "CLUSTER_ID_MISSING"
	CodeClusterIDMismatch          = "CLUSTER_ID_MISMATCH"
	CodeMissingTopicID             = "MISSING_TOPIC_ID"
	CodeIDCollision                = "ID_COLLISION"
	CodeMigrationZNodeLeftover     = "MIGRATION_ZNODE_LEFTOVER"
	CodeMigrationZNodeMalformed    = "MIGRATION_ZNODE_MALFORMED"
	CodeMigrationZNodeMissing      = "MIGRATION_ZNODE_MISSING"
	CodeKRaftControllerZNode       = "KRAFT_CONTROLLER_ZNODE"
	CodeMetadataLogNotEmpty        = "METADATA_LOG_NOT_EMPTY"
	CodeMetadataLogNotPreMigration = "METADATA_LOG_NOT_PRE_MIGRATION"
	CodeAlreadyMigrated            = "ALREADY_MIGRATED"
	CodeRolledBack                 = "ROLLED_BACK"
	CodeControllersNotReady        = "CONTROLLERS_NOT_READY"
	CodeNoQuorumLeader             = "NO_QUORUM_LEADER"
	CodeOpenTransaction            = "OPEN_TRANSACTION"
	CodeMetadataVersionTooOld      = "METADATA_VERSION_TOO_OLD"
	CodeControllerNotChecked       = "CONTROLLER_NOT_CHECKED"
	CodeBrokersNotRegistered       = "BROKERS_NOT_REGISTERED"
	CodeBrokersOffline             = "BROKERS_OFFLINE"
	CodeMultipleLogDirs            = "MULTIPLE_LOG_DIRS"
	CodeIBPTooOld                  = "IBP_TOO_OLD"
	CodeIBPMismatch                = "IBP_MISMATCH"
	CodePendingDeletions           = "PENDING_DELETIONS"
	CodePartitionsWithoutState     = "PARTITIONS_WITHOUT_STATE"
	CodeZkKRaftDiff                = "ZK_KRAFT_DIFF"
	CodeZkKRaftInSync              = "ZK_KRAFT_IN_SYNC"
)

// observed is everything the dry-run read.
type observed struct {
	tree *zkmode.Tree
	// migrationErr is why /migration does not decode; LoadTree was then given a
	// reader that hides it, so tree.Migration is nil.
	migrationErr error
	// view is the quorum's state, nil without --controller.
	view *ControllerView
}

// migrated tells that the metadata log says the copy already ran, so ZooKeeper is
// diffed against the log rather than planned.
func (o observed) migrated() bool {
	if o.view == nil {
		return false
	}
	s := o.view.Image.ZkMigrationState
	return s == metadata.ZkMigrationMigration || s == metadata.ZkMigrationPostMigration
}

// assess runs every check on what was read. Before the copy it runs the preflight
// checks (docs/kafka-compatibility.md, "Preconditions", "Unsupported cases"); once the log says the copy ran it diffs
// ZooKeeper against the log instead. Findings come blockers first, then warnings,
// then info.
func assess(o observed) ([]Finding, *DiffSummary) {
	var out []Finding
	out = append(out, checkClusterID(o)...)
	out = append(out, checkMigrationZNode(o)...)
	var diff *DiffSummary
	if o.view == nil {
		out = append(out, Finding{
			Code: CodeControllerNotChecked, Severity: SeverityWarning,
			Message: "No --controller given: the cluster id, id collisions with controllers, the metadata log's state and metadata.version, " +
				"broker registrations with the quorum and their log dirs were not checked.",
			Fix: "Run again with --controller HOST:PORT of a migration controller's listener once the quorum is up.",
		})
	} else {
		out = append(out, checkQuorum(o.view, o.migrated())...)
	}
	if o.migrated() {
		findings, sum := diffZooKeeper(o.tree, o.view.Image)
		out = append(out, findings...)
		diff = &sum
	} else {
		out = append(out, checkTree(o.tree)...)
		if o.view != nil {
			out = append(out, checkRegistrations(o.tree, o.view)...)
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return cmp.Compare(a.Severity.rank(), b.Severity.rank()) })
	return out, diff
}

// checkClusterID: the quorum must be formatted with ZooKeeper's /cluster/id, since
// brokers refuse a controller of another cluster.
func checkClusterID(o observed) []Finding {
	zkID := o.tree.Image.ClusterID
	if zkID == "" {
		return []Finding{{
			Code: CodeClusterIDMissing, Severity: SeverityBlocker,
			Message:  "ZooKeeper has no /cluster/id: no Kafka broker ever started with this zookeeper.connect, so there is nothing to migrate here.",
			Fix:      "Give --zookeeper the brokers' zookeeper.connect exactly, chroot included (host:port/chroot).",
			Entities: []string{znode.ClusterIDPath},
		}}
	}
	if o.view == nil || o.view.Image.Offset < 0 || o.view.Image.ClusterID == "" || o.view.Image.ClusterID == zkID {
		return nil
	}
	return []Finding{{
		Code: CodeClusterIDMismatch, Severity: SeverityBlocker,
		Message: fmt.Sprintf("The quorum's cluster id %s differs from ZooKeeper's /cluster/id %s: the brokers would refuse these controllers.",
			o.view.Image.ClusterID, zkID),
		Fix: fmt.Sprintf("Stop the controllers, delete their metadata.log.dir and format it again with ZooKeeper's id "+
			"(kbridge storage format -t %s -c controller.properties), then start them.", zkID),
		Entities: []string{zkID, o.view.Image.ClusterID},
	}}
}

// checkMigrationZNode looks at /migration, which a KRaft controller takes as the
// record of a copy: one left by an earlier attempt or a rollback makes the next
// controller skip the copy and sync its near-empty log over ZooKeeper (Strimzi
// #11262), and one it cannot decode stalls the migration (KAFKA-19480).
func checkMigrationZNode(o observed) []Finding {
	const deleteIt = "If no migration is running, save its data (zookeeper-shell.sh HOST get /migration) and delete it (deleteall /migration), then run the dry-run again."
	entities := []string{znode.MigrationPath}
	if o.migrationErr != nil {
		return []Finding{{
			Code: CodeMigrationZNodeMalformed, Severity: SeverityBlocker,
			Message: fmt.Sprintf("/migration exists but does not decode (%v): a migration controller can neither read it nor fence its writes on it. "+
				"The ZooKeeper security migration tool is known to leave it so (KAFKA-19480).", o.migrationErr),
			Fix: deleteIt, Entities: entities,
		}}
	}
	m := o.tree.Migration
	if m == nil {
		if o.view != nil && o.view.Image.ZkMigrationState == metadata.ZkMigrationMigration {
			return []Finding{migrationZNodeMissing("/migration does not exist")}
		}
		return nil
	}
	desc := fmt.Sprintf("/migration exists (KRaft controller %d, epoch %d, metadata offset %d)", m.KRaftControllerID, m.KRaftControllerEpoch, m.KRaftMetadataOffset)
	if m.InitialMigrationComplete() {
		desc += " and records a completed copy, so a migration controller would skip the copy and then overwrite ZooKeeper with its own metadata log"
	}
	switch {
	case o.view == nil:
		return []Finding{{
			Code: CodeMigrationZNodeLeftover, Severity: SeverityWarning,
			Message: desc + ". Without --controller the dry-run cannot tell a migration in progress from a leftover of an earlier attempt or a rollback.",
			Fix:     "Run again with --controller. " + deleteIt, Entities: entities,
		}}
	case o.view.Image.Offset < 0 || o.view.Image.ZkMigrationState == metadata.ZkMigrationPreMigration:
		// Only a recorded copy misleads the next controller; one without (an attempt
		// cut short before its copy committed) is taken over by the next copy.
		f := Finding{
			Code: CodeMigrationZNodeLeftover, Severity: SeverityBlocker,
			Message: fmt.Sprintf("%s while the metadata log holds no migration (%s): an earlier attempt or a rollback left it.", desc, logState(o.view.Image)),
			Fix:     deleteIt, Entities: entities,
		}
		if !m.InitialMigrationComplete() {
			f.Severity = SeverityWarning
			f.Message += " It records no copy, so the next copy takes it over."
			f.Fix = "Nothing to do if an interrupted attempt of this migration left it. " + deleteIt
		}
		return []Finding{f}
	case o.view.Image.ZkMigrationState == metadata.ZkMigrationMigration && !m.InitialMigrationComplete():
		return []Finding{migrationZNodeMissing(desc + " but records no copy")}
	}
	return nil
}

// migrationZNodeMissing: with the log in MIGRATION, /migration must record the copy.
// Without it Kafka's controllers stop writing ZooKeeper (KRaftMigrationDriver's
// WaitForControllerQuorumEvent), and kbridge's recreate it and rewrite ZooKeeper from
// the log; either way it usually means a rollback's cleanup has begun.
func migrationZNodeMissing(what string) Finding {
	return Finding{
		Code: CodeMigrationZNodeMissing, Severity: SeverityWarning,
		Message: what + " while the metadata log says the copy ran (MIGRATION): a rollback's cleanup may have begun. " +
			"The controllers and ZooKeeper disagree on who leads the metadata.",
		Fix: "If a rollback is under way, finish it (deprovision the quorum before ZooKeeper brokers lead again); " +
			"otherwise let the active controller claim ZooKeeper again and run the dry-run until it reports agreement.",
		Entities: []string{znode.MigrationPath},
	}
}

// checkQuorum checks the metadata log itself: its migration state (docs/kafka-compatibility.md,
// "Migration states", "Preconditions"), an interrupted copy, and the metadata.version the copy needs.
func checkQuorum(v *ControllerView, migrated bool) []Finding {
	var out []Finding
	img := v.Image
	if v.LeaderID < 0 {
		out = append(out, Finding{
			Code: CodeNoQuorumLeader, Severity: SeverityWarning,
			Message:  fmt.Sprintf("The quorum has no active controller: this is controller %d's view, which may be behind.", v.NodeID),
			Fix:      "Check that a majority of the voters is up and can reach each other on the controller listener.",
			Entities: idStrings(voterIDs(v.Voters)),
		})
	}
	if img.ZkMigrationState == metadata.ZkMigrationPreMigration && img.MetadataVersion() >= metadata.MetadataVersion3_7IV0 {
		out = append(out, controllersNotReady(v)...)
	}
	if img.Offset >= 0 {
		switch img.ZkMigrationState {
		case metadata.ZkMigrationPreMigration:
		case metadata.ZkMigrationNone:
			out = append(out, Finding{
				Code: CodeMetadataLogNotEmpty, Severity: SeverityBlocker,
				Message: fmt.Sprintf("The metadata log holds data (offset %d) in state NONE: the controllers were started without "+
					"zookeeper.metadata.migration.enable and created a KRaft-only cluster, which can never take a migration.", img.Offset),
				Fix: "Stop the controllers, delete their metadata.log.dir, format it with ZooKeeper's cluster id and start them with " +
					"zookeeper.metadata.migration.enable=true and zookeeper.connect set.",
			})
		case metadata.ZkMigrationMigration:
			out = append(out, Finding{
				Code: CodeAlreadyMigrated, Severity: SeverityInfo,
				Message: "The metadata log says the migration already ran (MIGRATION: the controllers lead and still write ZooKeeper); " +
					"ZooKeeper is compared with the log instead of planning a copy.",
			})
		case metadata.ZkMigrationZK:
			out = append(out, rolledBackFinding)
		case metadata.ZkMigrationPostMigration:
			out = append(out, Finding{
				Code: CodeMetadataLogNotPreMigration, Severity: SeverityBlocker,
				Message: "The migration is finalized (POST_MIGRATION): the cluster runs on KRaft and ZooKeeper is no longer written. " +
					"It is compared with the log below for reference only.",
				Fix: "Nothing to migrate; a finalized migration cannot be reverted. Decommission ZooKeeper once nothing reads it.",
			})
		default:
			out = append(out, Finding{
				Code: CodeMetadataLogNotPreMigration, Severity: SeverityBlocker,
				Message: fmt.Sprintf("The metadata log is in state %s, which no migration starts from.", img.ZkMigrationState.String()),
				Fix:     "Start the migration from controllers with an empty metadata.log.dir and zookeeper.metadata.migration.enable=true.",
			})
		}
	}
	if v.InTransaction {
		out = append(out, Finding{
			Code: CodeOpenTransaction, Severity: SeverityWarning,
			Message: "The metadata log has an open transaction: a copy was interrupted. The next active controller aborts it " +
				"(AbortTransactionRecord) and the migration starts over from PRE_MIGRATION.",
			Fix: "Let the quorum settle (a controller failover aborts the transaction) and run the dry-run again; " +
				"if it stays open, read the active controller's log.",
		})
	}
	if f, ok := checkMetadataVersion(img.MetadataVersion(), migrated); ok {
		out = append(out, f)
	}
	return out
}

// checkMetadataVersion: migration needs 3.4-IV0, and a new one 3.6-IV1 since the copy
// is one metadata transaction (Kafka 3.9 refuses to start one below it). A level of 0
// is an empty log, whose version the controllers' bootstrap decides.
func checkMetadataVersion(mv int16, migrated bool) (Finding, bool) {
	var need string
	switch {
	case mv <= 0:
		return Finding{}, false
	case mv < metadata.MetadataVersion3_4IV0:
		need = fmt.Sprintf("3.4-IV0 (level %d), the first that supports ZooKeeper migration", metadata.MetadataVersion3_4IV0)
	case mv < metadata.MetadataVersion3_6IV1 && !migrated:
		need = fmt.Sprintf("3.6-IV1 (level %d), the first with metadata transactions, which the copy is written in", metadata.MetadataVersion3_6IV1)
	default:
		return Finding{}, false
	}
	return Finding{
		Code: CodeMetadataVersionTooOld, Severity: SeverityBlocker,
		Message: fmt.Sprintf("The quorum's metadata.version is level %d, below %s.", mv, need),
		Fix: "Bootstrap the controllers at a newer metadata.version (format their storage with a later release version) and give the brokers " +
			"the matching inter.broker.protocol.version; do not change either once the migration has started.",
	}, true
}

// checkTree runs the preflight checks ZooKeeper alone can answer.
func checkTree(tree *zkmode.Tree) []Finding {
	var out []Finding
	if len(tree.TopicsWithoutID) > 0 {
		out = append(out, Finding{
			Code: CodeMissingTopicID, Severity: SeverityBlocker,
			Message: fmt.Sprintf("Topics without a topic_id cannot be migrated (Kafka's copy fails on them): %s.", strings.Join(tree.TopicsWithoutID, ", ")),
			Fix: "Run every broker at inter.broker.protocol.version 2.8 or later, then move the ZooKeeper controller (delete /controller): " +
				"the newly elected controller writes a topic_id into every topic znode that lacks one.",
			Entities: slices.Clone(tree.TopicsWithoutID),
		})
	}
	if f, ok := checkZNodeVersions(tree); ok {
		out = append(out, f)
	}
	if live, all := zkBrokerIDs(tree); len(all) > len(live) {
		var offline []int32
		for _, id := range all {
			if _, ok := tree.BrokerZNodes[id]; !ok {
				offline = append(offline, id)
			}
		}
		out = append(out, Finding{
			Code: CodeBrokersOffline, Severity: SeverityWarning,
			Message: fmt.Sprintf("Replicas are assigned to %s, missing from /brokers/ids: the migration waits until every broker "+
				"named in an assignment registers with the quorum.", brokerList(offline)),
			Fix:      "Start them with the migration configs, or reassign their replicas to live brokers first.",
			Entities: idStrings(offline),
		})
	}
	if c := tree.Controller; c != nil && c.IsKRaftController() {
		out = append(out, Finding{
			Code: CodeKRaftControllerZNode, Severity: SeverityWarning,
			Message: fmt.Sprintf("/controller is held by KRaft controller %d (epoch %d) although no migration has been copied: "+
				"ZooKeeper brokers cannot elect a controller while it stays.", c.BrokerID, c.KRaftControllerEpoch),
			Fix: "If no copy is in progress, a previous attempt or a rollback left it: delete /controller quickly " +
				"(zookeeper-shell.sh HOST deleteall /controller) so a ZooKeeper broker is elected again.",
			Entities: []string{znode.ControllerPath},
		})
	}
	if len(tree.PendingDeletions) > 0 {
		out = append(out, Finding{
			Code: CodePendingDeletions, Severity: SeverityWarning,
			Message: fmt.Sprintf("Topics pending deletion are not migrated and will not exist in KRaft: %s.", strings.Join(tree.PendingDeletions, ", ")),
			Fix: "Let the deletions finish before migrating (they need the ZooKeeper controller and the replicas' brokers up); " +
				"otherwise their data stays on the brokers' disks until removed by hand.",
			Entities: slices.Clone(tree.PendingDeletions),
		})
	}
	if len(tree.PartitionsWithoutState) > 0 {
		names := make([]string, len(tree.PartitionsWithoutState))
		for i, tp := range tree.PartitionsWithoutState {
			names[i] = partitionName(tp.Topic, tp.Partition)
		}
		out = append(out, Finding{
			Code: CodePartitionsWithoutState, Severity: SeverityInfo,
			Message: fmt.Sprintf("Partitions without a state znode (no leader elected yet) are copied as Kafka does, with the first replica "+
				"as leader, every replica in the ISR and epochs 0: %s.", strings.Join(names, ", ")),
			Entities: names,
		})
	}
	return out
}

// checkZNodeVersions reads the brokers' IBP range off their registrations: the JSON
// version is 5 only from IBP 2.7, and a release's supported metadata.version range
// ends at 8 (3.4-IV0) only from Kafka 3.4, the first that migrates.
func checkZNodeVersions(tree *zkmode.Tree) (Finding, bool) {
	reasons := map[int32]string{}
	for id, b := range tree.BrokerZNodes {
		mv, ok := featureRange(b.Features)
		switch {
		case b.Version < 5:
			reasons[id] = fmt.Sprintf("znode v%d, so inter.broker.protocol.version below 2.7", b.Version)
		case !ok:
			reasons[id] = "no metadata.version among its features, so Kafka older than 3.3"
		case mv.MaxVersion < metadata.MetadataVersion3_4IV0:
			reasons[id] = fmt.Sprintf("supports metadata.version up to level %d, so Kafka older than 3.4", mv.MaxVersion)
		}
	}
	return ibpTooOld(reasons)
}

// ibpTooOld is one IBP_TOO_OLD finding for every broker with a reason.
func ibpTooOld(reasons map[int32]string) (Finding, bool) {
	if len(reasons) == 0 {
		return Finding{}, false
	}
	ids := slices.Sorted(maps.Keys(reasons))
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("broker %d (%s)", id, reasons[id])
	}
	return Finding{
		Code: CodeIBPTooOld, Severity: SeverityBlocker,
		Message: "Brokers below Kafka 3.4 / inter.broker.protocol.version 3.4 cannot migrate: " + strings.Join(parts, "; ") + ".",
		Fix: "Upgrade these brokers to Kafka 3.4 or later and roll them with inter.broker.protocol.version at that release " +
			"(the quorum's metadata.version must equal it).",
		Entities: idStrings(ids),
	}, true
}

// checkRegistrations compares ZooKeeper's brokers with the quorum's: Kafka copies only
// once every broker in /brokers/ids and in any assignment is registered as a
// migrating ZooKeeper broker (areZkBrokersReadyForMigration), and brokers and
// controllers share one id space.
func checkRegistrations(tree *zkmode.Tree, v *ControllerView) []Finding {
	var out []Finding
	img := v.Image
	_, zkIDs := zkBrokerIDs(tree)
	isZK := map[int32]bool{}
	for _, id := range zkIDs {
		isZK[id] = true
	}
	controllers := map[int32]bool{}
	for _, id := range voterIDs(v.Voters) {
		controllers[id] = true
	}
	for id := range img.Controllers {
		controllers[id] = true
	}
	var collide []int32
	for id := range controllers {
		if isZK[id] {
			collide = append(collide, id)
		}
	}
	if len(collide) > 0 {
		slices.Sort(collide)
		out = append(out, Finding{
			Code: CodeIDCollision, Severity: SeverityBlocker,
			Message: fmt.Sprintf("Ids used by a controller (node.id) and a ZooKeeper broker (broker.id) alike: %s. Brokers and controllers share one id space.", joinIDs(collide)),
			Fix: "Give the controllers node.id values no broker uses (for example 3000 and up), update controller.quorum.voters everywhere, " +
				"delete and re-format their metadata.log.dir and start them again.",
			Entities: idStrings(collide),
		})
	}
	var missing, kraft []int32
	for _, id := range zkIDs {
		switch b, ok := img.Brokers[id]; {
		case !ok:
			missing = append(missing, id)
		case !b.IsMigratingZkBroker:
			kraft = append(kraft, id)
		}
	}
	if len(missing)+len(kraft) > 0 {
		var what []string
		if len(missing) > 0 {
			what = append(what, "not registered: "+joinIDs(missing))
		}
		if len(kraft) > 0 {
			what = append(what, "registered as KRaft brokers, not migrating ZooKeeper brokers: "+joinIDs(kraft))
		}
		out = append(out, Finding{
			Code: CodeBrokersNotRegistered, Severity: SeverityBlocker,
			Message: "The copy starts only once every ZooKeeper broker (in /brokers/ids or in any assignment) is registered with the quorum " +
				"as a migrating ZooKeeper broker; " + strings.Join(what, "; ") + ".",
			Fix: "On each, set zookeeper.metadata.migration.enable=true, controller.quorum.voters (or controller.quorum.bootstrap.servers) " +
				"and controller.listener.names, and roll it; start brokers that are down or reassign their replicas away.",
			Entities: idStrings(slices.Sorted(slices.Values(append(missing, kraft...)))),
		})
	}
	return append(out, checkMigratingBrokers(img)...)
}

// checkMigratingBrokers checks what migrating ZooKeeper brokers registered: their
// log dirs (JBOD needs 3.7-IV2, and a failed dir stops a migrating broker,
// KAFKA-16431) and their IBP, to which Kafka pins their metadata.version range.
func checkMigratingBrokers(img *metadata.Image) []Finding {
	var out []Finding
	mv := img.MetadataVersion()
	var jbod, mismatch []int32
	tooOld := map[int32]string{}
	for _, id := range slices.Sorted(maps.Keys(img.Brokers)) {
		b := img.Brokers[id]
		if !b.IsMigratingZkBroker {
			continue
		}
		if len(b.LogDirs) > 1 {
			jbod = append(jbod, id)
		}
		r, ok := featureRange(b.Features)
		if !ok || r.MinVersion != r.MaxVersion {
			continue
		}
		switch ibp := r.MaxVersion; {
		case ibp < metadata.MetadataVersion3_4IV0:
			tooOld[id] = fmt.Sprintf("registered with inter.broker.protocol.version level %d", ibp)
		case mv > 0 && ibp != mv:
			mismatch = append(mismatch, id)
		}
	}
	if len(jbod) > 0 {
		f := Finding{
			Code: CodeMultipleLogDirs, Severity: SeverityWarning,
			Message: fmt.Sprintf("More than one log dir on %s: during the migration a single failed log dir shuts such a broker down (KAFKA-16431).",
				brokerList(jbod)),
			Fix:      "Make sure every log dir is online and healthy before migrating, and watch them until the brokers run on KRaft.",
			Entities: idStrings(jbod),
		}
		if mv < metadata.MetadataVersion3_7IV2 {
			f.Severity = SeverityBlocker
			f.Message = fmt.Sprintf("More than one log dir on %s, which a migration supports only from inter.broker.protocol.version "+
				"3.7-IV2 (metadata.version level %d); the quorum runs level %d.", brokerList(jbod), metadata.MetadataVersion3_7IV2, mv)
			f.Fix = "Move to 3.7-IV2 or later on the brokers (IBP) and the quorum (metadata.version), or give these brokers a single log dir."
		}
		out = append(out, f)
	}
	if f, ok := ibpTooOld(tooOld); ok {
		out = append(out, f)
	}
	if len(mismatch) > 0 {
		out = append(out, Finding{
			Code: CodeIBPMismatch, Severity: SeverityBlocker,
			Message: fmt.Sprintf("The inter.broker.protocol.version of %s differs from the quorum's metadata.version (level %d): "+
				"a migrating broker pins its metadata.version to its IBP, and the two must be equal.", brokerList(mismatch), mv),
			Fix:      "Give every broker the inter.broker.protocol.version of the quorum's metadata.version and roll them; change neither during the migration.",
			Entities: idStrings(mismatch),
		})
	}
	return out
}

// zkBrokerIDs returns the ids in /brokers/ids and every id those ids and the topic
// assignments name, both sorted: the brokers Kafka's migration waits for.
func zkBrokerIDs(tree *zkmode.Tree) (live, all []int32) {
	set := map[int32]bool{}
	for id := range tree.BrokerZNodes {
		set[id] = true
	}
	live = slices.Sorted(maps.Keys(set))
	for _, t := range tree.Image.Topics {
		for _, p := range t.Partitions {
			for _, ids := range [][]int32{p.Replicas, p.AddingReplicas, p.RemovingReplicas} {
				for _, id := range ids {
					set[id] = true
				}
			}
		}
	}
	return live, slices.Sorted(maps.Keys(set))
}

// featureRange returns the metadata.version range among a broker's features.
func featureRange(features []metadata.FeatureRange) (metadata.FeatureRange, bool) {
	for _, f := range features {
		if f.Name == metadata.FeatureMetadataVersion {
			return f, true
		}
	}
	return metadata.FeatureRange{}, false
}

func voterIDs(voters []Voter) []int32 {
	ids := make([]int32, len(voters))
	for i, v := range voters {
		ids[i] = v.ID
	}
	slices.Sort(ids)
	return ids
}

// logState describes the metadata log's position and migration state.
func logState(img *metadata.Image) string {
	if img.Offset < 0 {
		return "the log is empty"
	}
	return fmt.Sprintf("state %s at offset %d", img.ZkMigrationState.String(), img.Offset)
}

func partitionName(topic string, partition int32) string {
	return topic + "-" + strconv.Itoa(int(partition))
}

func idStrings(ids []int32) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.Itoa(int(id))
	}
	return out
}

func joinIDs(ids []int32) string { return strings.Join(idStrings(ids), ", ") }

// brokerList is "broker 2" or "brokers 1, 3".
func brokerList(ids []int32) string {
	if len(ids) == 1 {
		return "broker " + joinIDs(ids)
	}
	return "brokers " + joinIDs(ids)
}

// rolledBackFinding is what a dry-run and a commit say of a quorum whose migration was
// rolled back: its log is frozen in state ZK and stale from then on, so a second
// migration starts from a new, empty log.
var rolledBackFinding = Finding{
	Code: CodeRolledBack, Severity: SeverityBlocker,
	Message: "This quorum's migration was rolled back (its log is in state ZK, or ZooKeeper has no /migration): ZooKeeper " +
		"leads the cluster and this metadata log is stale from the rollback on, so it cannot be copied into again.",
	Fix: "To migrate again: stop these controllers, delete their metadata.log.dir, format it with ZooKeeper's /cluster/id " +
		"(kbridge storage format), start them with zookeeper.metadata.migration.enable=true, restart the brokers one at a time " +
		"so they register with the new quorum, then run the dry-run and commit.",
}

// controllersNotReady is Kafka's isControllerQuorumReadyForMigration: every voter must
// have registered (KIP-919) with ZkMigrationReady, its zookeeper.metadata.migration.enable,
// before the copy, or a voter that cannot keep ZooKeeper in step could lead after it.
func controllersNotReady(v *ControllerView) []Finding {
	var unregistered, notReady []int32
	for _, voter := range v.Voters {
		reg, ok := v.Image.Controllers[voter.ID]
		switch {
		case !ok:
			unregistered = append(unregistered, voter.ID)
		case !reg.ZkMigrationReady:
			notReady = append(notReady, voter.ID)
		}
	}
	var out []Finding
	if len(unregistered) > 0 {
		out = append(out, Finding{
			Code: CodeControllersNotReady, Severity: SeverityBlocker,
			Message:  "Controllers not registered with the active controller yet: " + joinIDs(unregistered) + ".",
			Fix:      "Start every voter of controller.quorum.voters; each registers within a second of reaching the active controller.",
			Entities: idStrings(unregistered),
		})
	}
	if len(notReady) > 0 {
		out = append(out, Finding{
			Code: CodeControllersNotReady, Severity: SeverityBlocker,
			Message: "Controllers registered without zookeeper.metadata.migration.enable: " + joinIDs(notReady) +
				". Any of them could lead after the copy without keeping ZooKeeper in step.",
			Fix:      "Restart them with zookeeper.metadata.migration.enable=true and zookeeper.connect.",
			Entities: idStrings(notReady),
		})
	}
	return out
}
