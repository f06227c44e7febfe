package zkmode

import (
	"slices"
	"strings"
	"testing"
)

func TestParseConnect(t *testing.T) {
	good := []struct {
		in      string
		servers []string
		chroot  string
	}{
		{"localhost:2181", []string{"localhost:2181"}, ""},
		{"zk1:2181,zk2:2182,zk3:2183/kafka", []string{"zk1:2181", "zk2:2182", "zk3:2183"}, "/kafka"},
		{"zk1, zk2:2888 ,zk3", []string{"zk1:2181", "zk2:2888", "zk3:2181"}, ""},
		{"10.0.0.1:2181/kafka/prod-1", []string{"10.0.0.1:2181"}, "/kafka/prod-1"},
		{"zk:2181/", []string{"zk:2181"}, ""},
		{"[::1]:2181,[fe80::1]/k", []string{"[::1]:2181", "[fe80::1]:2181"}, "/k"},
	}
	for _, tc := range good {
		servers, chroot, err := ParseConnect(tc.in)
		if err != nil {
			t.Errorf("ParseConnect(%q): %v", tc.in, err)
			continue
		}
		if !slices.Equal(servers, tc.servers) || chroot != tc.chroot {
			t.Errorf("ParseConnect(%q) = %q, %q; want %q, %q", tc.in, servers, chroot, tc.servers, tc.chroot)
		}
	}

	bad := []struct {
		in      string
		mention string // the bad part, named in the error
	}{
		{"", "no servers"},
		{"/kafka", "no servers"},
		{"zk:2181/kafka/", "must not end with /"},
		{"zk:2181//kafka", "empty element"},
		{"zk:2181/kafka/../x", `relative element ".."`},
		{"zk:2181/ka\x00fka", "U+0000"},
		{"zk1:2181/kafka,zk2:2181/kafka", `chroot "/kafka,zk2:2181/kafka"`},
		{"zk1:2181,,zk2:2181", `server ""`},
		{"zk1:2181,zk2:http", `port "http"`},
		{"zk1:0", `port "0"`},
		{"zk1:65536", `port "65536"`},
		{"zk1:", `port ""`},
		{":2181", "no host"},
		{"::1:2181", "brackets"},
	}
	for _, tc := range bad {
		servers, chroot, err := ParseConnect(tc.in)
		if err == nil {
			t.Errorf("ParseConnect(%q) = %q, %q; want an error", tc.in, servers, chroot)
			continue
		}
		if !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("ParseConnect(%q): %q does not mention %q", tc.in, err, tc.mention)
		}
	}
}
