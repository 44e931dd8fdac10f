package helpdesk

import (
	"net/http"
	"strings"
	"time"
)

// supervisorView is every agent's presence and load against capacity and
// every queue's waiting count and oldest wait, as the Desk's live view
// reads them from the router and the store.
func (s *Server) supervisorView(w http.ResponseWriter, r *http.Request) {
	live, err := s.desk.Live(r.Context())
	if err != nil {
		fail(w, err)
		return
	}
	type agentJSON struct {
		ID       string `json:"id"`
		Presence string `json:"presence"`
		Load     int    `json:"load"`
		Capacity int    `json:"capacity"`
		Open     int    `json:"open"`
		Queues   string `json:"queues"`
	}
	type queueJSON struct {
		Name       string `json:"name"`
		Waiting    int    `json:"waiting"`
		OldestWait string `json:"oldest_wait"`
	}
	agentsOut := []agentJSON{}
	for _, a := range live.Agents {
		agentsOut = append(agentsOut, agentJSON{ID: a.ID, Presence: a.Presence.String(), Load: a.Load, Capacity: a.Capacity,
			Open: len(a.Held), Queues: strings.Join(a.Queues, ", ")})
	}
	queuesOut := []queueJSON{}
	for _, q := range live.Queues {
		qj := queueJSON{Name: q.Name, Waiting: q.Waiting, OldestWait: "-"}
		if q.Waiting > 0 {
			qj.OldestWait = q.OldestWait.Round(time.Second).String()
		}
		queuesOut = append(queuesOut, qj)
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": stamp(live.At), "agents": agentsOut, "queues": queuesOut})
}
