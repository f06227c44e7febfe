package netfault

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The hub's nftables table and chain for cuts and loss (see the package doc).
const (
	faultTable = "netfault"
	faultChain = "faults"
)

// Rule kinds, the first word of a rule's comment.
const (
	kindCut  = "cut"
	kindLoss = "loss"
)

// lossScale is the resolution of loss: numgen draws from 0..lossScale-1, so loss is
// set in hundredths of a percent.
const lossScale = 10000

// createFaultTable makes the hub's table with its one chain on the bridge's forward
// hook, where every frame between two members passes.
func (l *Layout) createFaultTable() error {
	script := fmt.Sprintf("add table bridge %s\nadd chain bridge %s %s { type filter hook forward priority 0; policy accept; }\n",
		faultTable, faultTable, faultChain)
	if _, err := runIn(l.hub(), strings.NewReader(script), "nft", "-f", "-"); err != nil {
		return fmt.Errorf("create the fault table: %w", err)
	}
	return nil
}

// faultRule is one rule of the fault chain as nft lists it.
type faultRule struct {
	handle  int
	kind    string
	from    string
	to      string
	packets uint64
}

// ruleComment names a rule's kind and direction, e.g. "cut broker1>zk".
func ruleComment(kind, from, to string) string { return kind + " " + from + ">" + to }

// listRules reads the fault chain.
func (l *Layout) listRules() ([]faultRule, error) {
	out, err := runIn(l.hub(), nil, "nft", "-j", "-a", "list", "chain", "bridge", faultTable, faultChain)
	if err != nil {
		return nil, fmt.Errorf("list the fault rules: %w", err)
	}
	var listing struct {
		Nftables []struct {
			Rule *struct {
				Handle  int               `json:"handle"`
				Comment string            `json:"comment"`
				Expr    []json.RawMessage `json:"expr"`
			} `json:"rule"`
		} `json:"nftables"`
	}
	if err := json.Unmarshal([]byte(out), &listing); err != nil {
		return nil, fmt.Errorf("decode the fault rules: %w", err)
	}
	var rules []faultRule
	for _, item := range listing.Nftables {
		if item.Rule == nil {
			continue
		}
		kind, dir, ok := strings.Cut(item.Rule.Comment, " ")
		from, to, ok2 := strings.Cut(dir, ">")
		if !ok || !ok2 {
			continue
		}
		r := faultRule{handle: item.Rule.Handle, kind: kind, from: from, to: to}
		for _, e := range item.Rule.Expr {
			var c struct {
				Counter *struct {
					Packets uint64 `json:"packets"`
				} `json:"counter"`
			}
			if json.Unmarshal(e, &c) == nil && c.Counter != nil {
				r.packets = c.Counter.Packets
			}
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// dropRule is the nft statement that drops from→to: all of it, or a share of
// lossScale for loss.
func dropRule(kind string, from, to memberState, share int) string {
	match := fmt.Sprintf("ip saddr %s ip daddr %s", from.Addr, to.Addr)
	if kind == kindLoss {
		match += fmt.Sprintf(" numgen random mod %d < %d", lossScale, share)
	}
	return fmt.Sprintf("add rule bridge %s %s %s counter drop comment %q\n",
		faultTable, faultChain, match, ruleComment(kind, from.Name, to.Name))
}

// applyRules replaces, in one nft transaction, the rules of the given kind on the
// given directions with add (which may be empty: a heal). Rules of that kind already
// there are deleted first, so setting a fault twice leaves one rule.
func (l *Layout) applyRules(match func(faultRule) bool, add []string) error {
	rules, err := l.listRules()
	if err != nil {
		return err
	}
	var script strings.Builder
	for _, r := range rules {
		if match(r) {
			fmt.Fprintf(&script, "delete rule bridge %s %s handle %d\n", faultTable, faultChain, r.handle)
		}
	}
	for _, a := range add {
		script.WriteString(a)
	}
	if script.Len() == 0 {
		return nil
	}
	if _, err := runIn(l.hub(), strings.NewReader(script.String()), "nft", "-f", "-"); err != nil {
		return fmt.Errorf("change the fault rules: %w", err)
	}
	return nil
}
