package routing_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/routing"
)

func TestConfigProblemsListsWhatNewRefuses(t *testing.T) {
	cfg := routing.Config{
		DrainGrace: -1,
		Policies:   []routing.Policy{{ID: "wa"}, {ID: "wa"}, {ID: "d", Mode: routing.Dedicated}},
		Agents: []routing.Agent{
			{ID: ""}, {ID: "ana", Capacity: -5}, {ID: "bo"}, {ID: "bo"}, {ID: "cy", Queues: []string{""}},
		},
	}
	problems := cfg.Problems()
	require.Len(t, problems, 7, "problems: %v", problems)
	_, err := routing.New(cfg)
	require.Error(t, err)
	assert.Equal(t, problems[0].Error(), err.Error(), "New refuses the first problem listed")
	assert.ErrorIs(t, problems[2], routing.ErrInvalid, "dedicated without agent")
	assert.ErrorIs(t, problems[1], routing.ErrDuplicate, "duplicate touchpoint")
	assert.Contains(t, problems[3].Error(), `agent with empty ID`)
	assert.Contains(t, problems[4].Error(), `"ana" has negative capacity`)
	assert.ErrorIs(t, problems[5], routing.ErrDuplicate, "duplicate agent")
	assert.Contains(t, problems[6].Error(), `"cy" has an empty queue name`)

	assert.Empty(t, routing.Config{Agents: []routing.Agent{{ID: "ana"}}}.Problems())
}
