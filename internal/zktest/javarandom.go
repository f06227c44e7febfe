package zktest

// javaRandom is java.util.Random's linear congruential generator, bit for bit, so
// that a session password ZooKeeper derives with it can be derived here too.
type javaRandom struct{ seed int64 }

const (
	javaRandomMultiplier = 0x5DEECE66D
	javaRandomAddend     = 0xB
	javaRandomMask       = 1<<48 - 1
)

func newJavaRandom(seed int64) *javaRandom {
	return &javaRandom{seed: (seed ^ javaRandomMultiplier) & javaRandomMask}
}

// next is Random.next(bits): the top bits of the 48-bit state after one step.
func (r *javaRandom) next(bits uint) int32 {
	r.seed = (r.seed*javaRandomMultiplier + javaRandomAddend) & javaRandomMask
	return int32(uint64(r.seed) >> (48 - bits))
}

// nextBytes is Random.nextBytes: each nextInt fills up to four bytes, low byte first.
func (r *javaRandom) nextBytes(b []byte) {
	for i := 0; i < len(b); {
		rnd := r.next(32)
		for n := min(len(b)-i, 4); n > 0; n-- {
			b[i] = byte(rnd)
			i++
			rnd >>= 8
		}
	}
}
