package migrate

import (
	"net"
	"strconv"
	"time"
)

// BrokerDetail is what this controller knows of one registered broker beyond where its
// leadership comes from: its registration, and, on the active controller, which alone
// receives heartbeats, how far it follows the metadata log.
type BrokerDetail struct {
	Epoch                int64
	Fenced               bool
	InControlledShutdown bool
	// Endpoints are its listeners as NAME://host:port.
	Endpoints []string
	Rack      string
	// Reported says whether MetadataOffset and LastContact are known.
	Reported bool
	// MetadataOffset is the offset of its last heartbeat, -1 before its first in this
	// controller's term.
	MetadataOffset int64
	LastContact    time.Time
}

// brokerDetails describes every broker registered in this controller's image.
func (d *Driver) brokerDetails() map[int32]BrokerDetail {
	img := d.ctrl.Image()
	reports := d.ctrl.BrokerReports()
	out := make(map[int32]BrokerDetail, len(img.Brokers))
	for id, b := range img.Brokers {
		bd := BrokerDetail{Epoch: b.Epoch, Fenced: b.Fenced, InControlledShutdown: b.InControlledShutdown, Rack: b.Rack}
		for _, e := range b.Endpoints {
			bd.Endpoints = append(bd.Endpoints, e.Name+"://"+net.JoinHostPort(e.Host, strconv.Itoa(int(e.Port))))
		}
		if r, ok := reports[id]; ok {
			bd.Reported, bd.MetadataOffset, bd.LastContact = true, r.MetadataOffset, r.LastContact
		}
		out[id] = bd
	}
	return out
}
