package migrate

import "context"

// MigrationStatusPage fetches the status page (GET /migration) from the active
// controller, found through the controller at addr, with the client's credentials:
// the way to the page on a secured controller listener, whose metrics port refuses it.
func (c *AdminClient) MigrationStatusPage(ctx context.Context, addr string) ([]byte, error) {
	addr, _, err := c.activeController(ctx, addr)
	if err != nil {
		return nil, err
	}
	return c.get(ctx, addr, "/migration")
}
