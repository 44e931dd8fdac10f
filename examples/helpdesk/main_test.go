package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServesTheConsole runs the command as `go run` would, on a free
// port, fetches its pages and stops it.
func TestServesTheConsole(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r, w := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, "127.0.0.1:0", 60, w) }()
	line, err := bufio.NewReader(r).ReadString('\n')
	require.NoError(t, err)
	_, rest, ok := strings.Cut(line, "http://")
	require.True(t, ok, line)
	host, _, _ := strings.Cut(rest, " ")
	base := "http://" + host
	for _, path := range []string{"/", "/console?agent=ana", "/supervisor", "/phone", "/static/console.js", "/api/clock"} {
		resp, err := http.Get(base + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
	}
	cancel()
	assert.NoError(t, <-done)
}
