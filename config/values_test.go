package config

import "testing"

// TestJavaDouble: DOUBLE configs and quota values print as Java's
// Double.toString.
func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{1024: "1024.0", 0.5: "0.5", 1e7: "1.0E7", 12345678.9: "1.23456789E7", 1.5e-4: "1.5E-4", 0: "0.0", 200.25: "200.25"} {
		if got := JavaDouble(f); got != want {
			t.Errorf("JavaDouble(%v) = %s, want %s", f, got, want)
		}
	}
}
