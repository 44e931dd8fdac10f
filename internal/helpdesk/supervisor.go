package helpdesk

import (
	"net/http"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// supervisorView is every agent's load against capacity and every queue's
// waiting count and oldest wait, read from the Desk as SystemActor.
func (s *Server) supervisorView(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := s.clock.Now()
	weights := routing.Weights{}
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
	for _, a := range agents() {
		page, err := s.desk.Search(ctx, parley.SystemActor, conversation.Query{AssigneeID: a.ID,
			Statuses: []conversation.Status{conversation.Assigned}, Limit: conversation.MaxLimit})
		if err != nil {
			fail(w, err)
			return
		}
		load := 0
		for _, c := range page.Conversations {
			load += weights.Of(c.Channel)
		}
		capacity := a.Capacity
		if capacity == 0 {
			capacity = 100
		}
		agentsOut = append(agentsOut, agentJSON{ID: a.ID, Presence: s.presenceOf(a.ID).String(), Load: load, Capacity: capacity,
			Open: len(page.Conversations), Queues: strings.Join(a.Queues, ", ")})
	}
	queuesOut := []queueJSON{}
	for _, q := range queues() {
		page, err := s.desk.Search(ctx, parley.SystemActor, conversation.Query{Queues: []string{q},
			Statuses: []conversation.Status{conversation.Queued}, Sort: conversation.Oldest, Limit: conversation.MaxLimit})
		if err != nil {
			fail(w, err)
			return
		}
		qj := queueJSON{Name: q, Waiting: len(page.Conversations), OldestWait: "-"}
		if len(page.Conversations) > 0 {
			qj.OldestWait = now.Sub(page.Conversations[0].CreatedAt).Round(time.Second).String()
		}
		queuesOut = append(queuesOut, qj)
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": stamp(now), "agents": agentsOut, "queues": queuesOut})
}
