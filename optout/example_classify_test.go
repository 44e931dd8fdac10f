package optout_test

import (
	"fmt"

	"golang.org/x/text/language"

	"github.com/parleyhq/parley/optout"
)

// Only a keyword alone triggers; case, spacing, width, accents and trailing
// punctuation are ignored.
func ExampleClassify() {
	for _, body := range []string{"STOP", " stop. ", "ＳＴＯＰ", "opt   out", "STÖP", "STOP PLEASE", "S T O P", "help?", "Yes!"} {
		fmt.Printf("%q: %s\n", body, optout.Classify(body))
	}
	// Output:
	// "STOP": opt-out
	// " stop. ": opt-out
	// "ＳＴＯＰ": opt-out
	// "opt   out": opt-out
	// "STÖP": opt-out
	// "STOP PLEASE": none
	// "S T O P": none
	// "help?": help
	// "Yes!": opt-in
}

// Localised sets add a language's keywords to the English ones.
func ExampleKeywordsFor() {
	fr := optout.KeywordsFor(language.CanadianFrench)
	fmt.Println(fr.Classify("Arrête"), fr.Classify("AIDE"), fr.Classify("STOP"))
	es := optout.KeywordsFor(language.Spanish)
	fmt.Println(es.Classify("baja"), es.Classify("INICIO"))
	// Output:
	// opt-out help opt-out
	// opt-out opt-in
}

// Hosts extend a set; STOP, START and HELP go only when removed explicitly.
func ExampleKeywords_With() {
	k, err := optout.DefaultKeywords().With(optout.Keyword{Word: "REMOVE", Action: optout.OptOut})
	if err != nil {
		panic(err)
	}
	fmt.Println(k.Classify("remove"))
	fmt.Println(k.Without("STOP").Classify("stop"))
	// Output:
	// opt-out
	// none
}
