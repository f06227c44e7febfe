package znode

import (
	"fmt"
	"strconv"
)

// /controller (ZkData ControllerZNode) names the active controller. Since Kafka 3.4 it
// is v2, {"version":2,"brokerid":1,"timestamp":"1700000000000","kraftControllerEpoch":-1},
// where a ZooKeeper controller writes -1 and a KRaft controller that took over for a
// migration writes its Raft epoch; 3.3 and earlier wrote v1 without that field.
//
// /controller_epoch (ControllerEpochZNode) holds the epoch as a plain decimal string;
// its zkVersion is what controller writes are fenced on.

// ControllerZNode is the content of /controller.
type ControllerZNode struct {
	BrokerID int32
	// Timestamp is when the controller was elected, in milliseconds.
	Timestamp int64
	// KRaftControllerEpoch is -1 for a ZooKeeper controller, and for a v1 znode.
	KRaftControllerEpoch int32
}

// IsKRaftController reports whether a KRaft controller wrote the znode during a migration.
func (c ControllerZNode) IsKRaftController() bool { return c.KRaftControllerEpoch >= 0 }

// EncodeController returns a v2 /controller znode.
func EncodeController(c ControllerZNode) []byte {
	return newJSONWriter().
		int("version", 2).
		int("brokerid", int64(c.BrokerID)).
		string("timestamp", strconv.FormatInt(c.Timestamp, 10)).
		int("kraftControllerEpoch", int64(c.KRaftControllerEpoch)).
		bytes()
}

// DecodeController reads /controller of version 1 or 2 (ControllerZNode.decodeController).
func DecodeController(data []byte) (ControllerZNode, error) {
	obj, err := parseJSONObject(data)
	if err != nil {
		return ControllerZNode{}, err
	}
	if _, err := obj.version(1, 2); err != nil {
		return ControllerZNode{}, err
	}
	var c ControllerZNode
	if c.BrokerID, err = obj.int32("brokerid"); err != nil {
		return ControllerZNode{}, err
	}
	if c.Timestamp, err = obj.optDecimalString("timestamp", 0); err != nil {
		return ControllerZNode{}, err
	}
	if c.KRaftControllerEpoch, err = obj.optInt32("kraftControllerEpoch", -1); err != nil {
		return ControllerZNode{}, err
	}
	return c, nil
}

// EncodeControllerEpoch returns /controller_epoch's data: the decimal epoch.
func EncodeControllerEpoch(epoch int32) []byte { return strconv.AppendInt(nil, int64(epoch), 10) }

// DecodeControllerEpoch reads /controller_epoch as Integer.parseInt does: the whole data,
// no spaces, no JSON.
func DecodeControllerEpoch(data []byte) (int32, error) {
	v, err := strconv.ParseInt(string(data), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("controller epoch %q is not a 32-bit decimal number", truncateJSON(data))
	}
	return int32(v), nil
}
