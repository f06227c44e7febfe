package kclient

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
)

// lineReader turns console-producer input lines into records the way Kafka's
// LineMessageReader does, configured by the same --property keys.
type lineReader struct {
	parseKey, parseHeaders, ignoreError bool
	keySep, headersDelim, headersSep    string
	headersKeySep, nullMarker           string
	hasNullMarker                       bool
	lineNumber                          int
}

var lineReaderKeys = map[string]bool{
	"parse.key": true, "key.separator": true, "parse.headers": true, "headers.delimiter": true,
	"headers.separator": true, "headers.key.separator": true, "null.marker": true, "ignore.error": true,
}

func newLineReader(props map[string]string) (*lineReader, error) {
	r := &lineReader{keySep: "\t", headersDelim: "\t", headersSep: ",", headersKeySep: ":"}
	var err error
	if r.parseKey, err = propBool(props, "parse.key", false); err != nil {
		return nil, err
	}
	if r.parseHeaders, err = propBool(props, "parse.headers", false); err != nil {
		return nil, err
	}
	if r.ignoreError, err = propBool(props, "ignore.error", false); err != nil {
		return nil, err
	}
	for key, dst := range map[string]*string{
		"key.separator": &r.keySep, "headers.delimiter": &r.headersDelim,
		"headers.separator": &r.headersSep, "headers.key.separator": &r.headersKeySep,
	} {
		if v, ok := props[key]; ok {
			if v == "" {
				return nil, fmt.Errorf("property %s must not be empty", key)
			}
			*dst = v
		}
	}
	r.nullMarker, r.hasNullMarker = props["null.marker"]
	if r.hasNullMarker && r.nullMarker == "" {
		return nil, fmt.Errorf("property null.marker must not be empty")
	}
	if r.hasNullMarker && (r.nullMarker == r.keySep || r.nullMarker == r.headersDelim || r.nullMarker == r.headersSep || r.nullMarker == r.headersKeySep) {
		return nil, fmt.Errorf("null.marker %q must differ from key.separator, headers.delimiter, headers.separator and headers.key.separator", r.nullMarker)
	}
	if r.parseHeaders && (r.headersSep == r.headersKeySep || r.headersDelim == r.headersSep) {
		return nil, fmt.Errorf("headers.separator must differ from headers.key.separator and headers.delimiter")
	}
	for k := range props {
		if !lineReaderKeys[k] {
			slog.Warn("ignoring unknown line reader property", "key", k)
		}
	}
	return r, nil
}

// record parses one line: [headers<delimiter>][key<separator>]value, each part
// equal to null.marker meaning null.
func (r *lineReader) record(line string) (*kgo.Record, error) {
	r.lineNumber++
	rec := &kgo.Record{}
	rest := line
	var headers string
	var hasHeaders bool
	var err error
	if headers, rest, hasHeaders, err = r.cut(r.parseHeaders, rest, r.headersDelim, "headers delimiter", line); err != nil {
		return nil, err
	}
	key, rest, hasKey, err := r.cut(r.parseKey, rest, r.keySep, "key separator", line)
	if err != nil {
		return nil, err
	}
	if hasKey && !r.isNull(key) {
		rec.Key = []byte(key)
	}
	if !r.isNull(rest) {
		rec.Value = []byte(rest)
	}
	if hasHeaders && !r.isNull(headers) {
		for _, h := range strings.Split(headers, r.headersSep) {
			hk, hv, ok := strings.Cut(h, r.headersKeySep)
			if !ok && !r.ignoreError {
				return nil, fmt.Errorf("no header key separator found in pair '%s' on line number %d", h, r.lineNumber)
			}
			if r.isNull(hk) {
				return nil, fmt.Errorf("header keys should not be equal to the null marker '%s' as they can't be null", r.nullMarker)
			}
			header := kgo.RecordHeader{Key: hk}
			if ok && !r.isNull(hv) {
				header.Value = []byte(hv)
			}
			rec.Headers = append(rec.Headers, header)
		}
	}
	return rec, nil
}

// cut splits off the part before sep when enabled; a missing separator is an
// error unless ignore.error, which then leaves the part null (as Kafka does).
func (r *lineReader) cut(enabled bool, s, sep, name, line string) (before, after string, found bool, err error) {
	if !enabled {
		return "", s, false, nil
	}
	before, after, found = strings.Cut(s, sep)
	if !found {
		if r.ignoreError {
			return "", s, false, nil
		}
		return "", "", false, fmt.Errorf("no %s found on line number %d: '%s'", name, r.lineNumber, line)
	}
	return before, after, true, nil
}

func (r *lineReader) isNull(s string) bool { return r.hasNullMarker && s == r.nullMarker }
