package znode

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kbridge/kbridge/metadata"
)

// The test tokens: alice's, requested by admin for her, renewable by bob and by a
// principal whose name needs sanitizing; bob's, written before Kafka 3.3.
const (
	aliceTokenID = "sLXPbuzqTvO1n4v0DgrwJA"
	bobTokenID   = "0cZ2vG0hQ3WmEYd1hpGsTg"

	// aliceTokenV3 is alice's token znode as EncodeDelegationToken writes it.
	aliceTokenV3 = `{"version":3,"owner":"User%3Aalice","tokenRequester":"User%3Aadmin",` +
		`"renewers":["User%3Abob","User%3ACN%3Dcarol%2CO%3Dexample"],` +
		`"issueTimestamp":1700000000000,"maxTimestamp":1700604800000,"expiryTimestamp":1700086400000,` +
		`"tokenId":"` + aliceTokenID + `"}`
	// aliceTokenHashOrder is the same znode with its fields in a hash order, as
	// Kafka's Jackson writes them.
	aliceTokenHashOrder = `{"issueTimestamp":1700000000000,"renewers":["User%3Abob","User%3ACN%3Dcarol%2CO%3Dexample"],` +
		`"tokenRequester":"User%3Aadmin","tokenId":"` + aliceTokenID + `","owner":"User%3Aalice",` +
		`"expiryTimestamp":1700086400000,"maxTimestamp":1700604800000,"version":3}`
	// bobTokenV1 is a version 1 token znode (Kafka 1.1 to 3.2): no tokenRequester, no
	// renewers.
	bobTokenV1 = `{"version":1,"owner":"User%3Abob","renewers":[],"issueTimestamp":1600000000000,` +
		`"maxTimestamp":1600604800000,"expiryTimestamp":1600086400000,"tokenId":"` + bobTokenID + `"}`
)

// aliceToken is the record aliceTokenV3 holds.
func aliceToken() *metadata.DelegationTokenRecord {
	return &metadata.DelegationTokenRecord{
		Owner: "User:alice", Requester: "User:admin", Renewers: []string{"User:bob", "User:CN=carol,O=example"},
		IssueTimestamp: 1700000000000, MaxTimestamp: 1700604800000, ExpirationTimestamp: 1700086400000, TokenID: aliceTokenID,
	}
}

// bobToken is the record bobTokenV1 holds: its owner requested it.
func bobToken() *metadata.DelegationTokenRecord {
	return &metadata.DelegationTokenRecord{
		Owner: "User:bob", Requester: "User:bob",
		IssueTimestamp: 1600000000000, MaxTimestamp: 1600604800000, ExpirationTimestamp: 1600086400000, TokenID: bobTokenID,
	}
}

func TestDelegationTokenCodec(t *testing.T) {
	got, err := EncodeDelegationToken(aliceToken())
	if err != nil || string(got) != aliceTokenV3 {
		t.Errorf("EncodeDelegationToken = %s, %v\nwant %s", got, err, aliceTokenV3)
	}
	for _, c := range []struct {
		name, data string
		want       *metadata.DelegationTokenRecord
	}{
		{"v3 as encoded", aliceTokenV3, aliceToken()},
		{"v3 in hash order", aliceTokenHashOrder, aliceToken()},
		{"v1: the owner is the requester", bobTokenV1, bobToken()},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok, err := DecodeDelegationToken([]byte(c.data))
			if err != nil || !reflect.DeepEqual(tok, c.want) {
				t.Fatalf("DecodeDelegationToken = %+v, %v; want %+v", tok, err, c.want)
			}
			data, err := EncodeDelegationToken(tok)
			if err != nil {
				t.Fatal(err)
			}
			back, err := DecodeDelegationToken(data)
			if err != nil || !reflect.DeepEqual(back, c.want) {
				t.Errorf("round trip through %s = %+v, %v; want %+v", data, back, err, c.want)
			}
		})
	}
	// A v1 token is rewritten as v3, its owner the requester.
	data, _ := EncodeDelegationToken(bobToken())
	if want := `{"version":3,"owner":"User%3Abob","tokenRequester":"User%3Abob","renewers":[],"issueTimestamp":1600000000000,` +
		`"maxTimestamp":1600604800000,"expiryTimestamp":1600086400000,"tokenId":"` + bobTokenID + `"}`; string(data) != want {
		t.Errorf("bob's token encodes as %s, want %s", data, want)
	}
}

func TestDelegationTokenCodecErrors(t *testing.T) {
	v3 := func(replace, with string) string {
		if !strings.Contains(aliceTokenV3, replace) {
			t.Fatalf("%q is not in the sample", replace)
		}
		return strings.Replace(aliceTokenV3, replace, with, 1)
	}
	for _, c := range []struct{ data, want string }{
		{``, "not a JSON object"},
		{`[]`, "not a JSON object"},
		{`{"owner":"User%3Aalice"}`, `"version" is missing`},
		{v3(`"version":3`, `"version":4`), "unsupported version 4"},
		{v3(`"version":3`, `"version":0`), "unsupported version 0"},
		{v3(`"owner":"User%3Aalice"`, `"owner":"alice"`), `"owner": principal "alice" is not of the form type:name`},
		{v3(`"owner":"User%3Aalice"`, `"owner":"User%3"`), `"owner": desanitize entity name`},
		{v3(`"owner":"User%3Aalice"`, `"owner":null`), `"owner" is null`},
		{v3(`"tokenRequester":"User%3Aadmin",`, ``), `"tokenRequester" is missing`},
		{v3(`["User%3Abob","User%3ACN%3Dcarol%2CO%3Dexample"]`, `"User%3Abob"`), `"renewers": "User%3Abob" is not an array`},
		{v3(`"User%3Abob",`, `7,`), `"renewers": element 0: 7 is not a string`},
		{v3(`"User%3ACN%3Dcarol%2CO%3Dexample"`, `"carol"`), `"renewers": element 1: principal "carol"`},
		{v3(`"issueTimestamp":1700000000000`, `"issueTimestamp":"1700000000000"`), `"issueTimestamp"`},
		{v3(`"maxTimestamp":1700604800000`, `"maxTimestamp":1.7e12`), `"maxTimestamp"`},
		{v3(`,"expiryTimestamp":1700086400000`, ``), `"expiryTimestamp" is missing`},
		{v3(`"tokenId":"`+aliceTokenID+`"`, `"tokenId":5`), `"tokenId"`},
	} {
		if tok, err := DecodeDelegationToken([]byte(c.data)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeDelegationToken(%s) = %+v, %v; want an error mentioning %s", c.data, tok, err, c.want)
		}
	}
	for _, edit := range []func(*metadata.DelegationTokenRecord){
		func(t *metadata.DelegationTokenRecord) { t.Owner = "alice" },
		func(t *metadata.DelegationTokenRecord) { t.Requester = "" },
		func(t *metadata.DelegationTokenRecord) { t.Renewers = []string{"User:bob", "carol"} },
	} {
		tok := aliceToken()
		edit(tok)
		if data, err := EncodeDelegationToken(tok); err == nil || !strings.Contains(err.Error(), aliceTokenID) {
			t.Errorf("EncodeDelegationToken(%+v) = %s, %v; want an error naming the token", tok, data, err)
		}
	}
}

func FuzzDecodeDelegationToken(f *testing.F) {
	f.Add([]byte(aliceTokenHashOrder))
	f.Add([]byte(bobTokenV1))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRoundTrip(t, data, DecodeDelegationToken, EncodeDelegationToken)
	})
}
