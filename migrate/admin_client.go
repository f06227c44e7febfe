package migrate

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/kbridge/kbridge/metadata"
)

// AdminClient reaches the controllers' admin endpoints as the controller listener
// they are served on wants (docs/security.md, "The migration admin endpoint"): plain
// HTTP, or HTTPS on a TLS listener, with HTTP Basic credentials on a SASL one. A nil
// *AdminClient, like the zero value, speaks plain HTTP without credentials.
type AdminClient struct {
	// TLS gives the client's TLS config for the controller host it dials (the name
	// the server's certificate must carry); nil speaks plain HTTP.
	TLS func(host string) (*tls.Config, error)
	// Username and Password are sent as HTTP Basic credentials unless Username is "".
	Username, Password string
}

// do sends req to the controller at addr (host:port) and returns the response.
func (c *AdminClient) do(ctx context.Context, method, addr, path string) (*http.Response, error) {
	scheme, client := "http", http.DefaultClient
	if c != nil && c.TLS != nil {
		scheme, client = "https", &http.Client{Transport: &http.Transport{DialTLSContext: c.dialTLS}}
	}
	req, err := http.NewRequestWithContext(ctx, method, scheme+"://"+addr+path, nil)
	if err != nil {
		return nil, fmt.Errorf("controller %s: %w", addr, err)
	}
	if c != nil && c.Username != "" {
		req.SetBasicAuth(c.Username, c.Password)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("controller %s: %w", addr, err)
	}
	return resp, nil
}

// dialTLS opens a TLS connection with the config for the host dialed, so a command
// that follows a redirect to the active controller verifies that one's name.
func (c *AdminClient) dialTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	cfg, err := c.TLS(host)
	if err != nil {
		return nil, err
	}
	d := tls.Dialer{Config: cfg}
	return d.DialContext(ctx, network, addr)
}

// FetchControllerView reads the quorum's state from the admin endpoint of the
// controller at addr (host:port of its controller listener). A controller that is not
// the active one names the leader, and the view is read from the leader, so the image
// is the newest committed one.
func (c *AdminClient) FetchControllerView(ctx context.Context, addr string) (*ControllerView, error) {
	addr, st, err := c.activeController(ctx, addr)
	if err != nil {
		return nil, err
	}
	body, err := c.get(ctx, addr, "/v1/records")
	if err != nil {
		return nil, err
	}
	img := metadata.NewImage()
	if len(body) > 0 {
		batches, err := metadata.DecodeBatches(body)
		if err != nil {
			return nil, fmt.Errorf("controller %s: decode the image's records: %w", addr, err)
		}
		for _, b := range batches {
			for _, r := range b.Records {
				if err := img.Apply(r); err != nil {
					return nil, fmt.Errorf("controller %s: apply the image's records: %w", addr, err)
				}
			}
		}
	}
	img.ClusterID = st.ClusterID
	img.SetPosition(st.Offset, st.Epoch)
	return &ControllerView{NodeID: st.NodeID, LeaderID: st.LeaderID, Voters: st.Voters, Image: img, InTransaction: st.InTransaction}, nil
}

// activeController asks the controller at addr who the active controller is, and
// returns its address and state (addr's own when it is active or none is known).
func (c *AdminClient) activeController(ctx context.Context, addr string) (string, stateJSON, error) {
	st, err := c.getState(ctx, addr)
	if err != nil || st.LeaderID < 0 || st.LeaderID == st.NodeID {
		return addr, st, err
	}
	for _, v := range st.Voters {
		if v.ID == st.LeaderID {
			leaderAddr := net.JoinHostPort(v.Host, strconv.Itoa(v.Port))
			leaderState, err := c.getState(ctx, leaderAddr)
			if err != nil {
				return "", st, fmt.Errorf("controller %d, the active one: %w", v.ID, err)
			}
			return leaderAddr, leaderState, nil
		}
	}
	return addr, st, nil
}

func (c *AdminClient) getState(ctx context.Context, addr string) (stateJSON, error) {
	var st stateJSON
	body, err := c.get(ctx, addr, "/v1/state")
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return st, fmt.Errorf("controller %s: GET /v1/state: %w", addr, err)
	}
	return st, nil
}

// get fetches one admin path and returns the body of a 200 answer.
func (c *AdminClient) get(ctx context.Context, addr, path string) ([]byte, error) {
	resp, err := c.do(ctx, http.MethodGet, addr, path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("controller %s: GET %s: %w", addr, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("controller %s: GET %s: %s: %s", addr, path, resp.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}
