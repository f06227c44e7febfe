package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseJavaProperties(t *testing.T) {
	tests := []struct {
		name, text string
		want       []property
	}{
		{"equals", "a=1", []property{{"a", "1"}}},
		{"colon", "a: 1", []property{{"a", "1"}}},
		{"whitespace separator", "a   1", []property{{"a", "1"}}},
		{"whitespace then equals", "a = 1", []property{{"a", "1"}}},
		{"only the first separator", "a==1", []property{{"a", "=1"}}},
		{"value keeps later separators", "map=A:B,C:D", []property{{"map", "A:B,C:D"}}},
		{"key only", "a", []property{{"a", ""}}},
		{"empty value", "a=", []property{{"a", ""}}},
		{"comments and blanks", "# c\n! c\n\n   # indented\na=1", []property{{"a", "1"}}},
		{"leading whitespace", "   a=1", []property{{"a", "1"}}},
		{"trailing whitespace kept", "a=1  ", []property{{"a", "1  "}}},
		{"continuation", "a=1,\\\n    2,\\\n\t3", []property{{"a", "1,2,3"}}},
		{"escaped backslash is not a continuation", "a=x\\\\\nb=2", []property{{"a", `x\`}, {"b", "2"}}},
		{"comment line is not continued", "# c \\\na=1", []property{{"a", "1"}}},
		{"continued line may start with #", "a=1\\\n#2", []property{{"a", "1#2"}}},
		{"continuation at end of file", "a=1\\", []property{{"a", "1"}}},
		{"escaped separator in key", `a\=b=c`, []property{{"a=b", "c"}}},
		{"escapes", `a=\t\n\u0041\x`, []property{{"a", "\t\nAx"}}},
		{"surrogate pair", `a=\uD83D\uDE00`, []property{{"a", "😀"}}},
		{"CRLF and CR", "a=1\r\nb=2\rc=3", []property{{"a", "1"}, {"b", "2"}, {"c", "3"}}},
		{"later wins in viper, both kept here", "a=1\na=2", []property{{"a", "1"}, {"a", "2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProperties(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseJavaPropertiesMalformedUnicode(t *testing.T) {
	_, err := parseProperties("a=1\nb=\\u12")
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("err = %v, want a malformed \\u error on line 2", err)
	}
	_, err = Parse("server.properties", strings.NewReader("b=\\uZZZZ"), nil)
	if err == nil || !strings.HasPrefix(err.Error(), "server.properties: ") {
		t.Errorf("Parse err = %v, want it to name the file", err)
	}
}

func TestEncodeJavaPropertiesRoundTrips(t *testing.T) {
	in := map[string]any{"b key": " lead", "a": "x=y:z#!\\", "u": "é\t"}
	b, err := javaProperties{}.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	want := "a=x\\=y\\:z\\#\\!\\\\\nb\\ key=\\ lead\nu=\\u00E9\\t\n"
	if string(b) != want {
		t.Errorf("Encode = %q, want %q", b, want)
	}
	out := map[string]any{}
	if err := (javaProperties{}).Decode(b, out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip = %q, want %q", out, in)
	}
}
