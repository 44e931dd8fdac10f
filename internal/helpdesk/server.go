package helpdesk

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/providers/meta"
	"github.com/parleyhq/parley/providers/twilio"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
	ptemplate "github.com/parleyhq/parley/template"
)

//go:embed assets
var assets embed.FS

// The provider webhook endpoints, as the providers would be told them.
const (
	twilioWebhookPath = "/webhooks/twilio"
	metaWebhookPath   = "/webhooks/meta"
)

// Options configures [New]. Every field's zero value is the default
// stated on it.
type Options struct {
	// Clock is the Desk's clock; nil means the wall clock from now, at
	// speed 1.
	Clock *Clock
	// Conversations, OptOuts, Routing and Windows are the Desk's stores;
	// nil means the in-memory ones.
	Conversations conversation.Store
	OptOuts       optout.Store
	Routing       routing.Log
	Windows       session.Store
	// Logger logs what the console cannot show (a failed callback); nil
	// discards.
	Logger *slog.Logger
	// TickEvery is how often Run calls Desk.Tick (offers expire, windows
	// close) in wall-clock time; zero means one second.
	TickEvery time.Duration
}

// Server is the helpdesk: the agent console, the supervisor view, the
// customer phone and the provider webhooks on one http.Handler. It is
// safe for concurrent use.
type Server struct {
	desk     *parley.Desk
	clock    *Clock
	fake     *fakeProvider
	hub      *hub
	mux      *http.ServeMux
	snippets *ptemplate.Library
	pages    *template.Template
	log      *slog.Logger
	tick     time.Duration

	mu       sync.Mutex
	offers   map[conversation.ID]offer
	media    map[string]mediaFile
	mediaSeq int
}

// offer is a standing offer, kept from the Desk's OfferedEvent until the
// conversation is accepted, rejected or offered again.
type offer struct {
	Agent    string
	Deadline time.Time
}

// New builds the Desk on opts' stores, its provider wiring (the real
// twilio and meta handlers and transports, the transports sending to the
// in-process fake provider) and the console.
func New(opts Options) (*Server, error) {
	s := &Server{clock: opts.Clock, log: opts.Logger, tick: opts.TickEvery,
		offers: map[conversation.ID]offer{}, media: map[string]mediaFile{}}
	if s.clock == nil {
		s.clock = NewClock(time.Now(), 1)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.tick <= 0 {
		s.tick = time.Second
	}
	lib, err := snippets()
	if err != nil {
		return nil, err
	}
	s.snippets = lib
	s.mux = http.NewServeMux()
	s.fake = newFakeProvider(s.clock.Now, s.log)
	s.fake.webhooks = s.mux
	s.hub = newHub(s)

	providerAPI := client(s.fake)
	endpoints := []meta.Endpoint{
		{Touchpoint: whatsAppTouchpoint, Kind: channel.WhatsApp, ID: whatsAppPhoneID},
		{Touchpoint: messengerTouchpoint, Kind: channel.Messenger, ID: pageID},
	}
	metaTransport, err := meta.NewTransport(meta.TransportConfig{BaseURL: "http://provider.fake/graph", Client: providerAPI,
		AccessToken: metaAccessToken, Endpoints: endpoints})
	if err != nil {
		return nil, err
	}
	twilioTransport := &twilio.Transport{AccountSID: twilioAccountSID, AuthToken: twilioAuthToken,
		BaseURL: "http://provider.fake/twilio", Client: providerAPI}

	tps := touchpoints()
	s.desk, err = parley.New(parley.Config{
		Transport: parley.Transports{whatsAppTouchpoint: metaTransport, messengerTouchpoint: metaTransport,
			smsTouchpoint: twilioTransport},
		Clock:         s.clock.Now,
		Touchpoints:   tps,
		Agents:        agents(),
		Supervisors:   []string{Supervisor},
		Snippets:      lib,
		Templates:     whatsAppTemplates(),
		Variables:     map[string]string{"company": "Acme"},
		Conversations: opts.Conversations,
		OptOuts:       opts.OptOuts,
		Routing:       opts.Routing,
		Windows:       opts.Windows,
		Publisher:     s.hub,
		Logger:        s.log,
	})
	if err != nil {
		return nil, err
	}
	twilioHandler, err := twilio.NewHandler(twilio.HandlerConfig{AuthToken: twilioAuthToken, Desk: s.desk, Touchpoints: tps, Logger: s.log})
	if err != nil {
		return nil, err
	}
	metaHandler, err := meta.NewHandler(meta.HandlerConfig{AppSecret: metaAppSecret, VerifyToken: "helpdesk", Desk: s.desk,
		Endpoints: endpoints, Logger: s.log})
	if err != nil {
		return nil, err
	}
	s.mux.Handle(twilioWebhookPath, twilioHandler)
	s.mux.Handle(metaWebhookPath, metaHandler)

	s.pages, err = template.ParseFS(assets, "assets/*.html")
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, err
	}
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.routes()
	return s, nil
}

// ServeHTTP serves the console, the phone and the webhooks.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Desk returns the Desk the console drives.
func (s *Server) Desk() *parley.Desk { return s.desk }

// Clock returns the Desk's clock.
func (s *Server) Clock() *Clock { return s.clock }

// Run calls Desk.Tick every Options.TickEvery until ctx is done: offers
// expire and windows close on time. It returns ctx's error.
func (s *Server) Run(ctx context.Context) error {
	t := time.NewTicker(s.tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.hub.close()
			return ctx.Err()
		case <-t.C:
			if err := s.desk.Tick(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("helpdesk: tick", "err", err)
			}
		}
	}
}

// page renders one of the embedded pages.
func (s *Server) page(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		data := map[string]any{"Agents": agents(), "Contacts": contacts, "Queues": queues(), "Supervisor": Supervisor,
			"Phone": phoneConfig()}
		if err := s.pages.ExecuteTemplate(w, name, data); err != nil {
			s.log.Warn("helpdesk: page", "page", name, "err", err)
		}
	}
}

// phoneConfig is what the phone page needs to write as a provider would:
// the business's numbers and IDs, the webhook paths and the keys to sign
// with (rule 3).
func phoneConfig() map[string]string {
	return map[string]string{
		"whatsAppNumber": whatsAppNumber, "whatsAppPhoneID": whatsAppPhoneID, "smsNumber": smsNumber, "pageID": pageID,
		"twilioPath": twilioWebhookPath, "metaPath": metaWebhookPath, "twilioToken": twilioAuthToken,
		"twilioAccount": twilioAccountSID, "metaSecret": metaAppSecret,
	}
}

// agentKnown reports whether id is one of the demo's agents.
func agentKnown(id string) bool {
	for _, a := range agents() {
		if a.ID == id {
			return true
		}
	}
	return false
}

var errUnknownAgent = errors.New("helpdesk: unknown agent")

func checkAgent(id string) error {
	if !agentKnown(id) {
		return fmt.Errorf("%w: %q", errUnknownAgent, id)
	}
	return nil
}

// Serve listens on addr, says where to w, and serves srv (with its Run
// loop) until ctx is done, then shuts down gracefully.
func Serve(ctx context.Context, srv *Server, addr string, w io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(w, "parley helpdesk on http://%s (console /console, supervisor /supervisor, phone /phone)\n", ln.Addr())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = srv.Run(ctx) }()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	// Event streams never end by themselves: Run's end closes them.
	cancel()
	if err := hs.Shutdown(shut); err != nil {
		return err
	}
	return nil
}
