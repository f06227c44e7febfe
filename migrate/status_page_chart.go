package migrate

import (
	"fmt"
	"strings"
)

// The lag chart's drawing area, in SVG user units.
const (
	chartWidth  = 640
	chartHeight = 160
	chartLeft   = 56
	chartBottom = 24
)

// lagChart is the ZooKeeper write lag over time as an SVG polyline: no script and no
// external resource, so the page works offline.
type lagChart struct {
	Empty bool
	// Points is the polyline's points attribute.
	Points string
	// LastX and LastY mark the newest sample, visible even when it is the only one.
	LastX, LastY string
	// MaxOffsets labels the top of the y axis.
	MaxOffsets int64
	From, To   string
	Samples    int
	Last       LagSample
	Width      int
	Height     int
	Left       int
	Bottom     int
	Right      int
}

// newLagChart scales the samples into the drawing area: time along x, the lag in
// offsets along y from 0 to the largest sample (at least 1).
func newLagChart(samples []LagSample) lagChart {
	c := lagChart{Empty: len(samples) == 0, Samples: len(samples), Width: chartWidth, Height: chartHeight,
		Left: chartLeft, Bottom: chartHeight - chartBottom, Right: chartWidth - 8}
	if c.Empty {
		return c
	}
	first, last := samples[0], samples[len(samples)-1]
	c.Last = last
	c.From, c.To = first.At.UTC().Format("15:04:05"), last.At.UTC().Format("15:04:05")
	c.MaxOffsets = 1
	for _, s := range samples {
		c.MaxOffsets = max(c.MaxOffsets, s.Offsets)
	}
	span := last.At.Sub(first.At)
	plotW, plotH := float64(c.Right-c.Left), float64(c.Bottom-8)
	pts := make([]string, len(samples))
	for i, s := range samples {
		x := float64(c.Left)
		if span > 0 {
			x += plotW * float64(s.At.Sub(first.At)) / float64(span)
		}
		y := float64(c.Bottom) - plotH*float64(s.Offsets)/float64(c.MaxOffsets)
		pts[i] = fmt.Sprintf("%.1f,%.1f", x, y)
		c.LastX, c.LastY = fmt.Sprintf("%.1f", x), fmt.Sprintf("%.1f", y)
	}
	c.Points = strings.Join(pts, " ")
	return c
}
