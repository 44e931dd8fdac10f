package routing

import (
	"fmt"

	"github.com/parleyhq/parley/channel"
)

// DefaultCapacity is an agent's capacity in points when Agent.Capacity is
// zero: each agent has 100 points.
const DefaultCapacity = 100

// VoiceWeight is what a voice conversation weighs. It is fixed: a voice
// call plus anything but light digital work must not fit one agent, so
// 51 of 100 points can never be configured away.
const VoiceWeight = 51

// MaxWeight and MinWeight bound a configurable digital weight.
const (
	MinWeight = 1
	MaxWeight = 100
)

// defaultWeights are the default weights: SMS 5, e-mail 5, web chat 30,
// WhatsApp, Messenger, Instagram, Telegram, LINE and custom 20.
var defaultWeights = [...]uint8{
	channel.WhatsApp:  20,
	channel.SMS:       5,
	channel.Messenger: 20,
	channel.Instagram: 20,
	channel.Telegram:  20,
	channel.LINE:      20,
	channel.WebChat:   30,
	channel.Email:     5,
	channel.Voice:     VoiceWeight,
	channel.Custom:    20,
}

// Weights holds the weight of each channel kind. The zero value holds the
// defaults; derive changed weights with [Weights.With]. Weights is a value:
// copying it is safe and a change never touches a router already built,
// which is how a weight change stays non-retroactive.
type Weights struct {
	set [len(defaultWeights)]uint8 // 0 means the default
}

// Of returns the weight charged for a conversation of kind k. An invalid
// kind weighs as much as a custom channel.
func (w Weights) Of(k channel.Kind) int {
	if !k.Valid() {
		k = channel.Custom
	}
	if v := w.set[k]; v != 0 {
		return int(v)
	}
	return int(defaultWeights[k])
}

// With returns a copy of w in which kind k weighs weight points. It refuses
// voice (ErrFixedWeight), an invalid kind and a weight outside 1–100
// (ErrInvalid); w itself never changes.
func (w Weights) With(k channel.Kind, weight int) (Weights, error) {
	switch {
	case k == channel.Voice:
		return w, fmt.Errorf("%w at %d", ErrFixedWeight, VoiceWeight)
	case !k.Valid():
		return w, invalidf("weight for unknown channel kind %d", uint8(k))
	case weight < MinWeight || weight > MaxWeight:
		return w, invalidf("weight %d for %s outside %d–%d", weight, k, MinWeight, MaxWeight)
	}
	w.set[k] = uint8(weight)
	return w, nil
}

// list returns the weights set, by channel.Kind (0: the default), as a
// Snapshot or an Op carries them.
func (w Weights) list() []int {
	l := make([]int, len(w.set))
	for k, v := range w.set {
		l[k] = int(v)
	}
	return l
}

// weightsFrom reads a list made by Weights.list back.
func weightsFrom(l []int) (Weights, error) {
	var w Weights
	if len(l) > len(w.set) {
		return w, invalidf("%d weights, more than the %d channel kinds", len(l), len(w.set))
	}
	for k, v := range l {
		if v == 0 {
			continue
		}
		var err error
		if w, err = w.With(channel.Kind(k), v); err != nil {
			return Weights{}, err
		}
	}
	return w, nil
}
