package report

import "time"

// Figures are the measures of one slice of the desk's work: the whole of
// it, an hour, a day, a channel, a touchpoint, a queue or an agent. Each
// count and duration is defined, with its edge cases, by the rule of the
// package doc named beside it. A fact counts in the slice of the instant
// it happened (rule 2).
type Figures struct {
	// Started counts conversations started (rule 3), by the contact
	// (StartedByContact) or by the business (StartedByBusiness).
	Started, StartedByContact, StartedByBusiness int64
	// Assigned, Transferred, SentToInbox and Closed count those moves
	// (rule 4).
	Assigned, Transferred, SentToInbox, Closed int64
	// MessagesIn counts the contact's messages, MessagesOut the messages
	// sent to the contact (rule 5).
	MessagesIn, MessagesOut int64
	// OptOuts and OptIns count keyword opt-outs and opt-ins (rule 6).
	OptOuts, OptIns int64

	// Wait is queued → first assigned (rule 7).
	Wait Durations
	// FirstResponse is the contact's first message → the first agent
	// message (rule 8).
	FirstResponse Durations
	// Response is every agent answer's time since the contact's oldest
	// unanswered message (rule 9).
	Response Durations
	// Handle is the time agents held the conversation; an agent's is its
	// own share (rule 10).
	Handle Durations
	// Resolution is started → closed (rule 11).
	Resolution Durations
	// WrapUp is ended → closed, for conversations closed from wrap-up
	// (rule 12).
	WrapUp Durations

	// Handled counts conversations closed that an agent held (rule 13).
	Handled int64
	// OffersAccepted, OffersRejected and OffersExpired count how offers
	// ended (rule 14).
	OffersAccepted, OffersRejected, OffersExpired int64
	// Answered counts first responses, AnsweredWithin those within the
	// service-level threshold, Abandoned the conversations the contact
	// left unanswered (rule 16).
	Answered, AnsweredWithin, Abandoned int64
	// Evicted counts open conversations whose state was dropped to keep
	// within Config.MaxOpen (rule 15).
	Evicted int64
}

// ServiceLevel returns AnsweredWithin / (Answered + Abandoned), the share
// of conversations answered within the threshold (rule 16); 0 when none
// was answered or abandoned.
func (f *Figures) ServiceLevel() float64 {
	n := f.Answered + f.Abandoned
	if n == 0 {
		return 0
	}
	return float64(f.AnsweredWithin) / float64(n)
}

// AbandonRate returns Abandoned / (Answered + Abandoned); 0 when none.
func (f *Figures) AbandonRate() float64 {
	n := f.Answered + f.Abandoned
	if n == 0 {
		return 0
	}
	return float64(f.Abandoned) / float64(n)
}

// Merge adds o's counts and durations to f.
func (f *Figures) Merge(o *Figures) {
	f.Started += o.Started
	f.StartedByContact += o.StartedByContact
	f.StartedByBusiness += o.StartedByBusiness
	f.Assigned += o.Assigned
	f.Transferred += o.Transferred
	f.SentToInbox += o.SentToInbox
	f.Closed += o.Closed
	f.MessagesIn += o.MessagesIn
	f.MessagesOut += o.MessagesOut
	f.OptOuts += o.OptOuts
	f.OptIns += o.OptIns
	f.Wait.Merge(&o.Wait)
	f.FirstResponse.Merge(&o.FirstResponse)
	f.Response.Merge(&o.Response)
	f.Handle.Merge(&o.Handle)
	f.Resolution.Merge(&o.Resolution)
	f.WrapUp.Merge(&o.WrapUp)
	f.Handled += o.Handled
	f.OffersAccepted += o.OffersAccepted
	f.OffersRejected += o.OffersRejected
	f.OffersExpired += o.OffersExpired
	f.Answered += o.Answered
	f.AnsweredWithin += o.AnsweredWithin
	f.Abandoned += o.Abandoned
	f.Evicted += o.Evicted
}

// Timed is one conversation's measure: D is meaningful only when OK.
type Timed struct {
	D  time.Duration
	OK bool
}

// Conversation is one conversation's figures (rule 17), as far as its
// events went: a measure not reached yet is not OK.
type Conversation struct {
	ID         string
	Touchpoint string
	Channel    string
	Queues     []string
	// Agent is the last agent who held it.
	Agent string
	// ByContact reports that the contact started it.
	ByContact bool
	// Abandoned reports rule 16's abandonment, once closed.
	Abandoned bool
	Started   time.Time
	Closed    time.Time

	Wait, FirstResponse, Handle, Resolution, WrapUp Timed
	// Transfers counts its transfers, MessagesIn and MessagesOut its
	// messages.
	Transfers, MessagesIn, MessagesOut int
}
