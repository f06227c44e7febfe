package zkmode

import (
	"errors"
	"slices"

	"github.com/go-zookeeper/zk"

	"github.com/kbridge/kbridge/zkmode/znode"
)

// deleteTopics carries out the deletions queued in /admin/delete_topics (Kafka's
// TopicDeletionManager, ZooKeeper side). The Source leaves a queued topic out of the
// image at once, so brokers have already dropped it; what remains is its znodes:
// every state and partition znode, /partitions, the topic znode, /config/topics/<t>
// and the request itself. The topic's descendants are deleted one by one, children
// first; the topic, config and request znodes in one last multi, so the request goes
// only with the topic and a deletion cut short is resumed from the request on a later
// image. A queued name that is not a topic only loses its request. With
// delete.topic.enable=false the requests are dropped, as Kafka's controller drops them.
func (t *controllerTerm) deleteTopics(tree *Tree) (outcome, error) {
	var units []writeUnit
	// finals maps the index of each topic's last unit to the topic.
	finals := map[int]string{}
	var o outcome
	for _, topic := range tree.PendingDeletions {
		if !t.c.opts.DeleteTopicEnable {
			t.log.Info("delete.topic.enable is false; dropping the topic deletion request", "topic", topic)
			units = append(units, writeUnit{&zk.DeleteRequest{Path: znode.DeleteTopicPath(topic), Version: -1}})
			continue
		}
		topicUnits, exists, err := t.topicDeletion(topic)
		if err != nil {
			if err := t.readFailed(err, "cannot delete the topic", "topic", topic); err != nil {
				return outcome{}, err
			}
			o.failed = true
			continue
		}
		units = append(units, topicUnits...)
		if exists {
			finals[len(units)-1] = topic
		}
	}
	if len(units) == 0 {
		return o, nil
	}
	errs, err := t.write(units)
	if err != nil {
		return outcome{}, err
	}
	o.add(errs)
	for i, u := range units {
		topic, final := finals[i]
		switch {
		case errs[i] != nil:
			t.log.Warn("topic deletion incomplete; trying again", "op", describeOp(u[len(u)-1]), "err", errs[i])
		case final:
			t.log.Info("deleted topic", "topic", topic)
		}
	}
	return o, nil
}

// topicDeletion plans the deletes of one queued topic's znodes, read afresh since
// the image no longer holds the topic: its descendants, then one last unit of its
// config, its znode and the request. exists is false when there is no such topic,
// and then only the request is deleted.
func (t *controllerTerm) topicDeletion(topic string) (units []writeUnit, exists bool, err error) {
	request := &zk.DeleteRequest{Path: znode.DeleteTopicPath(topic), Version: -1}
	if exists, _, err = t.w.conn.Exists(t.ctx, znode.TopicPath(topic)); err != nil {
		return nil, false, err
	}
	if !exists {
		t.log.Info("a deletion request names no topic; dropping it", "topic", topic)
		return []writeUnit{{request}}, false, nil
	}
	if units, err = t.appendDescendantDeletes(nil, znode.TopicPath(topic)); err != nil {
		return nil, false, err
	}
	var last writeUnit
	config := znode.ConfigEntityPath(znode.ConfigTypeTopic, topic)
	hasConfig, _, err := t.w.conn.Exists(t.ctx, config)
	if err != nil {
		return nil, false, err
	}
	if hasConfig {
		last = append(last, &zk.DeleteRequest{Path: config, Version: -1})
	}
	last = append(last, &zk.DeleteRequest{Path: znode.TopicPath(topic), Version: -1}, request)
	return append(units, last), true, nil
}

// appendDescendantDeletes appends a delete of each znode below path, children before
// their parents (Kafka's deleteRecursive).
func (t *controllerTerm) appendDescendantDeletes(units []writeUnit, path string) ([]writeUnit, error) {
	kids, err := t.w.conn.Children(t.ctx, path)
	if errors.Is(err, zk.ErrNoNode) {
		return units, nil
	}
	if err != nil {
		return nil, err
	}
	slices.Sort(kids)
	for _, k := range kids {
		child := path + "/" + k
		if units, err = t.appendDescendantDeletes(units, child); err != nil {
			return nil, err
		}
		units = append(units, writeUnit{&zk.DeleteRequest{Path: child, Version: -1}})
	}
	return units, nil
}
