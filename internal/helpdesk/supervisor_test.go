package helpdesk

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSupervisorView: each agent's load against capacity, each queue's
// waiting count and oldest wait (rule 6).
func TestSupervisorView(t *testing.T) {
	f := newFixture(t)
	require.Equal(t, http.StatusOK, f.sms(john, "Hello", "").StatusCode)
	require.Equal(t, http.StatusOK, f.sms(aiko, "Hello", "").StatusCode)
	id := f.list("inbox", "ana")[0].ID
	status, _ := f.post("/api/conversations/"+id+"/take", `{"agent":"ana"}`)
	require.Equal(t, http.StatusOK, status)
	status, _ = f.post("/api/presence", `{"agent":"cleo","presence":"away"}`)
	require.Equal(t, http.StatusOK, status)
	f.clock.Advance(90 * time.Minute)

	var v struct {
		Agents []struct {
			ID       string `json:"id"`
			Presence string `json:"presence"`
			Load     int    `json:"load"`
			Capacity int    `json:"capacity"`
		} `json:"agents"`
		Queues []struct {
			Name       string `json:"name"`
			Waiting    int    `json:"waiting"`
			OldestWait string `json:"oldest_wait"`
		} `json:"queues"`
	}
	f.get("/api/supervisor", &v)
	got := map[string]string{}
	for _, a := range v.Agents {
		got[a.ID] = fmt.Sprintf("%s %d/%d", a.Presence, a.Load, a.Capacity)
	}
	assert.Equal(t, map[string]string{"ana": "available 5/100", "ben": "available 0/100", "cleo": "away 0/100", "sam": "offline 0/100"}, got)
	queues := map[string]string{}
	for _, q := range v.Queues {
		queues[q.Name] = fmt.Sprintf("%d %s", q.Waiting, q.OldestWait)
	}
	assert.Equal(t, map[string]string{"support": "1 1h30m0s", "billing": "1 1h30m0s", "sales": "0 -"}, queues)
}
