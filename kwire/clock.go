package kwire

import "time"

// clockStart anchors Now.
var clockStart = time.Now()

// Now is the monotonic clock alone, read as the time since the process started:
// request timing needs no wall clock, and time.Now reads both, which costs a request
// twice the clock reads.
func Now() time.Duration { return time.Since(clockStart) }
