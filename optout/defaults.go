package optout

import (
	"golang.org/x/text/language"
)

// english is the default set, the keywords US carriers and the
// major providers (Twilio, Telnyx, Braze, AWS End User Messaging) honour:
// opt-out STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT and
// the phrases "OPT OUT" and "STOP ALL" (the FCC's 2025 TCPA rule names "opt
// out" among the replies that revoke consent); opt-in START, YES, UNSTOP;
// help HELP, INFO.
var english = []Keyword{
	{"STOP", OptOut}, {"STOPALL", OptOut}, {"STOP ALL", OptOut},
	{"UNSUBSCRIBE", OptOut}, {"CANCEL", OptOut}, {"END", OptOut},
	{"QUIT", OptOut}, {"REVOKE", OptOut}, {"OPTOUT", OptOut}, {"OPT OUT", OptOut},
	{"START", OptIn}, {"YES", OptIn}, {"UNSTOP", OptIn},
	{"HELP", Help}, {"INFO", Help},
}

// french adds Canadian French practice to the English set: ARRET and
// ARRETE for opt-out (ARRET is in AWS End User Messaging's required
// opt-out list for Canada) and AIDE for help (AWS's Canadian French
// compliance keywords). Accents need not be written: "ARRÊT" and "arrête" match.
var french = []Keyword{{"ARRET", OptOut}, {"ARRETE", OptOut}, {"AIDE", Help}}

// spanish adds US Spanish-language practice to the English set: BAJA and
// ALTO for opt-out and AYUDA for help (Twilio's requirements for
// Spanish-language short codes), INICIO for opt-in and
// AUXILIO for help (reserved as Spanish equivalents by Textizen, after
// carrier practice).
var spanish = []Keyword{
	{"BAJA", OptOut}, {"ALTO", OptOut},
	{"INICIO", OptIn},
	{"AYUDA", Help}, {"AUXILIO", Help},
}

// The built-in sets, built once; sets are immutable, so sharing them is safe.
var (
	englishSet = mustBuild(language.English, english, nil)
	frenchSet  = mustBuild(language.French, english, french)
	spanishSet = mustBuild(language.Spanish, english, spanish)
	builtins   = []*Keywords{englishSet, frenchSet, spanishSet}
	matcher    = language.NewMatcher([]language.Tag{language.English, language.French, language.Spanish})
)

func mustBuild(tag language.Tag, base, add []Keyword) *Keywords {
	k, err := build(tag, base, add)
	if err != nil {
		panic(err)
	}
	return k
}

// DefaultKeywords returns the default English set, the one [Classify]
// uses.
func DefaultKeywords() *Keywords { return englishSet }

// KeywordsFor returns the built-in set that best matches tag: English, or
// the English set plus the French or Spanish keywords for those languages
// (Canadian French and US Spanish carrier practice: the English keywords
// keep working for everyone). Any other language gets the English set.
func KeywordsFor(tag language.Tag) *Keywords {
	_, i, conf := matcher.Match(tag)
	if conf == language.No {
		return englishSet
	}
	return builtins[i]
}

// DefaultSets returns the built-in sets, English first, as a [Registry]
// uses them when its Config names none.
func DefaultSets() []*Keywords { return []*Keywords{englishSet, frenchSet, spanishSet} }

// Classify returns the action body triggers with the default English
// keywords ([DefaultKeywords]). Only a keyword or keyword phrase alone
// triggers: "STOP", " stop. ", "Stop!", "ＳＴＯＰ", "opt   out" and "STÖP"
// are OptOut; "STOP PLEASE", "PLEASE CANCEL", "S T O P" and "OPT OUT NOW"
// are None.
//
// Matching ignores case, surrounding white space, runs of inner white space,
// trailing punctuation, full-width forms and accents. A message whose first
// characters already outgrow the longest keyword is rejected without
// reading further; messages outside ASCII are normalised with
// golang.org/x/text.
func Classify(body string) Action {
	return englishSet.Classify(body)
}
