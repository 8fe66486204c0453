package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// TestTheReadyLineSaysTheDemoSecretOnlyWhileItIsTheDemos: the ready line
// tells a newcomer how to sign for the demo project, and never claims a
// secret the project no longer has, nor shows the one a host gave it.
func TestTheReadyLineSaysTheDemoSecretOnlyWhileItIsTheDemos(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	ctx := context.Background()
	assert.Equal(t, `project_id 1, secret "secret"`, demoLine(ctx, s.app.Engine))

	require.NoError(t, s.app.Engine.PutProject(ctx, platform.Project{ID: 1, Secret: "the-host-s-own"}))
	line := demoLine(ctx, s.app.Engine)
	assert.Equal(t, "project_id 1, with the secret its config or the API gave it", line)
	assert.NotContains(t, line, "the-host-s-own")
}
