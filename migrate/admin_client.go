package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/kbridge/kbridge/metadata"
)

// FetchControllerView reads the quorum's state from the admin endpoint of the
// controller at addr (host:port of its controller listener). A controller that is not
// the active one names the leader, and the view is read from the leader, so the image
// is the newest committed one.
func FetchControllerView(ctx context.Context, addr string) (*ControllerView, error) {
	addr, st, err := activeController(ctx, addr)
	if err != nil {
		return nil, err
	}
	body, err := get(ctx, addr, "/v1/records")
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
func activeController(ctx context.Context, addr string) (string, stateJSON, error) {
	st, err := getState(ctx, addr)
	if err != nil || st.LeaderID < 0 || st.LeaderID == st.NodeID {
		return addr, st, err
	}
	for _, v := range st.Voters {
		if v.ID == st.LeaderID {
			leaderAddr := net.JoinHostPort(v.Host, strconv.Itoa(v.Port))
			leaderState, err := getState(ctx, leaderAddr)
			if err != nil {
				return "", st, fmt.Errorf("controller %d, the active one: %w", v.ID, err)
			}
			return leaderAddr, leaderState, nil
		}
	}
	return addr, st, nil
}

func getState(ctx context.Context, addr string) (stateJSON, error) {
	var st stateJSON
	body, err := get(ctx, addr, "/v1/state")
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return st, fmt.Errorf("controller %s: GET /v1/state: %w", addr, err)
	}
	return st, nil
}

// get fetches one admin path and returns the body of a 200 answer.
func get(ctx context.Context, addr, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return nil, fmt.Errorf("controller %s: %w", addr, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("controller %s: %w", addr, err)
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
