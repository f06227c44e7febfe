package metadata

import "testing"

// TestWithoutLeader: the clone names no leader where broker 1 led, keeps every other
// partition and every epoch, and leaves the image it came from as it was; an image in
// which the broker leads nothing comes back as it is.
func TestWithoutLeader(t *testing.T) {
	img := NewImage()
	mustApply(t, img, topicRecords("orders", RandomUuid(), 3)...)
	led := img.Topics["orders"].Partitions
	p1 := *led[1]
	p1.Leader, p1.LeaderEpoch = 2, 4
	led[1] = &p1

	out, n := img.WithoutLeader(led[0].Leader)
	if n != 2 {
		t.Fatalf("broker %d led %d partitions, want 2", led[0].Leader, n)
	}
	for id, p := range out.Topics["orders"].Partitions {
		want := img.Topics["orders"].Partitions[id]
		switch {
		case want.Leader == 2 && (p.Leader != 2 || p.LeaderEpoch != 4):
			t.Errorf("partition %d, led by broker 2: %+v", id, p)
		case want.Leader != 2 && (p.Leader != NoLeader || p.LeaderEpoch != want.LeaderEpoch || len(p.ISR) != len(want.ISR)):
			t.Errorf("partition %d without its leader: %+v, was %+v", id, p, want)
		}
	}
	if img.Topics["orders"].Partitions[0].Leader == NoLeader {
		t.Fatal("WithoutLeader changed the image it cloned")
	}
	if same, n := out.WithoutLeader(led[0].Leader); same != out || n != 0 {
		t.Fatalf("an image the broker leads nothing in: got another image (%d led)", n)
	}
}
