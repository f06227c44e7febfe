package config

import (
	"slices"
	"strings"
	"testing"
)

func TestAuthorizerKeys(t *testing.T) {
	c := mustParse(t, seedsFile+"authorizer.class.name=kafka.security.authorizer.AclAuthorizer\nsuper.users=User:admin; User:CN=broker,O=kb ;\nallow.everyone.if.no.acl.found=true\n")
	if !c.AuthorizerEnabled() || !c.AllowEveryoneIfNoACLFound {
		t.Errorf("authorizer %q allow-everyone %v", c.AuthorizerClassName, c.AllowEveryoneIfNoACLFound)
	}
	if want := []string{"User:admin", "User:CN=broker,O=kb"}; !slices.Equal(c.SuperUsers, want) {
		t.Errorf("SuperUsers = %q, want %q", c.SuperUsers, want)
	}
	if c := mustParse(t, seedsFile); c.AuthorizerEnabled() || len(c.SuperUsers) != 0 || c.AllowEveryoneIfNoACLFound {
		t.Errorf("defaults: %+v %v %v", c.AuthorizerClassName, c.SuperUsers, c.AllowEveryoneIfNoACLFound)
	}
	_, err := Parse("server.properties", strings.NewReader(seedsFile+"authorizer.class.name=com.example.OpaAuthorizer\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "authorizer.class.name") || !strings.Contains(err.Error(), "server.properties") {
		t.Errorf("a custom authorizer: err = %v, want one naming the key and the file", err)
	}
}
