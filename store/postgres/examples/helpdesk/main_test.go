package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/internal/helpdesk"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// TestHelpdeskOnPostgres serves the console on a fresh schema, has the
// phone write on WhatsApp and SMS, and reads both back from the console:
// the conversations and the capacity are PostgreSQL's.
func TestHelpdeskOnPostgres(t *testing.T) {
	_, pool := pgtest.Schema(t)
	ctx, cancel := context.WithCancel(context.Background())
	r, w := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, pool, "127.0.0.1:0", 1, w) }()
	line, err := bufio.NewReader(r).ReadString('\n')
	require.NoError(t, err)
	_, rest, ok := strings.Cut(line, "http://")
	require.True(t, ok, line)
	host, _, _ := strings.Cut(rest, " ")
	base := "http://" + host

	for _, m := range []struct {
		kind        channel.Kind
		contact, id string
	}{{channel.WhatsApp, "maria", "wamid.pg1"}, {channel.SMS, "john", "SMpg1"}} {
		req, err := helpdesk.SignedInbound(base, m.kind, m.contact, m.id, "Hello")
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, m.kind)
	}
	var inbox []struct {
		Contact string `json:"contact"`
	}
	get(t, base+"/api/inbox?agent=cleo", &inbox)
	require.Len(t, inbox, 1)
	assert.Equal(t, "John Smith", inbox[0].Contact)
	var sup struct {
		Agents []struct {
			Load int `json:"load"`
		} `json:"agents"`
	}
	get(t, base+"/api/supervisor", &sup)
	total := 0
	for _, a := range sup.Agents {
		total += a.Load
	}
	assert.Equal(t, 20, total, "the WhatsApp conversation went to an agent")
	cancel()
	assert.NoError(t, <-done)
}

func get(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, url)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
}
