package optout

import "golang.org/x/text/language"

// Replies are the automatic answers to the three kinds of keyword. An
// empty field means the default for the language.
type Replies struct {
	// OptOut confirms that no more messages will be sent from the scope and
	// says how to opt back in.
	OptOut string
	// OptIn confirms the contact is subscribed again.
	OptIn string
	// Help gives basic information and how to opt out.
	Help string
}

// parley's own default wording: short, no marketing content, naming the
// keywords that undo or explain the change. START works in every built-in
// set, so the replies name it in every language.
var defaultReplies = []Replies{
	{ // English
		OptOut: "You have been unsubscribed and will receive no more messages from us. Reply START to subscribe again.",
		OptIn:  "You have been subscribed again. Reply HELP for help or STOP to unsubscribe.",
		Help:   "This is an automated message service. Reply STOP to unsubscribe or START to subscribe again.",
	},
	{ // French
		OptOut: "Vous êtes désabonné et ne recevrez plus de messages de notre part. Répondez START pour vous réabonner.",
		OptIn:  "Vous êtes de nouveau abonné. Répondez AIDE pour obtenir de l'aide ou ARRET pour vous désabonner.",
		Help:   "Ceci est un service de messages automatiques. Répondez ARRET pour vous désabonner ou START pour vous réabonner.",
	},
	{ // Spanish
		OptOut: "Se ha dado de baja y no recibirá más mensajes nuestros. Responda START para volver a suscribirse.",
		OptIn:  "Se ha suscrito de nuevo. Responda AYUDA para obtener ayuda o BAJA para darse de baja.",
		Help:   "Este es un servicio de mensajes automáticos. Responda BAJA para darse de baja o START para volver a suscribirse.",
	},
}

// DefaultReplies returns parley's default replies in the language closest
// to tag among English, French and Spanish; English for any other.
func DefaultReplies(tag language.Tag) Replies {
	_, i, conf := matcher.Match(tag)
	if conf == language.No {
		return defaultReplies[0]
	}
	return defaultReplies[i]
}

// For returns the reply to action a, or "" for None.
func (r Replies) For(a Action) string {
	switch a {
	case OptOut:
		return r.OptOut
	case OptIn:
		return r.OptIn
	case Help:
		return r.Help
	}
	return ""
}

// orDefault fills r's empty fields from d.
func (r Replies) orDefault(d Replies) Replies {
	if r.OptOut == "" {
		r.OptOut = d.OptOut
	}
	if r.OptIn == "" {
		r.OptIn = d.OptIn
	}
	if r.Help == "" {
		r.Help = d.Help
	}
	return r
}
