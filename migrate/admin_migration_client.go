package migrate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// AdminError is a refusal or failure the admin endpoint answered with: the blockers
// of a refused commit, the reasons of a refused finalize, or the error.
type AdminError struct {
	Controller string
	StatusCode int
	Message    string
	Blockers   []Finding
	Reasons    []string
}

func (e *AdminError) Error() string {
	return fmt.Sprintf("controller %s: %s", e.Controller, e.Message)
}

// CommitMigration asks the active controller (found through the controller at addr)
// to commit the migration, and waits for the copy to end.
func (c *AdminClient) CommitMigration(ctx context.Context, addr string) (CommitResult, error) {
	var res CommitResult
	err := c.callActive(ctx, addr, http.MethodPost, "/v1/migration/commit", &res)
	return res, err
}

// MigrationStatus reads `migrate status` from the active controller.
func (c *AdminClient) MigrationStatus(ctx context.Context, addr string) (Status, error) {
	var st Status
	err := c.callActive(ctx, addr, http.MethodGet, "/v1/migration/status", &st)
	return st, err
}

// FinalizeMigration asks the active controller to finalize, refused unless every
// broker has been on the quorum for minSoak (and the other conditions hold); with
// checkOnly it only asks whether it would be refused, and changes nothing.
func (c *AdminClient) FinalizeMigration(ctx context.Context, addr string, minSoak time.Duration, checkOnly bool) (Status, error) {
	var st Status
	err := c.callActive(ctx, addr, http.MethodPost, fmt.Sprintf("/v1/migration/finalize?min_soak=%s&check_only=%t", minSoak, checkOnly), &st)
	return st, err
}

// RollbackMigration asks the active controller to roll the migration back, or with
// dryRun only for the steps it would take.
func (c *AdminClient) RollbackMigration(ctx context.Context, addr string, dryRun bool) (RollbackResult, error) {
	var res RollbackResult
	err := c.callActive(ctx, addr, http.MethodPost, fmt.Sprintf("/v1/migration/rollback?dry_run=%t", dryRun), &res)
	return res, err
}

// callActive sends one admin request to the active controller and decodes its answer
// into out, or its refusal into an *AdminError.
func (c *AdminClient) callActive(ctx context.Context, addr, method, path string, out any) error {
	leader, _, err := c.activeController(ctx, addr)
	if err != nil {
		return err
	}
	resp, err := c.do(ctx, method, leader, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("controller %s: %s %s: %w", leader, method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e errorJSON
		if json.Unmarshal(body, &e) != nil || e.Error == "" {
			e.Error = resp.Status + ": " + string(bytes.TrimSpace(body))
		}
		return &AdminError{Controller: leader, StatusCode: resp.StatusCode, Message: e.Error, Blockers: e.Blockers, Reasons: e.Reasons}
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("controller %s: %s %s: %w", leader, method, path, err)
	}
	return nil
}
