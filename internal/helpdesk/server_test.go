package helpdesk

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestConcurrentWebhooksReadsAndStreams: webhooks, console reads and
// event streams at once, under -race.
func TestConcurrentWebhooksReadsAndStreams(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	streams := []<-chan event{f.stream(ctx), f.stream(ctx)}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			c := contacts[i%len(contacts)]
			switch i % 3 {
			case 0:
				assert.Equal(t, http.StatusOK, f.sms(c, fmt.Sprintf("sms %d", i), "").StatusCode)
			case 1:
				assert.Equal(t, http.StatusOK, f.whatsApp(c, "", fmt.Sprintf("wa %d", i)).StatusCode)
			default:
				assert.Equal(t, http.StatusOK, f.messenger(c, fmt.Sprintf("fb %d", i)).StatusCode)
			}
		})
		wg.Go(func() {
			var v map[string]any
			f.get("/api/supervisor", &v)
			_ = f.list("inbox", agents()[i%len(agents())].ID)
		})
	}
	wg.Wait()
	for _, s := range streams {
		waitEvent(t, s, func(e event) bool { return e.Name == "message.received" })
	}
}
