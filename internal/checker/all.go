package checker

// CheckAll runs every check of a history: CheckAcked, CheckAckOrder, CheckCommits,
// CheckOffsetConflicts and CheckEpochLeaders.
func CheckAll(ops []Op) []Violation {
	var out []Violation
	for _, check := range []func([]Op) []Violation{CheckAcked, CheckAckOrder, CheckCommits, CheckOffsetConflicts, CheckEpochLeaders} {
		out = append(out, check(ops)...)
	}
	return out
}
