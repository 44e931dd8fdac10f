package template_test

import (
	"fmt"

	"golang.org/x/text/language"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/template"
)

func ExampleLibrary() {
	lib := template.NewLibrary(template.Options{})
	err := lib.Add(template.Snippet{
		Shortcut:        "greet",
		Title:           "Greeting",
		Collection:      "Support",
		DefaultLanguage: language.English,
		Variants: []template.Variant{
			{Body: `Hi {{contact.first_name | default: "there"}}, how can I help?`},
			{Language: language.Spanish, Body: `Hola {{contact.first_name | default: "amigo"}}, ¿en qué puedo ayudarte?`},
			{Channel: channel.WhatsApp, Language: language.Spanish, Body: `¡Hola {{contact.first_name | default: "amigo"}}! 👋 ¿En qué puedo ayudarte?`},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = lib.Add(template.Snippet{Shortcut: "goodbye", Title: "Goodbye", Variants: []template.Variant{{Body: "Bye!"}}})

	// The agent types "/g".
	for _, s := range lib.Find("/g") {
		fmt.Printf("/%s  %s\n", s.Shortcut, s.Title)
	}

	// A WhatsApp conversation with a contact from Mexico.
	r, _ := lib.Resolve("greet", channel.WhatsApp, language.MustParse("es-MX"))
	text, _ := r.Template.Render(map[string]string{"contact.first_name": "Lucía"})
	fmt.Println(text)

	// The same contact over SMS gets the channel-neutral Spanish variant,
	// and the agent sees what it will cost before sending.
	r, _ = lib.Resolve("greet", channel.SMS, language.MustParse("es-MX"))
	text, _ = r.Template.Render(map[string]string{"contact.first_name": "Lucía"})
	fmt.Println(text)
	fmt.Println(template.Check(channel.SMS, text))
	// Output:
	// /goodbye  Goodbye
	// /greet  Greeting
	// ¡Hola Lucía! 👋 ¿En qué puedo ayudarte?
	// Hola Lucía, ¿en qué puedo ayudarte?
	// 1 SMS, UCS-2
}

func ExampleCheck() {
	// 169 GSM-7 characters: over one segment's 160, so 2 parts of at most 153.
	text := "Hola Ana, tu pedido A-1042 sale hoy y llega mañana entre las 9 y las 13 h. " +
		"Si no estas en casa, el repartidor lo dejara en la tienda mas cercana. ¡Gracias por tu compra!"
	fmt.Println(template.Check(channel.SMS, text))
	// One accented letter outside GSM 03.38 switches the whole text to UCS-2.
	fmt.Println(template.Check(channel.SMS, "Hola Lucía, "+text))
	fmt.Println(template.Check(channel.Instagram, text))
	// Output:
	// 2 SMS, GSM-7
	// 3 SMS, UCS-2
	// 169/1000 characters
}
