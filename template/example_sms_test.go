package template_test

import (
	"fmt"

	"golang.org/x/text/language"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/template"
)

// An agent answers a Spanish-speaking contact over SMS: the library picks
// the Spanish variant for the conversation's channel and the contact's
// locale, the agent's values fill it, and Check tells, before anything is
// sent, what the message will cost.
func ExampleLibrary_sms() {
	lib := template.NewLibrary(template.Options{})
	err := lib.Add(template.Snippet{
		Shortcut:        "shipped",
		Title:           "Order shipped",
		DefaultLanguage: language.English,
		Variants: []template.Variant{
			{Body: "Hi {{contact.first_name}}, your order {{order.id}} left our warehouse and arrives on Thursday."},
			{Language: language.Spanish, Body: "Hola {{contact.first_name}}, tu pedido {{order.id}} salió de nuestro almacén y llegará el jueves. Responde AYUDA si necesitas algo."},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// The contact's locale is es-MX; the conversation is on SMS.
	r, err := lib.Resolve("shipped", channel.SMS, language.MustParse("es-MX"))
	if err != nil {
		fmt.Println(err)
		return
	}
	text, err := r.Template.Render(map[string]string{"contact.first_name": "Lucía", "order.id": "A-1042"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fit := template.Check(channel.SMS, text)
	fmt.Println(r.Variant.Language)
	fmt.Println(text)
	// "í", "ó" and "á" are not GSM-7, so the text is UCS-2: 108 units, over
	// one segment's 70, sent as 2 parts of at most 67.
	fmt.Printf("%s (%d units)\n", fit, fit.SMS.Units)
	fmt.Println(fit.Err())
	// Output:
	// es
	// Hola Lucía, tu pedido A-1042 salió de nuestro almacén y llegará el jueves. Responde AYUDA si necesitas algo.
	// 2 SMS, UCS-2 (108 units)
	// <nil>
}
