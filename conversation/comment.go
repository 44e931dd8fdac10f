package conversation

import (
	"slices"
	"time"
	"unicode"
	"unicode/utf8"
)

// Comment is a note on a contact, written by an agent. Comments belong to
// the contact, not to one conversation, are visible workspace-wide and are
// never sent; they may @mention agents.
type Comment struct {
	ID        ID
	ContactID string
	AuthorID  string // the agent who wrote it
	Text      string
	// Mentions are the @handles in Text, without the @, in order of first
	// appearance (see [Mentions]).
	Mentions  []string
	CreatedAt time.Time
}

// NewComment returns a comment with its mentions parsed out of text.
func NewComment(id ID, contactID, authorID, text string, now time.Time) (*Comment, error) {
	c := &Comment{ID: id, ContactID: contactID, AuthorID: authorID, Text: text, Mentions: Mentions(text), CreatedAt: now}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks that the comment has an ID, a contact, an author and text.
func (c *Comment) Validate() error {
	switch {
	case c.ID.IsZero():
		return invalid("Comment.ID", "is required")
	case c.ContactID == "":
		return invalid("Comment.ContactID", "is required")
	case c.AuthorID == "":
		return invalid("Comment.AuthorID", "is required")
	case c.Text == "":
		return invalid("Comment.Text", "is required")
	}
	return nil
}

// Mentions returns the handles @mentioned in text, without the @, each once,
// in order of first appearance. A mention is an @ at the start of the text
// or after a character that is not a letter, digit or one of "._-" (so an
// e-mail address such as ana@example.com is not a mention), followed by
// letters, digits and "._-"; a trailing "." "-" or "_" is punctuation, not
// part of the handle ("thanks @ana." mentions "ana").
func Mentions(text string) []string {
	var out []string
	prev := rune(-1)
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if r != '@' || (prev != -1 && handleRune(prev)) {
			prev = r
			i += n
			continue
		}
		j := i + n
		for j < len(text) {
			h, hn := utf8.DecodeRuneInString(text[j:])
			if !handleRune(h) {
				break
			}
			j += hn
		}
		handle := text[i+n : j]
		for handle != "" {
			last := handle[len(handle)-1]
			if last != '.' && last != '-' && last != '_' {
				break
			}
			handle = handle[:len(handle)-1]
		}
		if handle != "" && !slices.Contains(out, handle) {
			out = append(out, handle)
		}
		prev = '@'
		if j > i+n {
			prev, _ = utf8.DecodeLastRuneInString(text[:j])
		}
		i = j
	}
	return out
}

func handleRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-'
}
