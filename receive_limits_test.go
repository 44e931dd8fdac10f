package parley_test

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/parleytest"
)

// limitsFixture is newFixture with stores the test can read directly and
// a host's own channel ("app") whose touchpoint sends an auto-reply.
type limitsFixture struct {
	*parleytest.Desk
	convs   *memory.ConversationStore
	optouts *memory.OptOutStore
}

func newLimitsFixture(t *testing.T) limitsFixture {
	t.Helper()
	f := limitsFixture{convs: memory.NewConversationStore(), optouts: memory.NewOptOutStore()}
	f.Desk = newFixture(t, func(c *parley.Config) {
		c.Conversations = f.convs
		c.OptOuts = f.optouts
		c.Touchpoints = append(c.Touchpoints, parley.Touchpoint{ID: "app", Kind: channel.Custom, Address: "app-1", Queues: []string{"support"}, AutoReply: "An agent will be with you shortly."})
	})
	return f
}

// app is a contact's address on the host's own channel.
func app(id string) channel.Address { return channel.Address{Kind: channel.Custom, ID: id} }

// snapshot is everything a Receive could change that a test can read:
// every conversation with its messages, the opt-out ledger of the
// fixture's contact, the events published and the messages sent.
func (f limitsFixture) snapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	page, err := f.convs.Search(ctx, conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, Limit: conversation.MaxLimit})
	require.NoError(t, err)
	var b strings.Builder
	for _, c := range page.Conversations {
		fmt.Fprintf(&b, "conversation %s %s v%d unread %d\n", c.ID, c.Status, c.Version, c.Unread)
		for _, m := range f.messages(t, c.ID) {
			fmt.Fprintf(&b, "  message %s %q\n", m.ID, m.Text)
		}
	}
	h, err := f.optouts.History(ctx, optout.DefaultScope, sms("+14155550100"))
	require.NoError(t, err)
	fmt.Fprintf(&b, "opt-out entries %d\nevents %v\nattempts %d\n", len(h), f.Publisher.Names(), len(f.Transport.Attempts()))
	return b.String()
}

// messages returns every message of conversation id, oldest first.
func (f limitsFixture) messages(t *testing.T, id conversation.ID) []*conversation.Message {
	t.Helper()
	var all []*conversation.Message
	q := conversation.MessageQuery{ConversationID: id, Sort: conversation.Oldest, Limit: conversation.MaxLimit}
	for {
		page, err := f.convs.Messages(context.Background(), q)
		require.NoError(t, err)
		all = append(all, page.Messages...)
		if page.Next == "" {
			return all
		}
		q.Cursor = page.Next
	}
}

// turns returns n alternating contact and bot turns.
func turns(n int, text string) []parley.Turn {
	ts := make([]parley.Turn, n)
	for i := range ts {
		ts[i] = parley.Turn{Author: conversation.AuthorContact, Text: fmt.Sprintf("%s %d", text, i), At: parleytest.Epoch.Add(-1)}
		if i%2 == 1 {
			ts[i].Author = conversation.AuthorBot
		}
	}
	return ts
}

// refusedInbounds are inbound messages that break a rule of Receive: each
// must be refused (an error matching conversation.ErrInvalid and want)
// before anything is written.
func refusedInbounds() []struct {
	name string
	in   parley.Inbound
	want error
} {
	wa1 := func(in parley.Inbound) parley.Inbound {
		in.Touchpoint, in.From = "wa", wa("+14155550100")
		if in.ProviderID == "" {
			in.ProviderID = "wamid.new"
		}
		return in
	}
	app1 := func(in parley.Inbound) parley.Inbound {
		in.Touchpoint, in.From, in.ProviderID = "app", app("user-7"), "i-new"
		return in
	}
	stop := func(in parley.Inbound) parley.Inbound {
		in.Touchpoint, in.From, in.Text = "sms", sms("+14155550100"), "STOP"
		if in.ProviderID == "" {
			in.ProviderID = "sms-new"
		}
		return in
	}
	badAuthor := turns(3, "turn")
	badAuthor[1].Author = conversation.AuthorAgent
	unknownAuthor := turns(3, "turn")
	unknownAuthor[1].Author = conversation.AuthorKind(9)
	emptyTurn := turns(3, "turn")
	emptyTurn[1].Text = " \n"
	att := func(a conversation.Attachment) []conversation.Attachment { return []conversation.Attachment{a} }
	img := channel.Attachment{Name: "a.jpg", MIMEType: "image/jpeg", Size: 1000}
	withSize := func(n int64) channel.Attachment { a := img; a.Size = n; return a }
	many := make([]conversation.Attachment, channel.MaxInboundAttachments+1)
	for i := range many {
		many[i] = conversation.Attachment{Attachment: img}
	}
	return []struct {
		name string
		in   parley.Inbound
		want error
	}{
		{"neither text nor attachment", wa1(parley.Inbound{}), parley.ErrEmpty},
		{"white space only", wa1(parley.Inbound{Text: " \t\n\u00a0"}), parley.ErrEmpty},
		{"text over the limit", wa1(parley.Inbound{Text: strings.Repeat("é", channel.MaxInboundText+1)}), channel.ErrOverLimit},
		{"text of 10 MB", wa1(parley.Inbound{Text: strings.Repeat("a", 10<<20)}), channel.ErrOverLimit},
		{"text of NULs only", wa1(parley.Inbound{Text: "\x00\x00"}), parley.ErrEmpty},
		{"provider ID over the limit", wa1(parley.Inbound{Text: "hi", ProviderID: strings.Repeat("w", channel.MaxIDLength+1)}), channel.ErrOverLimit},
		{"provider ID of 1 MB", wa1(parley.Inbound{Text: "hi", ProviderID: strings.Repeat("w", 1<<20)}), channel.ErrOverLimit},
		{"NUL in provider ID", wa1(parley.Inbound{Text: "hi", ProviderID: "wamid\x00"}), channel.ErrBadCharacter},
		{"invalid UTF-8 in provider ID", wa1(parley.Inbound{Text: "hi", ProviderID: "wamid\xff"}), channel.ErrBadCharacter},
		{"name over the limit", wa1(parley.Inbound{Text: "hi", Name: strings.Repeat("N", channel.MaxNameLength+1)}), channel.ErrOverLimit},
		{"name of 100 000 characters", wa1(parley.Inbound{Text: "hi", Name: strings.Repeat("ñ", 100_000)}), channel.ErrOverLimit},
		{"control character in name", wa1(parley.Inbound{Text: "hi", Name: "Ana\x1b[31m"}), channel.ErrBadCharacter},
		{"NUL in name", wa1(parley.Inbound{Text: "hi", Name: "Ana\x00"}), channel.ErrBadCharacter},
		{"invalid UTF-8 in name", wa1(parley.Inbound{Text: "hi", Name: "Ana\xc3"}), channel.ErrBadCharacter},
		{"locale over the limit", wa1(parley.Inbound{Text: "hi", Locale: "en-" + strings.Repeat("x", channel.MaxIDLength)}), channel.ErrOverLimit},
		{"10 000 attachments", wa1(parley.Inbound{Attachments: append(many, make([]conversation.Attachment, 10_000-len(many))...)}), channel.ErrOverLimit},
		{"one attachment over the count", wa1(parley.Inbound{Attachments: many}), channel.ErrOverLimit},
		{"size -1", wa1(parley.Inbound{Attachments: att(conversation.Attachment{Attachment: withSize(-1)})}), channel.ErrInvalidAttachment},
		{"size MaxInt64", wa1(parley.Inbound{Attachments: att(conversation.Attachment{Attachment: withSize(math.MaxInt64)})}), channel.ErrOverLimit},
		{"size over the channel's largest file", wa1(parley.Inbound{Attachments: att(conversation.Attachment{Attachment: withSize(100*channel.MB + 1)})}), channel.ErrOverLimit},
		{"attachment name with NUL", wa1(parley.Inbound{Attachments: att(conversation.Attachment{Attachment: channel.Attachment{Name: "a\x00.jpg", Size: 1}})}), channel.ErrBadCharacter},
		{"attachment name over the limit", wa1(parley.Inbound{Attachments: att(conversation.Attachment{Attachment: channel.Attachment{Name: strings.Repeat("a", channel.MaxNameLength) + ".jpg", Size: 1}})}), channel.ErrOverLimit},
		{"MIME type with a control character", wa1(parley.Inbound{Attachments: att(conversation.Attachment{Attachment: channel.Attachment{MIMEType: "image/jpeg\r\n", Size: 1}})}), channel.ErrBadCharacter},
		{"attachment URL over the limit", wa1(parley.Inbound{Attachments: att(conversation.Attachment{Attachment: img, URL: "https://x/" + strings.Repeat("a", channel.MaxURLLength)})}), channel.ErrOverLimit},
		{"negative duration", wa1(parley.Inbound{Attachments: att(conversation.Attachment{Attachment: channel.Attachment{Name: "v.ogg", Size: 1, Duration: -1}})}), channel.ErrInvalidAttachment},
		{"interaction ID over the limit", app1(parley.Inbound{Text: "hi", InteractionID: strings.Repeat("i", channel.MaxIDLength+1)}), channel.ErrOverLimit},
		{"subject over the limit", app1(parley.Inbound{Text: "hi", Subject: strings.Repeat("s", channel.MaxSubjectLength+1)}), channel.ErrOverLimit},
		{"transcript with an agent's turn", app1(parley.Inbound{Text: "hi", Transcript: badAuthor}), conversation.ErrInvalid},
		{"transcript with an unknown author", app1(parley.Inbound{Text: "hi", Transcript: unknownAuthor}), conversation.ErrInvalid},
		{"transcript turn of white space", app1(parley.Inbound{Text: "hi", Transcript: emptyTurn}), parley.ErrEmpty},
		{"transcript over the limit", app1(parley.Inbound{Text: "hi", Transcript: turns(parley.MaxTranscriptTurns+1, "turn")}), parley.ErrTranscriptTooLong},
		{"STOP with a provider ID over the limit", stop(parley.Inbound{ProviderID: strings.Repeat("s", channel.MaxIDLength+1)}), channel.ErrOverLimit},
		{"STOP with an attachment of size -1", stop(parley.Inbound{Attachments: att(conversation.Attachment{Attachment: withSize(-1)})}), channel.ErrInvalidAttachment},
	}
}

// A refused inbound message changes nothing: no conversation, no message,
// no opt-out, no event, nothing sent; the same whether the contact has an
// open conversation (the one-step path) or not (the path that starts one).
func TestRefusedInboundChangesNothing(t *testing.T) {
	ctx := context.Background()
	for _, tt := range refusedInbounds() {
		t.Run(tt.name, func(t *testing.T) {
			for _, open := range []bool{false, true} {
				f := newLimitsFixture(t)
				if open {
					_, err := f.Receive(ctx, parley.Inbound{Touchpoint: tt.in.Touchpoint, From: tt.in.From, ProviderID: "first", Text: "first"})
					require.NoError(t, err)
				}
				before := f.snapshot(t)
				_, err := f.Receive(ctx, tt.in)
				require.Error(t, err, "open conversation: %v", open)
				assert.ErrorIs(t, err, conversation.ErrInvalid, "open conversation: %v", open)
				assert.ErrorIs(t, err, tt.want, "open conversation: %v", open)
				assert.Equal(t, before, f.snapshot(t), "a refused inbound changes nothing (open conversation: %v)", open)
			}
		})
	}
}

// A field over its limit is refused with a *channel.FieldError naming
// the field, its limit and what was received.
func TestInboundLimitErrorNamesFieldLimitAndSize(t *testing.T) {
	f := newLimitsFixture(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		in    parley.Inbound
		field string
		limit int64
		size  int64
	}{
		{"text", parley.Inbound{Text: strings.Repeat("é", channel.MaxInboundText+5)}, "Text", channel.MaxInboundText, channel.MaxInboundText + 5},
		{"provider ID", parley.Inbound{Text: "hi", ProviderID: strings.Repeat("w", 1<<20)}, "ProviderID", channel.MaxIDLength, 1 << 20},
		{"name", parley.Inbound{Text: "hi", Name: strings.Repeat("ñ", 100_000)}, "Name", channel.MaxNameLength, 100_000},
		{"attachments", parley.Inbound{Attachments: make([]conversation.Attachment, 10_000)}, "Attachments", channel.MaxInboundAttachments, 10_000},
		{"size", parley.Inbound{Attachments: []conversation.Attachment{{}, {Attachment: channel.Attachment{Name: "a.pdf", Size: math.MaxInt64}}}}, "Attachments[1].Size", 100 * channel.MB, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Touchpoint, in.From = "wa", wa("+14155550100")
			if in.ProviderID == "" {
				in.ProviderID = "w1"
			}
			_, err := f.Receive(ctx, in)
			var fe *channel.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field)
			assert.Equal(t, tt.limit, fe.Limit)
			assert.Equal(t, tt.size, fe.Size)
			assert.ErrorIs(t, err, conversation.ErrInvalid)
		})
	}
}

// What Receive repairs instead of refusing: invalid UTF-8 in a text
// becomes U+FFFD (one per run of bad bytes); text keeps its line breaks
// and tabs; a text of exactly the limit is taken.
func TestInboundTextRepair(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"invalid UTF-8 becomes U+FFFD", "caf\xe9 ok \xff\xfe", "caf\ufffd ok \ufffd"},
		{"line breaks and tabs are kept", "line 1\r\nline 2\tend", "line 1\r\nline 2\tend"},
		{"a NUL is dropped", "hi\x00there", "hithere"},
		{"a text of exactly the limit", strings.Repeat("é", channel.MaxInboundText), strings.Repeat("é", channel.MaxInboundText)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLimitsFixture(t)
			rc, err := f.Receive(context.Background(), parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "w1", Text: tt.text})
			require.NoError(t, err)
			assert.Equal(t, tt.want, rc.Message.Text)
			msgs := storedMessages(t, f.Desk, rc.Conversation.ID)
			require.Len(t, msgs, 1)
			assert.Equal(t, tt.want, msgs[0].Text)
		})
	}
}

// A transcript is imported whole, every turn under its own ID, up to
// MaxTranscriptTurns; the welcome still goes out (its ID never collides
// with a turn's); one turn more is refused with ErrTranscriptTooLong and
// a *TranscriptError giving the count and the limit.
func TestTranscriptOfAnyLengthUpToTheLimit(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{1, 252, 253, 255, 256, 257, 300, parley.MaxTranscriptTurns} {
		t.Run(fmt.Sprint(n, " turns"), func(t *testing.T) {
			f := newLimitsFixture(t)
			rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "app", From: app("user-7"), ProviderID: "i1", Text: "I want a human", Transcript: turns(n, "turn")})
			require.NoError(t, err)
			var imported, welcome int
			ids := map[conversation.ID]bool{}
			for _, m := range f.messages(t, rc.Conversation.ID) {
				ids[m.ID] = true
				switch {
				case m.Imported:
					imported++
				case m.Text == "An agent will be with you shortly.":
					welcome++
				}
			}
			assert.Equal(t, n, imported, "every turn is imported")
			assert.Equal(t, 1, welcome, "the auto-reply is stored once")
			assert.Len(t, ids, n+2, "every message has its own ID")
			require.Len(t, f.Transport.Sent(), 1, "the auto-reply is sent")

			// A provider retry imports nothing twice.
			again, err := f.Receive(ctx, parley.Inbound{Touchpoint: "app", From: app("user-7"), ProviderID: "i1", Text: "I want a human", Transcript: turns(n, "turn")})
			require.NoError(t, err)
			assert.True(t, again.Duplicate)
			assert.Len(t, f.messages(t, rc.Conversation.ID), n+2)
		})
	}
	t.Run("over the limit", func(t *testing.T) {
		f := newLimitsFixture(t)
		n := parley.MaxTranscriptTurns + 1
		_, err := f.Receive(ctx, parley.Inbound{Touchpoint: "app", From: app("user-7"), ProviderID: "i1", Text: "I want a human", Transcript: turns(n, "turn")})
		require.ErrorIs(t, err, parley.ErrTranscriptTooLong)
		assert.ErrorIs(t, err, conversation.ErrInvalid)
		var te *parley.TranscriptError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, n, te.Turns)
		assert.Equal(t, parley.MaxTranscriptTurns, te.Limit)
	})
}

// A carrier that pads a STOP with a NUL ("STOP\x00") still opts the
// contact out: a refused webhook would leave the STOP unhonoured, and
// every retry refused alike.
func TestStopWithANulOptsOut(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "sms", From: sms("+14155550100"), ProviderID: "s1", Text: "STOP\x00"})
	require.NoError(t, err)
	assert.Equal(t, optout.OptOut, rc.Keyword)
	comp, err := f.Composer(ctx, "ana", rc.Conversation.ID)
	require.NoError(t, err)
	assert.True(t, comp.OptedOut)
}

// A refused inbound message leaves nothing: no conversation, no event.
func TestRefusedInboundLeavesNothing(t *testing.T) {
	ctx := context.Background()
	huge := strings.Repeat("x", channel.MaxInboundText+1)
	for _, tc := range []struct {
		name string
		in   parley.Inbound
	}{
		{"NULs only", parley.Inbound{Text: "\x00"}},
		{"huge text", parley.Inbound{Text: huge}},
		{"control in name", parley.Inbound{Text: "hi", Name: "Al\x1bice"}},
		{"newline in name", parley.Inbound{Text: "hi", Name: "Al\nice"}},
		{"NUL in provider ID", parley.Inbound{Text: "hi", ProviderID: "w\x00"}},
		{"invalid UTF-8 provider ID", parley.Inbound{Text: "hi", ProviderID: "w\xff"}},
		{"huge provider ID", parley.Inbound{Text: "hi", ProviderID: strings.Repeat("p", 1<<20)}},
		{"white space only", parley.Inbound{Text: " \t\n"}},
		{"negative size", parley.Inbound{Attachments: []conversation.Attachment{{URL: "https://x/a.jpg", Attachment: channel.Attachment{MIMEType: "image/jpeg", Size: -1}}}}},
		{"huge size", parley.Inbound{Attachments: []conversation.Attachment{{URL: "https://x/a.jpg", Attachment: channel.Attachment{MIMEType: "image/jpeg", Size: math.MaxInt64}}}}},
		{"NUL in URL", parley.Inbound{Attachments: []conversation.Attachment{{URL: "https://x/\x00", Attachment: channel.Attachment{MIMEType: "image/jpeg", Size: 10}}}}},
		{"control in MIME", parley.Inbound{Attachments: []conversation.Attachment{{URL: "https://x/a", Attachment: channel.Attachment{MIMEType: "image/jpeg\n", Size: 10}}}}},
		{"control in file name", parley.Inbound{Attachments: []conversation.Attachment{{URL: "https://x/a", Attachment: channel.Attachment{MIMEType: "image/jpeg", Name: "a\x00.jpg", Size: 10}}}}},
		{"NUL in transcript", parley.Inbound{Text: "hi", Transcript: []parley.Turn{{Author: conversation.AuthorBot, Text: "\x00"}}}},
		{"bad author", parley.Inbound{Text: "hi", Transcript: []parley.Turn{{Author: conversation.AuthorKind(99), Text: "a"}}}},
		{"transcript too long", parley.Inbound{Text: "hi", Transcript: make([]parley.Turn, parley.MaxTranscriptTurns+1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			in := tc.in
			in.Touchpoint, in.From = "wa", wa("+14155550100")
			_, err := f.Receive(ctx, in)
			assert.ErrorIs(t, err, conversation.ErrInvalid)
			page, err := f.Search(ctx, parley.SystemActor, conversation.Query{})
			require.NoError(t, err)
			assert.Empty(t, page.Conversations, "no conversation is left")
			assert.Empty(t, f.Publisher.Names(), "no event")
		})
	}
}

// Transcripts at the limit are imported whole, with the welcome kept.
func TestTranscriptAtTheLimit(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{255, 256, 257, parley.MaxTranscriptTurns} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			f := newFixture(t)
			turns := make([]parley.Turn, n)
			for i := range turns {
				turns[i] = parley.Turn{Author: conversation.AuthorBot, Text: "turn " + strconv.Itoa(i)}
			}
			rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "chat", From: channel.Address{Kind: channel.WebChat, ID: "v1"}, ProviderID: "c1", Text: "hi", Transcript: turns})
			require.NoError(t, err)
			var all []*conversation.Message
			q := conversation.MessageQuery{ConversationID: rc.Conversation.ID, Sort: conversation.Oldest, Limit: conversation.MaxLimit}
			for {
				page, err := f.Messages(ctx, parley.SystemActor, q)
				require.NoError(t, err)
				all = append(all, page.Messages...)
				if page.Next == "" {
					break
				}
				q.Cursor = page.Next
			}
			assert.Len(t, all, n+1)
			ids := map[conversation.ID]bool{}
			for _, m := range all {
				assert.False(t, ids[m.ID])
				ids[m.ID] = true
			}
		})
	}
}
