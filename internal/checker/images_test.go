package checker

import "testing"

func TestCompareImages(t *testing.T) {
	a := []byte("{\"type\":\"TopicRecord\",\"name\":\"t\"}\n{\"type\":\"PartitionRecord\",\"leader\":101}\n")
	expect(t, CompareImages(map[string][]byte{"c1": a, "c2": a, "c3": a}))
	expect(t, CompareImages(map[string][]byte{"c1": a}))

	other := []byte("{\"type\":\"TopicRecord\",\"name\":\"t\"}\n{\"type\":\"PartitionRecord\",\"leader\":102}\n")
	diff := CompareImages(map[string][]byte{"c1": a, "c2": a, "c3": other})
	expect(t, diff, ImageDiffers)
	evidenceHas(t, diff[0], "c3", `-c1: {"type":"PartitionRecord","leader":101}`, `+c3: {"type":"PartitionRecord","leader":102}`)

	swapped := []byte("{\"type\":\"PartitionRecord\",\"leader\":101}\n{\"type\":\"TopicRecord\",\"name\":\"t\"}\n")
	order := CompareImages(map[string][]byte{"c1": a, "c2": swapped})
	expect(t, order, ImageDiffers)
	evidenceHas(t, order[0], "record 0: c1 has", "record 0: c2 has")

	// A controller that lost its tail has fewer records.
	short := CompareImages(map[string][]byte{"c1": a, "c2": a[:len(a)/2]})
	expect(t, short, ImageDiffers)
}
