package kclient

import (
	"fmt"
	"io"
	"strings"
)

// writeTable prints kafka-transactions' tables as Kafka 3.9's
// ToolsUtils.prettyPrintTable does, so that scripts written against Kafka's
// output parse ours: every cell, the last included, is padded to its
// column's widest value and followed by a tab; a table without rows is its
// header line alone.
func writeTable(out io.Writer, headers []string, rows [][]string) error {
	widths := make([]int, len(headers))
	for i, h := range headers {
		widths[i] = len(h)
	}
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len(cell))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, cell := range cells {
			b.WriteString(cell)
			b.WriteString(strings.Repeat(" ", widths[i]-len(cell)))
			b.WriteByte('\t')
		}
		b.WriteByte('\n')
	}
	line(headers)
	for _, row := range rows {
		line(row)
	}
	if _, err := io.WriteString(out, b.String()); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}
