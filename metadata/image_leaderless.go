package metadata

// WithoutLeader returns a clone of img in which broker id leads no partition (each
// partition it led has NoLeader, with the same epochs and ISR), and how many
// partitions it led; img itself when it led none. A broker serving such an image
// leads nothing: what a source publishes while the broker cannot know which of its
// leaderships still stand (a ZooKeeper session expired, or a quorum frozen for a
// rollback while ZooKeeper cannot be read).
func (img *Image) WithoutLeader(id int32) (*Image, int) {
	led := 0
	for _, t := range img.Topics {
		for _, p := range t.Partitions {
			if p.Leader == id {
				led++
			}
		}
	}
	if led == 0 {
		return img, 0
	}
	next := img.Clone()
	for _, t := range next.Topics {
		for pid, p := range t.Partitions {
			if p.Leader != id {
				continue
			}
			np := *p
			np.Leader = NoLeader
			t.Partitions[pid] = &np
		}
	}
	return next, led
}
